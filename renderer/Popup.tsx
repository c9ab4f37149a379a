// Quick-reply popup: the newest recent unread conversation, prev/next through the others, its last
// few messages, a reply box with the focus already in it (a draft per conversation), Accept/Decline
// while ringing, Open in history, Close. Later arrivals are announced, never switched to. A group
// invitation (issue 14) says who invites, who else is in it and its subject.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Conversation, IpcError, LiveState, Message, Navigation } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { useUcwaEvent } from './hooks.ts';
import { useSession } from './session.tsx';
import { Composer } from './Composer.tsx';
import { MessageBody, mergeMessages, onLinkClick } from './Conversation.tsx';
import { clockTime, displayName, participantsLabel } from './text.tsx';
import { loadDraft } from './drafts.ts';
import { Avatar } from './Avatar.tsx';
import { onlyOther } from './participants.ts';
import { addArrival, mergeQueue, recentOnly } from './popupQueue.ts';
import { GroupInvite } from './GroupInvite.tsx';
import { authorName, groupName, invitationPeople, isGroup, liveWithInvitation, othersOf } from './groupView.ts';

const LAST = 5;
const draftKey = (id: number) => `popup:conversation:${id}`;

export function Popup(): ReactNode {
  const session = useSession();
  const self = session.user?.sip ?? null;
  const [list, setList] = useState<Conversation[] | null>(null);
  // The conversation shown, by id: only the user moves it (stepper, "Show", a notification click);
  // a message arriving elsewhere never does (issue 12: the reply went to whoever wrote last).
  const [currentId, setCurrentId] = useState<number | null>(null);
  /** The newest conversation that arrived while another was shown, announced until looked at. */
  const [arrival, setArrival] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [live, setLive] = useState<LiveState | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [sent, setSent] = useState('');
  // Mirrors of the state for the async refresh, so two refreshes in a row see each other's result.
  const listRef = useRef<Conversation[] | null>(null);
  const currentRef = useRef<number | null>(null);
  /** Invitations ringing now: in the queue until answered, unread or not (a group's may bring no message). */
  const ringingRef = useRef<Set<number>>(new Set());

  const show = useCallback((id: number | null) => {
    currentRef.current = id;
    setCurrentId(id);
    setArrival((a) => (a && a.id === id ? null : a));
  }, []);
  const putList = useCallback((next: Conversation[]) => {
    listRef.current = next;
    setList(next);
  }, []);

  const refresh = useCallback(async () => {
    const r = await safe(() => ucwa().unreadSummary(20));
    if (!r.ok) { setError(r.error); if (listRef.current === null) putList([]); return; }
    const cur = currentRef.current;
    const old = listRef.current;
    // Kept even once read or no longer recent: the one shown, and any with words typed in.
    const keep = new Set((old ?? []).filter((c) => c.id === cur || ringingRef.current.has(c.id) || loadDraft(draftKey(c.id)) !== '').map((c) => c.id));
    const { queue, arrived } = mergeQueue(old, recentOnly(r.value.latest, Date.now()), keep);
    putList(queue);
    if (cur === null || !queue.some((c) => c.id === cur)) show(queue[0]?.id ?? null);
    else if (arrived[0]) setArrival(arrived[0]);
  }, [putList, show]);

  // A notification or a tray entry names a conversation: show it, whether unread or not (the user asked).
  const focusOn = useCallback(async (conversationId: number) => {
    const r = await safe(() => ucwa().getConversation(conversationId));
    if (!r.ok || !r.value) return;
    const c = r.value;
    const old = listRef.current ?? [];
    putList(old.some((o) => o.id === c.id) ? old.map((o) => (o.id === c.id ? c : o)) : [c, ...old]);
    show(c.id);
  }, [putList, show]);
  const navigate = useCallback((n: Navigation) => {
    if (n.to === 'conversation') void focusOn(n.conversationId);
  }, [focusOn]);

  // Once at load (then where main asked us to go); later refreshes come from events.
  useEffect(() => {
    void refresh().then(() => safe(() => ucwa().pendingNavigation())).then((r) => {
      if (r.ok && r.value) navigate(r.value);
    });
  }, []);
  useUcwaEvent('navigate', navigate);
  // An invitation is answered from here even when it is not unread (a group's may carry no message):
  // after the refresh it joins the queue as an arrival if the refresh did not bring it.
  const invited = useCallback(async (conversationId: number) => {
    await refresh();
    if (listRef.current?.some((c) => c.id === conversationId)) return;
    const r = await safe(() => ucwa().getConversation(conversationId));
    if (!r.ok || !r.value || !ringingRef.current.has(conversationId)) return;
    const { queue, arrived } = addArrival(listRef.current ?? [], r.value);
    putList(queue);
    if (currentRef.current === null) show(r.value.id);
    else if (arrived) setArrival(arrived);
  }, [refresh, putList, show]);
  useUcwaEvent('invitation', (inv) => {
    if (inv.direction === 'Incoming' && inv.state === 'ringing') {
      ringingRef.current.add(inv.conversationId);
      void invited(inv.conversationId);
    } else void refresh();
  });
  useUcwaEvent('unread', () => void refresh());

  const found = list && currentId !== null ? list.findIndex((c) => c.id === currentId) : -1;
  const index = Math.max(0, found);
  const conv = list?.[index] ?? null;
  const id = conv?.id ?? null;

  useEffect(() => {
    if (id === null) return;
    let stale = false;
    setMessages([]); setLive(null); setError(null); setSent('');
    void Promise.all([safe(() => ucwa().listMessages(id, { limit: LAST })), safe(() => ucwa().liveState(id))]).then(([m, l]) => {
      if (stale) return;
      if (m.ok) setMessages(mergeMessages([], m.value.items).slice(-LAST));
      if (l.ok) setLive(l.value);
    });
    return () => { stale = true; };
  }, [id]);

  useUcwaEvent('message', (m) => { if (m.conversationId === id) setMessages((old) => mergeMessages(old, [m]).slice(-LAST)); });
  useUcwaEvent('messageRemoved', (r) => { if (r.conversationId === id) setMessages((old) => old.filter((m) => m.id !== r.messageId)); });
  useUcwaEvent('live', (l) => { if (l.conversationId === id) setLive(l); });
  useUcwaEvent('invitationProgress', (inv) => {
    if (inv.state !== 'ringing') ringingRef.current.delete(inv.conversationId);
    if (inv.conversationId === id) setLive((l) => liveWithInvitation(l, inv));
  });
  useUcwaEvent('conversation', (c) => { if (listRef.current?.some((o) => o.id === c.id)) putList(listRef.current.map((o) => (o.id === c.id ? c : o))); });
  const step = (by: number) => { const c = list?.[index + by]; if (c) show(c.id); };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') { e.preventDefault(); void safe(() => ucwa().closeWindow()); }
      if (e.altKey && e.key === 'ArrowRight') { e.preventDefault(); step(1); }
      if (e.altKey && e.key === 'ArrowLeft') { e.preventDefault(); step(-1); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const inv = live?.invitation ?? null;
  const ringing = inv?.direction === 'Incoming' && (inv.state === 'ringing' || inv.state === 'accepting');
  const connected = !!live && live.connection !== 'disconnected';

  const reply = async (text: string): Promise<boolean> => {
    if (id === null) return false;
    setError(null);
    const r = await safe(() => ucwa().send(id, text)); // the core decides continue, start, accept or reuse
    if (!r.ok) { setError(r.error); return false; }
    setSent('Sent.');
    void safe(() => ucwa().markRead(id));
    return true;
  };

  const openInHistory = async () => {
    if (id === null) return;
    await safe(() => ucwa().showWindow('history', { to: 'conversation', conversationId: id }));
    await safe(() => ucwa().closeWindow());
  };

  if (list === null) return <main className="popup"><div className="empty" role="status">Loading…</div></main>;
  if (!conv) {
    return (
      <main className="popup">
        <div className="empty" role="status"><p className="empty-title">You’re all caught up</p><p className="muted">No unread conversations.</p></div>
        <div className="popup-actions"><button type="button" className="btn" onClick={() => void safe(() => ucwa().closeWindow())}>Close</button></div>
      </main>
    );
  }
  const names = participantsLabel(conv.participants, self);
  // A group's name (its subject, else first names) while it rings or is live; the list's words otherwise.
  const groupInv = ringing && inv?.group ? inv : null;
  const title = groupInv ? groupName(groupInv.subject || conv.subject, invitationPeople(groupInv, self))
    : live?.group ? groupName(live.subject || conv.subject, othersOf(live, conv.participants, self)) : names;
  const group = !!groupInv || isGroup(live, conv.participants, self);
  return (
    <main className="popup" aria-label={`Quick reply to ${title}`}>
      <header className="popup-header">
        {/* Before you answer: are they still there? A group shows initials and no dot. */}
        <Avatar sip={group ? null : onlyOther(conv, self)} name={title} size="small" />
        <h1 className="popup-title">{title}</h1>
        <nav className="stepper" aria-label="Unread conversations">
          <button type="button" className="icon-btn" aria-label="Previous conversation" disabled={index <= 0} onClick={() => step(-1)}><span aria-hidden="true">‹</span></button>
          <span className="muted" aria-live="polite">{index + 1} of {list.length}</span>
          <button type="button" className="icon-btn" aria-label="Next conversation" disabled={index >= list.length - 1} onClick={() => step(1)}><span aria-hidden="true">›</span></button>
        </nav>
        <button type="button" className="icon-btn" aria-label="Close" title="Close (Esc)" onClick={() => void safe(() => ucwa().closeWindow())}><span aria-hidden="true">×</span></button>
      </header>
      {/* Someone else wrote: said here, never acted on — the user moves on when they choose. */}
      <div className="popup-arrival" role="status">
        {arrival && arrival.id !== conv.id && (
          <>
            <span>{participantsLabel(arrival.participants, self)} wrote</span>
            <button type="button" className="linkish" onClick={() => show(arrival.id)}>Show <span aria-hidden="true">›</span></button>
          </>
        )}
      </div>
      <div className="popup-messages" role="log" aria-live="polite" aria-label={`Latest messages with ${names}`} tabIndex={0} onClick={onLinkClick}>
        {messages.length === 0 && <p className="muted">{conv.preview || 'No messages yet.'}</p>}
        {messages.map((m) => (
          <div key={m.id} className={`pmsg${m.direction === 'Outgoing' ? ' own' : ''}`} data-message-id={m.id}>
            <span className="pmsg-author">{m.direction === 'Outgoing' ? 'You' : group ? authorName(m.author, live?.roster ?? []) : displayName(m.author)}</span>{' '}
            <time className="muted">{clockTime(m.at)}</time>
            <MessageBody m={m} />
          </div>
        ))}
      </div>
      {ringing && inv && (
        <div className={`banner invite${inv.group ? ' group' : ''}`} role="alert">
          {inv.group ? <GroupInvite inv={inv} self={self} /> : <span>{displayName(inv.from)} wants to chat.</span>}
          <span className="banner-actions">
            <button type="button" className="btn primary small" onClick={() => void safe(() => ucwa().accept(conv.id))}>Accept</button>
            <button type="button" className="btn small" onClick={() => void safe(() => ucwa().decline(conv.id)).then(() => refresh())}>Decline</button>
          </span>
        </div>
      )}
      {error && <div className="banner failed" role="alert" data-code={error.code}>{inWords(error)}</div>}
      <div className="sr-only" role="status">{sent}</div>
      <Composer key={conv.id} draftKey={draftKey(conv.id)} label={`Reply to ${title}`} placeholder={`Reply to ${title}`} onSend={reply} autoFocus
        onTyping={() => { if (connected) void safe(() => ucwa().typing(conv.id)); }} />
      <div className="popup-actions">
        <button type="button" className="btn" onClick={() => void openInHistory()}>Open in history</button>
      </div>
    </main>
  );
}
