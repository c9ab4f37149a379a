// A new conversation: one person or several (issue 14) chosen as chips, and the first message. One
// recipient starts a one-to-one as before; two or more start a group, which may have a subject.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { IpcError, Person } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { Composer } from './Composer.tsx';
import { useSession } from './session.tsx';
import { sipKey } from './peopleCache.ts';
import { PeoplePicker } from './PeoplePicker.tsx';
import { recipientsOf, recipientsProblem } from './recipients.ts';

/** The contract's bound on a subject. */
const MAX_SUBJECT = 250;

const bare = (sip: string): string => sip.replace(/^(sip|im):/i, '');
/** A meeting's join link or conference URI (PROTOCOL-2 §2.11): the core turns it into the meeting. */
const MEETING = /^(https?:\/\/\S+\/\S+\/\S+|sip:\S+;gruu;opaque=app:conf:focus:id:\S+)$/i;
const NOBODY = 'Choose a person, or type a full address like name@company.com.';

export function NewConversation(props: { sip?: string | undefined; onStarted: (id: number) => void }): ReactNode {
  // A sip: link names one address: it stands in the field as typed (nothing to search for).
  const preset = props.sip ? bare(props.sip) : undefined;
  const [query, setQuery] = useState(preset ?? '');
  const [chosen, setChosen] = useState<Person[]>([]);
  const [subject, setSubject] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [joining, setJoining] = useState(false);
  const toRef = useRef<HTMLInputElement>(null);
  const self = useSession().user?.sip ?? null;

  useEffect(() => {
    if (props.sip) {
      setQuery(bare(props.sip));
      setChosen([]);
    } else {
      toRef.current?.focus();
    }
  }, [props.sip]);

  const to = recipientsOf(chosen, query);
  const group = to.length >= 2;
  const exclude = new Set(self ? [sipKey(self)] : []);
  const toMessage = () => (document.querySelector('.new-conversation textarea') as HTMLTextAreaElement | null)?.focus();

  const meeting = chosen.length === 0 && MEETING.test(query.trim()) ? query.trim() : null;
  const join = async () => {
    if (!meeting || joining) return;
    setError(null);
    setJoining(true);
    const r = await safe(() => ucwa().joinMeeting(meeting));
    setJoining(false);
    if (!r.ok) { setError(r.error); return; }
    props.onStarted(r.value.conversationId);
  };

  const send = async (text: string): Promise<boolean> => {
    setError(null);
    const problem = recipientsProblem(to, query, NOBODY);
    if (problem) {
      setError({ code: 'invalidInput', message: problem });
      toRef.current?.focus();
      return false;
    }
    const s = subject.trim();
    const r = group
      ? await safe(() => ucwa().startGroup(to, text, s ? { subject: s } : undefined))
      : await safe(() => ucwa().startConversation(to[0] as string, text));
    if (!r.ok) { setError(r.error); return false; }
    props.onStarted(r.value.conversationId);
    return true;
  };

  return (
    <section className="new-conversation" aria-labelledby="new-title">
      <header className="pane-header"><h2 id="new-title">New conversation</h2></header>
      <div className="new-body">
        <label className="field" htmlFor="new-to">
          <span>To</span>
        </label>
        <PeoplePicker id="new-to" inputRef={toRef} chosen={chosen} onChosen={setChosen} query={query}
          onQuery={(q) => { setQuery(q); setError(null); }} exclude={exclude} quiet={preset} onDone={toMessage} />
        {group && (
          <label className="field subject-field">
            <span>Subject <span className="muted">(optional)</span></span>
            <input type="text" value={subject} maxLength={MAX_SUBJECT} placeholder="What the group is about"
              onChange={(e) => setSubject(e.target.value)}
              onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); toMessage(); } }} />
          </label>
        )}
        {group && <p className="muted group-hint">{to.length} people: a group conversation.</p>}
        {meeting && (
          <div className="notice meeting-link">
            <span>That is a meeting link: join its conversation.</span>
            <button type="button" className="primary" onClick={() => void join()} disabled={joining}>{joining ? 'Joining…' : 'Join the meeting'}</button>
          </div>
        )}
        {error && <div className="notice error" role="alert" data-code={error.code}>{inWords(error)}</div>}
      </div>
      <div className="grow" />
      <Composer label="First message" placeholder={group ? 'Write the first message to the group' : 'Write the first message'} onSend={send} autoFocus={!!props.sip} />
    </section>
  );
}
