// Quick-reply popup: the newest unread conversation, prev/next through the others, its last few
// messages, a reply box with the focus already in it, Accept/Decline while ringing, Open in history.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Conversation, IpcError, LiveState, Message, Navigation } from '../main/ipc/contract.ts';
import { safe, ucwa } from './api.ts';
import { inWords } from './errors.ts';
import { useUcwaEvent } from './hooks.ts';
import { useSession } from './session.tsx';
import { Composer } from './Composer.tsx';
import { MessageBody, mergeMessages, onLinkClick } from './Conversation.tsx';
import { clockTime, displayName, participantsLabel } from './text.tsx';

const LAST = 5;

export function Popup(): ReactNode {
  const session = useSession();
  const self = session.user?.sip ?? null;
  const [list, setList] = useState<Conversation[] | null>(null);
  const [index, setIndex] = useState(0);
  const [messages, setMessages] = useState<Message[]>([]);
  const [live, setLive] = useState<LiveState | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [sent, setSent] = useState('');

  const refresh = useCallback(async (keepId?: number) => {
    const r = await safe(() => ucwa().unreadSummary(20));
    if (!r.ok) { setError(r.error); setList([]); return; }
    setList((old) => {
      const latest = r.value.latest;
      // Keep showing the conversation being answered even once it is read.
      const cur = keepId ?? old?.[index]?.id;
      const keep = cur !== undefined && !latest.some((c) => c.id === cur) ? old?.find((c) => c.id === cur) : undefined;
      const next = keep ? [keep, ...latest] : latest;
      const i = cur !== undefined ? next.findIndex((c) => c.id === cur) : -1;
      setIndex(i >= 0 ? i : 0);
      return next;
    });
  }, [index]);

  // A notification or a tray entry names a conversation: show it first, whether unread or not.
  const focusOn = useCallback(async (conversationId: number) => {
    const r = await safe(() => ucwa().getConversation(conversationId));
    if (!r.ok || !r.value) return;
    const c = r.value;
    setList((old) => [c, ...(old ?? []).filter((o) => o.id !== c.id)]);
    setIndex(0);
  }, []);
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
  useUcwaEvent('invitation', () => void refresh());
  useUcwaEvent('unread', () => void refresh());

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
    if (inv.conversationId === id) setLive((l) => ({ conversationId: inv.conversationId, connection: l?.connection ?? 'disconnected', typing: l?.typing ?? [], invitation: inv }));
  });
  useUcwaEvent('conversation', (c) => setList((old) => old?.map((o) => (o.id === c.id ? c : o)) ?? old));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') { e.preventDefault(); void safe(() => ucwa().closeWindow()); }
      if (e.altKey && e.key === 'ArrowRight') { e.preventDefault(); setIndex((i) => Math.min((list?.length ?? 1) - 1, i + 1)); }
      if (e.altKey && e.key === 'ArrowLeft') { e.preventDefault(); setIndex((i) => Math.max(0, i - 1)); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [list]);

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
  return (
    <main className="popup" aria-label={`Quick reply to ${names}`}>
      <header className="popup-header">
        <h1 className="popup-title">{names}</h1>
        <nav className="stepper" aria-label="Unread conversations">
          <button type="button" className="icon-btn" aria-label="Previous conversation" disabled={index <= 0} onClick={() => setIndex(index - 1)}><span aria-hidden="true">‹</span></button>
          <span className="muted" aria-live="polite">{index + 1} of {list.length}</span>
          <button type="button" className="icon-btn" aria-label="Next conversation" disabled={index >= list.length - 1} onClick={() => setIndex(index + 1)}><span aria-hidden="true">›</span></button>
        </nav>
      </header>
      <div className="popup-messages" role="log" aria-live="polite" aria-label={`Latest messages with ${names}`} tabIndex={0} onClick={onLinkClick}>
        {messages.length === 0 && <p className="muted">{conv.preview || 'No messages yet.'}</p>}
        {messages.map((m) => (
          <div key={m.id} className={`pmsg${m.direction === 'Outgoing' ? ' own' : ''}`} data-message-id={m.id}>
            <span className="pmsg-author">{m.direction === 'Outgoing' ? 'You' : displayName(m.author)}</span>{' '}
            <time className="muted">{clockTime(m.at)}</time>
            <MessageBody m={m} />
          </div>
        ))}
      </div>
      {ringing && inv && (
        <div className="banner invite" role="alert">
          <span>{displayName(inv.from)} wants to chat.</span>
          <span className="banner-actions">
            <button type="button" className="btn primary small" onClick={() => void safe(() => ucwa().accept(conv.id))}>Accept</button>
            <button type="button" className="btn small" onClick={() => void safe(() => ucwa().decline(conv.id)).then(() => refresh())}>Decline</button>
          </span>
        </div>
      )}
      {error && <div className="banner failed" role="alert" data-code={error.code}>{inWords(error)}</div>}
      <div className="sr-only" role="status">{sent}</div>
      <Composer key={conv.id} label={`Reply to ${names}`} placeholder={`Reply to ${names}`} onSend={reply} autoFocus
        onTyping={() => { if (connected) void safe(() => ucwa().typing(conv.id)); }} />
      <div className="popup-actions">
        <button type="button" className="btn" onClick={() => void openInHistory()}>Open in history</button>
      </div>
    </main>
  );
}
