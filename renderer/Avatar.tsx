// A person's picture (their photo, else initials on a stable colour) with their presence dot, and
// the dot on its own (issue 13). The dot's colour follows Skype for Business's (green, red, dark red
// with a bar, yellow, grey), and each kind has its own shape too, and words for screen readers and
// the tooltip: never colour alone.
import type { ReactNode } from 'react';
import type { PersonCard } from '../main/ipc/contract.ts';
import { presenceAges, presenceView, type PresenceView } from './presenceWords.ts';
import { useMinuteClock } from './minuteClock.ts';
import { usePerson, usePhoto } from './peopleCache.ts';
import { avatarClass, initials } from './text.tsx';

/** The dot for a presence as the app reads it; `label` false when the words are shown beside it. */
export function PresenceDot(props: { view: PresenceView; label?: boolean }): ReactNode {
  const { view } = props;
  const title = view.detail ? `${view.words} — ${view.detail}` : view.words;
  return props.label === false
    ? <span className={`presence-dot p-${view.kind}`} aria-hidden="true" />
    : <span className={`presence-dot p-${view.kind}`} role="img" aria-label={title} title={title} />;
}

/** A person's presence as the app reads it, drawn again each minute while its words age ("Away 20 min"). A hook. */
export function usePresenceOf(card: PersonCard | undefined): PresenceView {
  const p = card?.presence ?? null;
  const now = useMinuteClock(presenceAges(p));
  return presenceView(p, now);
}

/** The dot of a person's picture: its own component, so that only it redraws as the minutes pass. */
function CardDot(props: { card: PersonCard | undefined; label: boolean }): ReactNode {
  return <PresenceDot view={usePresenceOf(props.card)} label={props.label} />;
}

/**
 * The picture of one person. `sip` null (a group, several people): initials of `name` and no dot.
 * `dot` false: no presence shown (e.g. your own messages). `dotLabel` false: the presence is in
 * words beside the picture (a header), so the dot is not read out a second time.
 */
export function Avatar(props: { sip: string | null; name: string; size?: 'small' | 'large'; dot?: boolean; dotLabel?: boolean; fetch?: boolean }): ReactNode {
  const card = usePerson(props.sip, { fetch: props.fetch ?? true });
  const photo = usePhoto(props.sip, Boolean(card?.photo?.file));
  const size = props.size ? ` ${props.size}` : '';
  return (
    <span className={`avatar-wrap${size}`}>
      {photo
        ? <img className={`avatar photo${size}`} src={photo} alt="" aria-hidden="true" draggable={false} />
        : <span className={`avatar${size} ${avatarClass(props.name)}`} aria-hidden="true">{initials(props.name || '?')}</span>}
      {props.sip && props.dot !== false && <CardDot card={card} label={props.dotLabel ?? true} />}
    </span>
  );
}
