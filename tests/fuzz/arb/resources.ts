// Whole UCWA documents: event batches, messages, conversation logs, transcript pages, the
// application, people search, the sign-in answers — each either a recorded answer of the simulator
// mutated (mutate.ts) or built from the shapes of PROTOCOL.md §3.2, §5.7, §7 with generated parts,
// plus now and then something that is not a document at all.
import fc from 'fast-check';
import { shapes } from '../corpus.ts';
import { mutated } from './mutate.ts';
import { APP, dataUrl, href, ucwaDate, type Origins } from './strings.ts';
import { deepValue, hostileText, junk, type Sizes } from './values.ts';

export const RELS = [
  'messagingInvitation', 'onlineMeetingInvitation', 'audioVideoInvitation', 'phoneAudioInvitation', 'conversation', 'messaging',
  'message', 'participant', 'localParticipant', 'participantMessaging', 'missedItems', 'communication', 'me', 'presence',
  'typingParticipants', 'contact', 'unknownRel', '', 'toString', '__proto__',
];
const TYPES = ['added', 'updated', 'deleted', 'started', 'completed', '', 'ADDED', 'unknown', 'constructor'];
const SENDERS = ['communication', 'conversation', 'me', 'people', '', 'messaging'];

export interface Arbs {
  text: fc.Arbitrary<string>;
  href: fc.Arbitrary<string>;
  dataUrl: fc.Arbitrary<string>;
  date: fc.Arbitrary<unknown>;
  junk: fc.Arbitrary<unknown>;
  /** What a mutation puts in: any of the above. */
  payload: fc.Arbitrary<unknown>;
}

export function leafArbs(o: Origins, sizes: Sizes): Arbs {
  const text = hostileText(sizes);
  const h = href(o, sizes);
  const d = dataUrl(sizes);
  const date = ucwaDate(sizes);
  const j = junk(sizes);
  const payload = fc.oneof({ weight: 3, arbitrary: j }, { weight: 3, arbitrary: text }, { weight: 3, arbitrary: h }, { weight: 2, arbitrary: d }, { weight: 1, arbitrary: date });
  return { text, href: h, dataUrl: d, date, junk: j, payload };
}

const pick = (docs: unknown[]) => fc.constantFrom(...docs);
const linkOf = (a: Arbs) => fc.record({ href: fc.oneof({ weight: 5, arbitrary: a.href }, { weight: 1, arbitrary: a.junk }), title: a.text }, { requiredKeys: ['href'] });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

/** A message resource (§5.7): direction, timeStamp, plain/html data URLs, participant, contact. */
export function message(a: Arbs, sizes: Sizes): fc.Arbitrary<unknown> {
  const built = fc.record({
    rel: fc.constant('message'),
    direction: fc.oneof(fc.constantFrom('Incoming', 'Outgoing'), a.junk),
    timeStamp: a.date,
    operationId: maybe(a.text),
    status: maybe(fc.oneof(fc.constantFrom('Success', 'Failed', 'Pending'), a.junk)),
    _links: fc.record({
      self: linkOf(a),
      plainMessage: fc.record({ href: a.dataUrl }),
      htmlMessage: fc.record({ href: a.dataUrl }),
      participant: linkOf(a),
      contact: linkOf(a),
    }, { requiredKeys: [] }),
  }, { requiredKeys: ['rel', '_links'] });
  return fc.oneof({ weight: 3, arbitrary: mutated(pick(shapes().embedded.message ?? []), a.payload, sizes) }, { weight: 3, arbitrary: built }, { weight: 1, arbitrary: a.junk });
}

function event(a: Arbs, sizes: Sizes): fc.Arbitrary<unknown> {
  const recorded = shapes().events.map((e) => e.event);
  const embeddedDocs = shapes().resource;
  const built = fc.tuple(fc.constantFrom(...RELS), a.href, fc.constantFrom(...TYPES), fc.integer({ min: 0, max: 5 }), message(a, sizes), pick(embeddedDocs), linkOf(a), a.junk)
    .map(([rel, h, type, shape, msg, doc, inLink, j]) => {
      const e: Record<string, unknown> = { link: { rel, href: h }, type };
      if (shape === 1) e._embedded = { [rel]: rel === 'message' ? msg : doc };
      if (shape === 2) e._embedded = { [rel]: [msg, doc] };
      if (shape === 3) e.in = { rel: 'typingParticipants', href: inLink.href };
      if (shape === 4) { e.status = 'Failure'; e.reason = j; }
      if (shape === 5) e._embedded = j;
      return e;
    });
  return fc.oneof({ weight: 4, arbitrary: mutated(pick(recorded), a.payload, sizes, 3) }, { weight: 3, arbitrary: built }, { weight: 1, arbitrary: a.junk });
}

/** A P-GET answer (§3.2/§3.3). */
export function batch(a: Arbs, sizes: Sizes): fc.Arbitrary<unknown> {
  const ev = event(a, sizes);
  const sender = fc.record({ rel: fc.oneof(fc.constantFrom(...SENDERS), a.junk), href: fc.oneof(fc.constant(`${APP}/communication/conversations/2c33e8e`), a.href), events: fc.oneof({ weight: 8, arbitrary: fc.array(ev, { maxLength: 6 }) }, { weight: 1, arbitrary: a.junk }) });
  const links = fc.record({ self: linkOf(a), next: linkOf(a), resume: linkOf(a), resync: linkOf(a) }, { requiredKeys: [] });
  const built = fc.record({ _links: fc.oneof({ weight: 6, arbitrary: links }, { weight: 1, arbitrary: a.junk }), sender: fc.oneof({ weight: 6, arbitrary: fc.array(sender, { maxLength: 4 }) }, { weight: 1, arbitrary: a.junk }) });
  const huge = fc.tuple(fc.integer({ min: 100, max: sizes.bigArray }), pick(shapes().events.map((e) => e.event)))
    .map(([n, e]) => ({ _links: { next: { href: `${APP}/events?ack=2` } }, sender: [{ rel: 'conversation', href: `${APP}/communication/conversations/2c33e8e`, events: Array.from({ length: n }, () => e) }] }));
  return fc.oneof(
    { weight: 8, arbitrary: mutated(pick(shapes().batch), a.payload, sizes) },
    { weight: 5, arbitrary: built },
    { weight: 1, arbitrary: huge },
    { weight: 1, arbitrary: a.junk },
    { weight: 1, arbitrary: deepValue(sizes) },
  );
}

/** A conversationLog (§7.2). */
export function conversationLog(a: Arbs, sizes: Sizes): fc.Arbitrary<unknown> {
  const recipient = fc.record({ rel: fc.constant('conversationLogRecipient'), displayName: a.text, sipUri: a.text, _links: fc.record({ contact: linkOf(a) }) }, { requiredKeys: [] });
  const built = fc.record({
    rel: fc.constant('conversationLog'), creationTime: a.date, direction: a.text, status: fc.oneof(fc.constantFrom('Missed', 'Archived'), a.junk),
    subject: a.text, threadId: fc.oneof(a.text, a.junk), type: a.text, previewMessage: a.text, importance: a.text, unread: a.junk, isRead: a.junk,
    _links: fc.record({ self: linkOf(a), continueMessaging: linkOf(a), conversationLogTranscripts: linkOf(a), markAsRead: linkOf(a) }, { requiredKeys: [] }),
    _embedded: fc.record({ conversationLogRecipient: fc.oneof(fc.array(recipient, { maxLength: 5 }), recipient, a.junk) }, { requiredKeys: [] }),
  }, { requiredKeys: [] });
  return fc.oneof({ weight: 3, arbitrary: mutated(pick(shapes().conversationLog), a.payload, sizes) }, { weight: 2, arbitrary: built }, { weight: 1, arbitrary: a.junk });
}

/** A conversationLogs collection (§7.1): links to logs. */
export function conversationLogs(a: Arbs, sizes: Sizes): fc.Arbitrary<unknown> {
  const huge = fc.integer({ min: 50, max: sizes.bigArray }).map((n) => ({ _links: { conversationLog: Array.from({ length: n }, (_, i) => ({ href: `${APP}/communication/conversationLogs/fz${i}` })) } }));
  return fc.oneof({ weight: 4, arbitrary: mutated(pick(shapes().conversationLogs), a.payload, sizes) }, { weight: 1, arbitrary: huge }, { weight: 1, arbitrary: a.junk });
}

/** A transcript page (§7.3). */
export function transcripts(a: Arbs, sizes: Sizes): fc.Arbitrary<unknown> {
  const entry = fc.record({
    rel: fc.constant('conversationLogTranscript'), timeStamp: a.date,
    _links: fc.record({ contact: linkOf(a), me: linkOf(a) }, { requiredKeys: [] }),
    _embedded: fc.record({ messageTranscript: fc.oneof(message(a, sizes), a.junk) }, { requiredKeys: [] }),
  }, { requiredKeys: [] });
  const built = fc.record({
    _links: fc.record({ self: linkOf(a), nextConversationLogTranscripts: linkOf(a) }, { requiredKeys: [] }),
    _embedded: fc.record({ conversationLogTranscript: fc.oneof({ weight: 6, arbitrary: fc.array(entry, { maxLength: 8 }) }, { weight: 1, arbitrary: entry }, { weight: 1, arbitrary: a.junk }) }),
  }, { requiredKeys: [] });
  return fc.oneof({ weight: 3, arbitrary: mutated(pick(shapes().transcripts), a.payload, sizes) }, { weight: 3, arbitrary: built }, { weight: 1, arbitrary: a.junk });
}

export function application(a: Arbs, sizes: Sizes): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: mutated(pick(shapes().application), a.payload, sizes) }, { weight: 1, arbitrary: a.junk });
}

export function search(a: Arbs, sizes: Sizes): fc.Arbitrary<unknown> {
  const contact = fc.record({ rel: fc.constant('contact'), uri: fc.oneof(a.text, a.junk), name: fc.oneof(a.text, a.junk), _links: fc.record({ self: linkOf(a) }) }, { requiredKeys: [] });
  const built = fc.record({ _embedded: fc.record({ contact: fc.oneof(fc.array(contact, { maxLength: 10 }), contact, a.junk) }) });
  return fc.oneof({ weight: 3, arbitrary: mutated(pick(shapes().search), a.payload, sizes) }, { weight: 2, arbitrary: built }, { weight: 1, arbitrary: a.junk });
}

/** Any resource an event may point to (conversation, messaging, invitation, presence, …). */
export function resource(a: Arbs, sizes: Sizes): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: mutated(pick(shapes().resource), a.payload, sizes) }, { weight: 1, arbitrary: a.junk });
}

/** The sign-in answers: root, user (unauthenticated and with the token), token. */
export function signInDoc(kind: 'root' | 'user' | 'token', a: Arbs, sizes: Sizes): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: mutated(pick(shapes()[kind]), a.payload, sizes, 3) }, { weight: 1, arbitrary: a.junk });
}
