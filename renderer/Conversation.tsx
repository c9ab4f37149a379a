// One chat (every conversation with the same people, issue 12 item 5), opened at one of its
// conversations: virtualized transcript (newest at the bottom, older pages on scroll up), day
// separators, sender grouping, sanitized HTML, live state (invitation progress, typing, delivery)
// and the composer. It reads from the store through the API; events keep it current. A live group
// (issue 14) adds its roster, joined / left lines, Add people and Leave.
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode, type MouseEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Chat, Conversation, InvitationInfo, IpcError, LiveState, Message, OutboxItem, Person } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { useDarkTheme, useReading, useUcwaEvent } from './hooks.ts';
import { applyFormatting, linkTarget, sanitizeHtml } from './sanitize.ts';
import { useSession } from './session.tsx';
import { Autolink, avatarClass, clockTime, dayLabel, isoTime, displayName, fullTime, initials, participantsLabel, UNKNOWN_TIME } from './text.tsx';
import { Avatar } from './Avatar.tsx';
import { onlyOther } from './participants.ts';
import { PresenceLine } from './PresenceLine.tsx';
import { Composer } from './Composer.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { buildRows, dayOfRow } from './transcriptRows.ts';
import { AddingList, Roster } from './Roster.tsx';
import { AddPeople } from './AddPeople.tsx';
import { GroupInvite } from './GroupInvite.tsx';
import { type RosterChange, authorName, changeWords, fullName, groupClosed, groupName, isGroup, liveWithInvitation, othersOf, phaseBusy, phaseWords } from './groupView.ts';

const PAGE = 100;

const byTime = (a: Message, b: Message): number => a.at - b.at || a.id - b.id;

export function mergeMessages(old: Message[], add: Message[]): Message[] {
  const map = new Map<number, Message>();
  for (const m of old) map.set(m.id, m);
  for (const m of add) map.set(m.id, m);
  return [...map.values()].sort(byTime);
}

/** Link clicks anywhere in message bodies go to the browser through main; the app never navigates. */
export function onLinkClick(e: MouseEvent): void {
  const href = linkTarget(e);
  if (!href) return;
  e.preventDefault();
  if (/^https?:/i.test(href)) void safe(() => ucwa().openExternal(href));
}

export const MessageBody = memo(function MessageBody({ m }: { m: Message }): ReactNode {
  const clean = useMemo(() => (m.html ? sanitizeHtml(m.html) : null), [m.html]);
  const htmlRef = useRef<HTMLDivElement>(null);
  const dark = useDarkTheme();
  // Inline colours via the CSSOM (CSP); again when the theme changes (kept readable on the bubble).
  useLayoutEffect(() => applyFormatting(htmlRef.current), [clean, dark]);
  if (clean) return <div ref={htmlRef} className="msg-text html" dangerouslySetInnerHTML={{ __html: clean }} />;
  return <div className="msg-text"><Autolink text={m.text} /></div>;
});

// 'accepted': the server has it (its 201); 'delivered': the completion said so. 'uncertain': the app
// stopped mid-send; it goes once more and may then arrive twice.
const deliveryWords = { queued: 'Waiting to send', sending: 'Sending…', accepted: 'Sent', delivered: 'Delivered', uncertain: 'Checking…', failed: 'Not sent' } as const;

type RowActions = { onDiscarded: (id: number) => void; onRetry: (m: Message) => Promise<IpcError | null> };

function Delivery({ m, actions }: { m: Message; actions: RowActions }): ReactNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  if (!m.delivery) return null;
  if (m.delivery !== 'failed') {
    const done = m.delivery === 'delivered' || m.delivery === 'accepted';
    return <span className={`delivery ${m.delivery}`} data-delivery={m.delivery}>{done ? <><span aria-hidden="true">✓ </span>{deliveryWords[m.delivery]}</> : deliveryWords[m.delivery]}{m.deliveryError ? ` (${m.deliveryError})` : ''}</span>;
  }
  const cid = m.clientId;
  return (
    <span className="delivery failed" data-delivery="failed" role="alert">
      Not sent{m.deliveryError ? `: ${m.deliveryError}` : '.'}{' '}
      {cid && (
        <>
          <button type="button" className="linkish" disabled={busy} onClick={() => { setBusy(true); setError(null); void actions.onRetry(m).then((e) => { setBusy(false); setError(e); }); }}>Retry</button>
          {' · '}
          <button type="button" className="linkish" disabled={busy} onClick={() => { setBusy(true); void safe(() => ucwa().discardOutbox(cid)).then((r) => { setBusy(false); if (r.ok) actions.onDiscarded(m.id); else setError(r.error); }); }}>Discard</button>
        </>
      )}
      {error && <span className="delivery-error"> {inWords(error)}</span>}
    </span>
  );
}

/** The server's time of a message; a stand-in time (the server sent no usable one) says so. */
function MessageTime({ m }: { m: Message }): ReactNode {
  if (m.atEstimated || isoTime(m.at) === '') return <time className="estimated" title="The server sent no valid time for this message; it is placed where it arrived (or where its conversation began).">{UNKNOWN_TIME}</time>;
  return <time dateTime={isoTime(m.at)} title={fullTime(m.at)}>{clockTime(m.at)}</time>;
}

/** `author`: the name to show for someone else's message (a group's says "Unknown" rather than guess). */
const MessageRow = memo(function MessageRow({ m, head, target, actions, author }: { m: Message; head: boolean; target: boolean; actions: RowActions; author: string }): ReactNode {
  const own = m.direction === 'Outgoing';
  const name = own ? 'You' : author;
  return (
    <div className={`msg${own ? ' own' : ''}${head ? ' head' : ''}${target ? ' target' : ''}`} data-message-id={m.id}>
      {head && !own && <span className={`avatar small ${avatarClass(author)}`} aria-hidden="true">{initials(author)}</span>}
      <div className="msg-col">
        {head && (
          <div className="msg-head">
            <span className="msg-author">{name}</span>
            <MessageTime m={m} />
          </div>
        )}
        {!head && <span className="sr-only">{name}, {m.atEstimated ? UNKNOWN_TIME : clockTime(m.at)}: </span>}
        <div className="bubble"><MessageBody m={m} /></div>
        {own && m.delivery && <Delivery m={m} actions={actions} />}
      </div>
    </div>
  );
});

type Progress = { state: 'connecting' | 'connected' | 'failed'; error: IpcError | null };

// An invitation that failed carries the UCWA subcode; say the specific continueMessaging reason.
const continueBySubcode: Record<string, IpcError['code']> = {
  TooManyGroups: 'continueTooManyGroups', None: 'continueUnsupported', CannotRedirect: 'continueCannotRedirect',
  AlreadyExists: 'continueAlreadyExists', CallbackChannelError: 'continueCallbackChannel',
};
function specific(e: IpcError | null): IpcError | null {
  if (e && e.code === 'invitationFailed' && e.subcode && continueBySubcode[e.subcode]) return { ...e, code: continueBySubcode[e.subcode] as IpcError['code'] };
  return e;
}
/** A joined / left line of a group, centred between the messages: not a message (not stored, not searched). */
function ChangeLine({ c }: { c: RosterChange }): ReactNode {
  return (
    <p className={`sys-line ${c.kind}`} data-kind={c.kind}>
      <span>{changeWords(c)}</span>{' '}
      <time dateTime={isoTime(c.at)} title={fullTime(c.at)}>{clockTime(c.at)}</time>
    </p>
  );
}

/** Why the composer of a group is closed, in its placeholder. */
function closedWords(live: LiveState | null, leftAt: number | null): string {
  if (leftAt !== null || live?.groupPhase === 'left') return 'You left this conversation';
  if (live?.groupPhase === 'leaving') return 'Leaving…';
  if (live?.groupPhase === 'ended') return 'The meeting ended';
  return 'You are not in this group conversation';
}

/** A later, vaguer event must not replace the precise reason the call itself returned. */
function mergeProgress(old: Progress | null, next: Progress): Progress {
  if (old?.state === 'failed' && next.state === 'failed' && old.error?.code.startsWith('continue') && !next.error?.code.startsWith('continue')) return old;
  return next;
}

function progressOf(inv: InvitationInfo): Progress | null {
  if (inv.direction !== 'Outgoing') return null;
  switch (inv.state) {
    case 'requesting': case 'connecting': return { state: 'connecting', error: null };
    case 'connected': return { state: 'connected', error: null };
    case 'failed': case 'timedOut': case 'cancelled': case 'declined': case 'missed':
      return { state: 'failed', error: specific(inv.error) ?? { code: 'invitationFailed', message: '' } };
    default: return null;
  }
}

/** Messages of conversations not yet known to belong to the chat, held until their conversation is (bounded). */
const WAITING_MAX = 500;

export function ConversationView(props: {
  id: number;
  /** The chat, when the opener knows it (a list row): everything loads in one round trip. */
  knownChat?: number | undefined;
  messageId?: number | undefined;
  nonce?: number;
  onChat?: (chatId: number) => void;
}): ReactNode {
  const { id, messageId, onChat, knownChat } = props;
  const session = useSession();
  const self = session.user?.sip ?? null;
  // The conversation opened (its own record until its chat is known) and its chat. Writing, live
  // state and the header follow the chat's newest conversation: a new invitation from the same
  // person lands in the transcript already open, and a reply continues where the talk is.
  const [opened, setOpened] = useState<Conversation | null>(null);
  const [chat, setChat] = useState<Chat | null>(null);
  const conv = chat?.latest ?? opened;
  const active = conv?.id ?? id;
  const activeRef = useRef(active);
  activeRef.current = active;
  const chatRef = useRef<Chat | null>(null);
  chatRef.current = chat;
  const members = useRef<Set<number>>(new Set([id]));
  /** The chat whose transcript is paged (older pages continue the same listing and cursor). */
  const pagedChat = useRef<number | null>(null);
  const waiting = useRef<Message[]>([]);
  const [messages, setMessages] = useState<Message[]>([]);
  const [older, setOlder] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [live, setLive] = useState<LiveState | null>(null);
  const [typing, setTyping] = useState<Person[]>([]);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [notice, setNotice] = useState<IpcError | null>(null);
  const [target, setTarget] = useState<number | null>(null);
  const [announcements, setAnnouncements] = useState<{ k: number; text: string }[]>([]);
  // A group: when you left it here ("You left", the composer closed), the Add people panel, and the
  // time of the newest joined / left line already there or announced (later ones are read out).
  const [leftAt, setLeftAt] = useState<number | null>(null);
  const [addOpen, setAddOpen] = useState(false);
  const addButton = useRef<HTMLButtonElement>(null);
  const heardChange = useRef(0);
  const announceKey = useRef(0);
  // The chat the conversation written to moved into (a one-to-one grown into a group is a chat of
  // other people): the view follows it there, reloading as that chat.
  // The chat this view's conversation moved to (a 1:1 grown into a group), for this conversation only.
  const [moved, setMoved] = useState<{ id: number; chat: number } | null>(null);
  const movedTo = moved?.id === id ? moved.chat : null;
  // Where "New" began when the chat was opened (kept while it is open), how many arrived below
  // while the reader was scrolled up, and the day of the topmost row on screen.
  const [unreadFrom, setUnreadFrom] = useState<number | null>(null);
  const [newBelow, setNewBelow] = useState(0);
  const [topDay, setTopDay] = useState<number | null>(null);
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const messagesRef = useRef<Message[]>([]);
  messagesRef.current = messages;
  const atBottom = useRef(true);
  const anchor = useRef<{ top: number; height: number } | null>(null);
  // Where to scroll once the rows are drawn: the bottom, a message id (a search hit), or minus the
  // id of the first unread message (to the "New" divider).
  const pendingScroll = useRef<'bottom' | number | null>(null);
  useReading(active);

  /** A page of the transcript: the whole chat's, or the one conversation's while its chat is unknown. */
  const pageOf = useCallback((chatId: number | null, q: { cursor?: string; limit: number }) =>
    safe(() => (chatId === null ? ucwa().listMessages(id, q) : ucwa().listChatMessages(chatId, q))), [id]);

  // ---- load
  useEffect(() => {
    let stale = false;
    setLoaded(false); setMessages([]); setOlder(null); setProgress(null); setNotice(null); setTyping([]); setLoadError(null);
    setTarget(messageId ?? null); setUnreadFrom(null); setNewBelow(0);
    // Only this conversation's events count until the chat's are known (an old view's must not land here).
    members.current = new Set([id]);
    void (async () => {
      // The chat, its conversations and the transcript's newest page at once: one round trip when
      // the opener knew the chat (a list row), else after the conversation has named it.
      const conversation = safe(() => ucwa().getConversation(id));
      let known = movedTo ?? knownChat;
      if (known === undefined) {
        const c0 = await conversation;
        if (stale) return;
        if (!c0.ok || !c0.value) { setLoadError(c0.ok ? { code: 'notFound', message: '' } : c0.error); setLoaded(true); return; }
        known = c0.value.chatId;
      }
      const chatId = known;
      pagedChat.current = chatId;
      // Asked before markRead below: where the unread part begins is what reading it ends.
      // The opened conversation's own newest page too: while it is moving into this chat (a new
      // conversation with someone already in the list) the chat's page can be read without it, and
      // its messages — already shown live — would vanish from the transcript (seen in CI).
      const [c, ch, ids, first, from, own] = await Promise.all([conversation, safe(() => ucwa().getChat(chatId)), safe(() => ucwa().chatConversationIds(chatId)),
        pageOf(chatId, { limit: messageId ? 500 : PAGE }), safe(() => ucwa().firstUnreadMessage(chatId)), chatId === null ? Promise.resolve(null) : pageOf(null, { limit: PAGE })]);
      if (stale) return;
      if (!c.ok || !c.value) { setLoadError(c.ok ? { code: 'notFound', message: '' } : c.error); setLoaded(true); return; }
      setOpened(c.value);
      const unreadAt = from.ok ? from.value : null;
      if (ids.ok) members.current = new Set([id, ...ids.value]);
      if (ch.ok && ch.value) { setChat(ch.value); members.current.add(ch.value.latest.id); onChat?.(chatId); }
      if (!first.ok) { setLoadError(first.error); setLoaded(true); return; }
      let msgs = mergeMessages([], own?.ok ? [...first.value.items, ...own.value.items] : first.value.items);
      let next = first.value.next;
      if (messageId) {
        // Open at a search hit: page back until the hit is in the transcript (bounded), else show
        // the messages around it so the hit is always visible.
        for (let i = 0; i < 8 && next && !msgs.some((m) => m.id === messageId); i++) {
          const cursor = next;
          const p = await pageOf(chatId, { cursor, limit: 500 });
          if (stale) return;
          if (!p.ok) break;
          msgs = mergeMessages(msgs, p.value.items);
          next = p.value.next;
        }
        if (!msgs.some((m) => m.id === messageId)) {
          const around = await safe(() => ucwa().messagesAround(messageId));
          if (stale) return;
          if (around.ok) msgs = mergeMessages(msgs, around.value);
        }
      }
      // Opened at a search hit, at it; else at the first unread message (read from there down, as in
      // any messenger) when it is loaded; else at the newest.
      const at = messageId && msgs.some((m) => m.id === messageId) ? messageId : unreadAt !== null && msgs.some((m) => m.id === unreadAt) ? -unreadAt : null;
      pendingScroll.current = at ?? 'bottom';
      setUnreadFrom(unreadAt);
      // Live messages and deliveries that came in while the page was read are kept (newer than it).
      setMessages((live) => mergeMessages(msgs, live));
      setOlder(next);
      setLoaded(true);
      // Reading any conversation of the chat reads the whole chat (the core marks them all).
      if (ch.ok && ch.value?.unread) void safe(() => ucwa().markRead(id));
    })();
    return () => { stale = true; };
  }, [id, knownChat, movedTo, messageId, props.nonce, pageOf, onChat]);

  // The live state of the conversation writing goes to; again whenever that becomes another one.
  useEffect(() => {
    let stale = false;
    setLeftAt(null); setAddOpen(false);
    void safe(() => ucwa().liveState(active)).then((l) => {
      if (stale || !l.ok) return;
      setLive(l.value);
      setTyping(l.value?.typing ?? []);
      heardChange.current = Math.max(0, ...(l.value?.changes ?? []).map((c) => c.at));
      const p = l.value?.invitation ? progressOf(l.value.invitation) : null;
      if (p) setProgress((o) => mergeProgress(o, p));
    });
    return () => { stale = true; };
  }, [active]);

  // You left (here, or the core says so): the group's last line, until you are in it again.
  useEffect(() => {
    if (live?.group && live.groupPhase === 'left') {
      if (atBottom.current) pendingScroll.current = 'bottom';
      setLeftAt((t) => t ?? Date.now());
    }
    if (live?.group && live.groupPhase === 'connected') setLeftAt(null);
  }, [live]);
  const changes = live?.group ? live.changes : null;
  const rows = useMemo(() => buildRows(messages, unreadFrom, changes ?? [], leftAt), [messages, unreadFrom, changes, leftAt]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => { const r = rows[i]; return !r ? 40 : r.kind === 'change' || r.kind === 'left' ? 30 : r.kind !== 'msg' ? 40 : r.head ? 62 : 30; },
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 10,
  });

  // Keep the reader where they were when older messages arrive above, stick to the bottom for new ones.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    if (anchor.current) {
      el.scrollTop = anchor.current.top + (virtualizer.getTotalSize() - anchor.current.height);
      anchor.current = null;
      return;
    }
    const ps = pendingScroll.current;
    if (ps === 'bottom') {
      pendingScroll.current = null;
      if (rows.length) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
    } else if (typeof ps === 'number' && ps < 0) {
      // The "New" divider near the top, with a line of what was read before it.
      pendingScroll.current = null;
      const idx = rows.findIndex((r) => r.kind === 'new');
      if (idx >= 0) virtualizer.scrollToIndex(Math.max(0, idx - 1), { align: 'start' });
    } else if (typeof ps === 'number') {
      pendingScroll.current = null;
      const idx = rows.findIndex((r) => r.kind === 'msg' && r.m.id === ps);
      // A search hit is shown with its day: from the day's separator when both fit on screen.
      let day = idx;
      while (day > 0 && rows[day]?.kind !== 'day') day--;
      const m = virtualizer.measurementsCache;
      const first = m[day], hit = m[idx];
      const fits = idx >= 0 && first !== undefined && hit !== undefined && hit.end - first.start <= el.clientHeight;
      if (idx >= 0) virtualizer.scrollToIndex(fits ? day : idx, { align: fits ? 'start' : 'center' });
    }
  }, [rows, virtualizer]);

  const loadOlder = useCallback(async () => {
    if (!older || loadingOlder) return;
    setLoadingOlder(true);
    const cursor = older;
    const r = await pageOf(pagedChat.current, { cursor, limit: PAGE });
    setLoadingOlder(false);
    if (!r.ok) return;
    const el = scrollRef.current;
    if (el) anchor.current = { top: el.scrollTop, height: virtualizer.getTotalSize() };
    setMessages((old) => mergeMessages(old, r.value.items));
    setOlder(r.value.next);
  }, [older, loadingOlder, virtualizer, pageOf]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (atBottom.current) setNewBelow(0);
    const top = virtualizer.getVirtualItems().find((vi) => vi.end > el.scrollTop + 8);
    const r = top ? rows[top.index] : undefined;
    // Shown once the day's own separator has scrolled away.
    setTopDay(top && r?.kind !== 'day' && el.scrollTop > 0 ? dayOfRow(rows, top.index) : null);
    if (el.scrollTop < 300 && older && !loadingOlder && loaded) void loadOlder();
  };

  const onDiscarded = useCallback((mid: number) => setMessages((old) => old.filter((m) => m.id !== mid)), []);
  const sendRef = useRef<(text: string) => Promise<boolean>>(async () => false);
  const rowActions = useMemo<RowActions>(() => ({
    onDiscarded,
    async onRetry(m) {
      const cid = m.clientId;
      if (!cid) return null;
      const r = await safe(() => ucwa().retryOutbox(cid));
      if (r.ok) return null;
      if (r.error.code !== 'notFound') return r.error;
      // The outbox no longer holds it as pending: send the same words again as a new message.
      const d = await safe(() => ucwa().discardOutbox(cid));
      if (d.ok) onDiscarded(m.id);
      await sendRef.current(m.text);
      return null;
    },
  }), [onDiscarded]);

  // ---- live events (of any of the chat's conversations)
  const mine = (conversationId: number): boolean => members.current.has(conversationId);
  /** A conversation now known to be in the chat (or not): its held messages join the transcript. */
  const adopt = (c: Conversation) => {
    const ours = chatRef.current ? c.chatId === chatRef.current.id : c.id === id;
    if (!ours) { if (c.id !== id) members.current.delete(c.id); return; }
    const joined = !members.current.has(c.id);
    members.current.add(c.id);
    // A conversation that joins the chat now may have messages stored before: they join too.
    if (joined) void safe(() => ucwa().listMessages(c.id, { limit: PAGE })).then((r) => { if (r.ok && members.current.has(c.id)) setMessages((old) => mergeMessages(old, r.value.items)); });
    const held = waiting.current.filter((m) => m.conversationId === c.id);
    waiting.current = waiting.current.filter((m) => m.conversationId !== c.id);
    for (const m of held) addMessage(m);
  };
  const addMessage = (m: Message) => {
    if (!mine(m.conversationId)) {
      // Perhaps a new conversation of this chat whose own event is still on its way.
      waiting.current = [...waiting.current.slice(-(WAITING_MAX - 1)), m];
      return;
    }
    if (atBottom.current || m.direction === 'Outgoing') pendingScroll.current = 'bottom';
    else if (!messagesRef.current.some((o) => o.id === m.id)) setNewBelow((n) => n + 1);
    setMessages((old) => mergeMessages(old, [m]));
    if (m.direction === 'Incoming') {
      const text = `${displayName(m.author)}: ${m.text}`;
      setAnnouncements((a) => [...a.slice(-2), { k: m.id, text }]);
    }
  };
  useUcwaEvent('message', addMessage);
  useUcwaEvent('messageRemoved', (r) => { if (mine(r.conversationId)) onDiscarded(r.messageId); });
  useUcwaEvent('delivery', (d: OutboxItem) => {
    if (!mine(d.conversationId)) return;
    setMessages((old) => {
      const i = old.findIndex((m) => m.id === d.messageId || (m.clientId && m.clientId === d.clientId));
      if (i < 0) {
        pendingScroll.current = 'bottom';
        return mergeMessages(old, [{
          id: d.messageId, conversationId: d.conversationId, author: session.user, direction: 'Outgoing', at: d.createdAt, text: d.text,
          html: d.html, origin: 'outbox', clientId: d.clientId, delivery: d.state, deliveryError: d.lastError, atEstimated: false,
        }]);
      }
      const out = old.slice();
      out[i] = { ...(old[i] as Message), delivery: d.state, deliveryError: d.lastError };
      return out;
    });
  });
  const follow = (chatId: number) => { if (chatId !== chatRef.current?.id) setMoved({ id, chat: chatId }); };
  useUcwaEvent('conversation', (c) => {
    if (c.id === activeRef.current && chatRef.current && c.chatId !== chatRef.current.id) { follow(c.chatId); return; }
    if (c.id === id) setOpened(c);
    setChat((ch) => (ch && ch.latest.id === c.id && c.chatId === ch.id ? { ...ch, latest: c } : ch));
    adopt(c);
  });
  useUcwaEvent('chat', (c) => {
    const was = chatRef.current?.id;
    if (c.id !== was) return;
    const cur = activeRef.current;
    if (c.latest.id === cur) { setChat(c); adopt(c.latest); return; }
    // Another conversation is now the chat's newest: a new one of the same people — or the one
    // written to left the chat (it grew into a group), which the view follows instead.
    void safe(() => ucwa().getConversation(cur)).then((r) => {
      if (chatRef.current?.id !== was) return;
      if (r.ok && r.value && r.value.chatId !== was) { follow(r.value.chatId); return; }
      setChat(c);
      adopt(c.latest);
    });
  });
  useUcwaEvent('typing', (t) => { if (t.conversationId === activeRef.current) setTyping(t.participants); });
  useUcwaEvent('live', (l) => {
    if (l.conversationId !== activeRef.current) return;
    setLive(l);
    setTyping(l.typing);
    // Someone joined or left: said to screen readers as a message would be, and kept in view.
    const fresh = l.group ? l.changes.filter((c) => c.at > heardChange.current) : [];
    if (fresh.length) {
      heardChange.current = Math.max(...fresh.map((c) => c.at));
      if (atBottom.current) pendingScroll.current = 'bottom';
      setAnnouncements((a) => [...a, ...fresh.map((c) => ({ k: -++announceKey.current, text: changeWords(c) }))].slice(-3));
    }
    if (l.invitation) { const p = progressOf(l.invitation); if (p) setProgress((o) => mergeProgress(o, p)); }
  });
  const onInvitation = (inv: InvitationInfo) => {
    if (inv.conversationId !== activeRef.current) return;
    setLive((l) => liveWithInvitation(l, inv));
    const p = progressOf(inv);
    if (p) setProgress((o) => mergeProgress(o, p));
  };
  useUcwaEvent('invitationProgress', onInvitation);
  useUcwaEvent('invitation', onInvitation);

  // "Connected" is good news worth a moment, not a permanent banner.
  useEffect(() => {
    if (progress?.state !== 'connected') return;
    const t = setTimeout(() => setProgress((p) => (p?.state === 'connected' ? null : p)), 4000);
    return () => clearTimeout(t);
  }, [progress]);

  // ---- actions
  const inv = live?.invitation ?? null;
  const ringing = inv?.direction === 'Incoming' && (inv.state === 'ringing' || inv.state === 'accepting');
  const connected = !!live && live.connection !== 'disconnected';
  // "Live" only once they are there: while the invitation settles the banner says "Connecting…".
  const isLive = live?.connection === 'connected';
  // Signed out, nothing connects: the outbox keeps what is typed for the next sign-in, and says so
  // instead of "Connecting…" for ever.
  const signedOut = session.status === 'signedOut' || session.status === 'error';

  const sendText = async (text: string): Promise<boolean> => {
    setNotice(null);
    // One call whatever the state: the core continues, starts, accepts or reuses, and retries by
    // itself. What it refuses at once (not signed in, too long) was never queued: the composer
    // keeps the words. Everything later shows on the message row (its clientId, never its text).
    if (!connected && !ringing && !signedOut) setProgress({ state: 'connecting', error: null });
    const r = await safe(() => ucwa().send(active, text));
    if (!r.ok) {
      if (!connected && !ringing) setProgress({ state: 'failed', error: r.error });
      else setNotice(r.error);
      return false;
    }
    return true;
  };

  sendRef.current = sendText;
  // A live group shows its roster's people; the history's participants otherwise (the list's row
  // names the chat so, and the labels below must match it).
  const liveGroup = !!live?.group;
  const group = liveGroup || (conv ? isGroup(null, conv.participants, self) : false);
  const roster = live?.roster ?? [];
  const others = othersOf(live, conv?.participants ?? [], self);
  const names = liveGroup && roster.length ? others.map(fullName).join(', ') : conv ? participantsLabel(conv.participants, self) : '';
  // A live group's name: its subject, else the others' first names (issue 14).
  const title = liveGroup ? groupName(live?.subject || conv?.subject, others) : names;
  const subjectLine = liveGroup ? (title !== names ? names : '') : conv?.subject && conv.subject !== names ? conv.subject : '';
  // One other person: their presence in the header (a group has none to show).
  const other = conv && !group ? onlyOther(conv, self) : null;
  const typingText = typing.length ? `${typing.map(displayName).join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…` : '';
  const phase = live?.groupPhase ?? null;
  const phaseText = phaseWords(live);
  // You left, or the group is over: nothing more to write here.
  const closed = groupClosed(live) || (leftAt !== null && phase !== 'connected');
  const canLeave = liveGroup && !closed && phase !== null;
  // Anyone can be added to a group you are in, or to a one-to-one that is live (it grows in place).
  const canAdd = liveGroup ? phase === 'connected' : isLive;
  const present = [...(self ? [self] : []), ...roster.flatMap((e) => (e.uri ? [e.uri] : [])), ...(conv?.participants ?? []).map((p) => p.sip)];
  const author = (m: Message): string => (group ? authorName(m.author, roster) : displayName(m.author));
  const closeAdd = () => { setAddOpen(false); requestAnimationFrame(() => addButton.current?.focus()); };
  const leave = async () => {
    setAddOpen(false);
    setNotice(null);
    const r = await safe(() => ucwa().leave(active));
    if (!r.ok) { setNotice(r.error); return; }
    if (atBottom.current) pendingScroll.current = 'bottom';
    setLeftAt((t) => t ?? Date.now());
  };

  return (
    <section className={`conversation${liveGroup ? ' group' : ''}`} aria-label={names ? `Conversation with ${names}` : 'Conversation'}>
      <header className="pane-header">
        <Avatar sip={other} name={title || '?'} dotLabel={false} />
        <div className="pane-title">
          <h2>{title || 'Conversation'}</h2>
          {other && <PresenceLine sip={other} />}
          {subjectLine && <p className="muted subject">{subjectLine}</p>}
        </div>
        {isLive && !closed && <span className="badge live" title="This conversation is live">Live</span>}
        {canAdd && (
          <button ref={addButton} type="button" className="btn small" aria-expanded={addOpen} aria-controls="add-people-panel"
            onClick={() => (addOpen ? closeAdd() : setAddOpen(true))}>Add people</button>
        )}
        {canLeave && <button type="button" className="btn small" disabled={phase === 'leaving'} onClick={() => void leave()}>Leave</button>}
        {connected && !liveGroup && (
          <button type="button" className="btn small" onClick={() => void safe(() => ucwa().hangUp(active))}>End</button>
        )}
        {messageId && target && (
          <button type="button" className="btn small" onClick={() => { setTarget(null); pendingScroll.current = 'bottom'; setMessages((m) => m.slice()); }}>Jump to latest</button>
        )}
      </header>
      {addOpen && canAdd && (
        <div id="add-people-panel" className="add-people-panel">
          <AddPeople conversationId={active} present={present} onClose={closeAdd} />
        </div>
      )}
      {!liveGroup && live && live.adding.length > 0 && <div className="adding-bar"><AddingList adding={live.adding} /></div>}
      {phaseText && (
        <div className={`banner group-phase${phase === 'failed' || phase === 'ended' ? ' failed' : ''}`} role={phase === 'failed' || phase === 'ended' ? 'alert' : 'status'} data-phase={phase}>
          {phaseBusy(live) && <span className="spinner" aria-hidden="true" />}
          <span>{phaseText}</span>
        </div>
      )}
      <div className="conversation-body">
        <div className="transcript" ref={scrollRef} onScroll={onScroll} onClick={onLinkClick} onAuxClick={onLinkClick}
          tabIndex={0} role="region" aria-label={`Messages${names ? ` with ${names}` : ''}`}>
          {loadingOlder && <div className="loading-older" role="status">Loading older messages…</div>}
          {!loaded && <div className="empty" role="status"><span className="spinner" aria-hidden="true" /> Loading…</div>}
          {loaded && loadError && <div className="empty" role="alert">{inWords(loadError)}</div>}
          {loaded && !loadError && !messages.length && !rows.length && (
            <div className="empty" role="status"><p className="empty-title">No messages</p><p className="muted">Say hello — your message starts the conversation.</p></div>
          )}
          {topDay !== null && <div className="sticky-day" aria-hidden="true"><span>{dayLabel(topDay)}</span></div>}
          <div className="transcript-inner" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((vi) => {
              const r = rows[vi.index];
              if (!r) return null;
              return (
                <div key={vi.key} data-index={vi.index} ref={virtualizer.measureElement} className="t-row" style={{ transform: `translateY(${vi.start}px)` }}>
                  {r.kind === 'day'
                    ? <div className="day-sep" role="separator" aria-label={dayLabel(r.at)}><span>{dayLabel(r.at)}</span></div>
                    : r.kind === 'new'
                    ? <div className="new-sep" role="separator" aria-label="New messages"><span>New</span></div>
                    : r.kind === 'change'
                    ? <ChangeLine c={r.c} />
                    : r.kind === 'left'
                    ? <p className="sys-line left-self" data-kind="you-left"><span>You left</span></p>
                    : <ErrorBoundary what="this message" compact><MessageRow m={r.m} head={r.head} target={r.m.id === target} actions={rowActions} author={author(r.m)} /></ErrorBoundary>}
                </div>
              );
            })}
          </div>
          {newBelow > 0 && (
            <div className="new-below">
              <button type="button" className="btn small primary" onClick={() => {
                const el = scrollRef.current;
                setNewBelow(0);
                if (el && rows.length) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
              }}>{newBelow === 1 ? '1 new message' : `${newBelow} new messages`} <span aria-hidden="true">↓</span></button>
            </div>
          )}
        </div>
        {liveGroup && <Roster roster={roster} adding={live?.adding ?? []} />}
      </div>
      <div className="sr-only" role="log" aria-live="polite" aria-label="New messages">
        {announcements.map((a) => <p key={a.k}>{a.text}</p>)}
      </div>
      {ringing && inv && (
        <div className={`banner invite${inv.group ? ' group' : ''}`} role="alert">
          {/* Their words are in the transcript already (the first message is stored): not said twice. */}
          {inv.group ? <GroupInvite inv={inv} self={self} /> : <span>{displayName(inv.from)} wants to chat.</span>}
          <span className="banner-actions">
            <button type="button" className="btn primary small" disabled={inv.state === 'accepting'} onClick={() => void safe(() => ucwa().accept(active))}>Accept</button>
            <button type="button" className="btn small" disabled={inv.state === 'accepting'} onClick={() => void safe(() => ucwa().decline(active))}>Decline</button>
          </span>
        </div>
      )}
      {signedOut && (
        <div className="banner signed-out" role="status">
          <span>You are signed out — messages will be sent when you sign in.</span>
          <button type="button" className="btn small" onClick={() => void safe(() => ucwa().showWindow('signin'))}>Sign in</button>
        </div>
      )}
      {/* A group says where it is in its own words (above); only a failure to send is said here. */}
      {progress && !signedOut && (!liveGroup || progress.state === 'failed') && (
        <div className={`banner progress ${progress.state}`} role={progress.state === 'failed' ? 'alert' : 'status'} data-state={progress.state} data-code={progress.error?.code}>
          {progress.state === 'connecting' && <><span className="spinner" aria-hidden="true" /> Connecting to {names || 'them'}…</>}
          {progress.state === 'connected' && <>Connected — {names || 'they'} can see your messages.</>}
          {progress.state === 'failed' && <>{inWords(progress.error)}</>}
          {progress.state === 'failed' && (
            <button type="button" className="btn small ghost" onClick={() => setProgress(null)} aria-label="Dismiss">Dismiss</button>
          )}
        </div>
      )}
      {notice && <div className="banner failed" role="alert" data-code={notice.code}>{inWords(notice)}</div>}
      <div className="typing" role="status" aria-live="polite">{typingText}</div>
      {/* Drafts and the composer belong to the chat (known from the opened conversation). */}
      {opened && <Composer
        key={opened.chatId}
        draftKey={`chat:${opened.chatId}`}
        label={`Message ${names || 'this conversation'}`}
        placeholder={closed ? closedWords(live, leftAt) : connected || ringing ? `Message ${names}` : `Write to continue the conversation with ${names || 'them'}`}
        onSend={sendText}
        onTyping={() => { if (connected) void safe(() => ucwa().typing(active)); }}
        autoFocus={!messageId}
        disabled={closed}
      />}
    </section>
  );
}
