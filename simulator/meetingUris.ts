// Addresses of a meeting (PROTOCOL-2 §2.11): the conference (focus) URI
// sip:<organizer>;gruu;opaque=app:conf:focus:id:<ID> and the simple join URL
// https://meet.<domain>/<organizer user>/<ID>, as Microsoft's ScheduleAnOnlineMeeting pair shows.

const ID_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** An 8-character conference id from a source of numbers in [0, 1) (a seeded rng for the demo world). */
export function conferenceId(next: () => number): string {
  let id = '';
  for (let i = 0; i < 8; i++) id += ID_CHARS[Math.floor(next() * ID_CHARS.length)] as string;
  return id;
}

export function focusUri(organizerSip: string, id: string): string {
  return `sip:${organizerSip.replace(/^sip:/i, '')};gruu;opaque=app:conf:focus:id:${id}`;
}

export function joinUrl(organizerSip: string, id: string): string {
  const [user, domain] = organizerSip.replace(/^sip:/i, '').split('@');
  return `https://meet.${domain ?? 'contoso.com'}/${user ?? ''}/${id}`;
}

/** "tel:+14255550123" → "+1 425-555-0123" (North American numbers), else the digits grouped in threes. */
export function phoneName(tel: string): string {
  const digits = tel.replace(/^tel:/i, '').replace(/[^\d+]/g, '');
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(digits);
  if (m) return `+1 ${m[1]}-${m[2]}-${m[3]}`;
  const body = digits.replace(/^\+/, '');
  return (digits.startsWith('+') ? '+' : '') + (body.match(/.{1,3}/g) ?? []).join(' ');
}
