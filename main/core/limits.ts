// Every bound on what a server, a colleague or the disk can make the client hold or do, in one place
// (DESIGN-2.md §6; documented in docs/limits.md). Beyond a bound the client never drops data
// silently: text is truncated with a visible marker, a backlog holds the next request back
// (backpressure), a page or log count ends the sync with an error that says which bound was hit.
// Nothing of main/core is imported here: every layer may read it.

export const LIMITS = {
  /** Characters of a message's plain text kept (stored, shown, searched, notified). A 64 K-character
   * chat line is ~30 screens; beyond it the text is cut and `truncationNote` says so. */
  messageTextChars: 64 * 1024,
  /** Characters of a message's HTML kept for display. Beyond it the HTML is not kept at all (cutting
   * HTML mid-tag would render something the sender did not write): the message shows as its text. */
  messageHtmlChars: 256 * 1024,
  /** Characters of a person's display name kept (a name is one line in a list row or a title). */
  nameChars: 256,
  /** Characters of a conversation's subject kept. */
  subjectChars: 1_024,
  /** Events read from one event batch. A real server sends tens; the rest of a bigger batch is
   * skipped with a log line (history sync still brings the messages in). */
  eventsPerBatch: 5_000,
  /** Events received but not yet processed. While the backlog is over this, the next P-GET waits:
   * the server keeps what it has not been asked for (backpressure), the client's memory stays flat.
   * At most this plus one batch is held (the answer to the P-GET sent while under the bound). */
  eventBacklog: 4_000,
  /** Transcript pages read of one conversation log (200 messages a page in practice: 200 000
   * messages). A server whose `next` never ends stops here with an error. */
  transcriptPagesPerLog: 1_000,
  /** Conversation logs read in one sync (the server's own `limit` is asked for first). */
  logsPerSync: 5_000,
  /** Nesting depth of a JSON body. UCWA resources nest 4–6 deep; deeper is refused before parsing,
   * so no walk over a parsed body can overflow the stack. */
  jsonDepth: 64,
  /** Characters of a data: URL's media type ("text/plain;charset=utf-8" is 24): longer is malformed. */
  dataUrlHeaderChars: 256,
  /** Bytes of one HTTP response body (a 200-message transcript page is well under 1 MB). */
  responseBytes: 8 * 1024 * 1024,
  /** Characters of one batch answer part's head: its MIME headers, or its HTTP status line and
   * headers (PROTOCOL.md §8.4; a real part's head is a few hundred). Beyond it that part is an error,
   * the other parts are read. The whole answer is bounded by `responseBytes`. */
  batchPartHeadChars: 16 * 1024,

  // --- people and the contact list (PROTOCOL-2 §1.12) ---
  /** Characters of a SIP address: a longer one is no address (the server takes contactUri ≤ 250),
   * so it is skipped rather than cut (a cut address would be somebody else's). */
  sipChars: 256,
  /** Characters of a one-line field of a person's card kept: title, department, company, office
   * (directory attributes are 64–128 characters). */
  personFieldChars: 256,
  /** E-mail addresses kept per person, and characters of each. */
  emailsPerPerson: 16,
  emailChars: 256,
  /** Characters of a phone number (a tel: URI) kept. */
  phoneChars: 64,
  /** Characters of a token kept: availability, device type, note type, contact type, source network.
   * The longest documented one is 12 ("DoNotDisturb"); an unknown one is kept as it came, to this. */
  tokenChars: 64,
  /** Characters of an activity: a token ("in-a-meeting") or a custom, localised line. */
  activityChars: 256,
  /** Characters of a person's note kept: a personal note or an Exchange out-of-office message (the
   * server documents no bound; an out-of-office text is a few lines). */
  noteChars: 4_096,
  /** Characters of a person's location kept (one's own is ≤ 60 on the server; others' as published). */
  locationChars: 256,
  /** Groups of a contact list kept, and characters of a group's name or id (both ≤ 256 on the server). */
  contactGroups: 1_000,
  groupNameChars: 256,
  /** Memberships (a person in a group) of a contact list kept, all groups together, and people cards
   * taken in one write. The server's default cap is 250 contacts; 1 000 people in 30 groups is the
   * largest list the app is measured with. */
  contactListMembers: 10_000,
  /** Characters of a photo's ETag or cache file name kept. */
  photoTagChars: 256,
  /** Bytes of one photo (contactPhoto, me photo). Exchange serves compressed JPEGs of 2–100 KB
   * (PROTOCOL-2 §4.2); a bigger answer is refused while it streams, never buffered whole. */
  photoBytes: 1024 * 1024,
} as const;

export type Limits = typeof LIMITS;

/** The range of a JavaScript Date (ECMA-262 §21.4.1.1: ±100 000 000 days around the epoch). A time
 * outside it makes `new Date(ms)` an Invalid Date, whose toISOString() and Intl formatting throw. */
export const MAX_DATE_MS = 8.64e15;

/** A time `new Date()` can represent. */
export function isDateTime(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;
}

/** Cut `text` to `max` characters (never inside a surrogate pair) with a note saying so; unchanged if shorter. */
export function truncateVisibly(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  let cut = max;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--; // keep a pair whole
  return { text: `${text.slice(0, cut)}${truncationNote(text.length, cut)}`, truncated: true };
}

/** The marker after a cut text: what was cut, in words (shown in the app, the CLI and notifications). */
export function truncationNote(fullLength: number, kept: number): string {
  return `\n[… message truncated: ${kb(fullLength)} long, the first ${kb(kept)} are shown]`;
}

function kb(chars: number): string {
  return chars >= 1024 * 1024 ? `${(chars / (1024 * 1024)).toFixed(1)} M characters` : `${Math.round(chars / 1024)} K characters`;
}
