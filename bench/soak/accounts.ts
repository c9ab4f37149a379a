// The two soak accounts, who writes to whom, and the numbered message format both sides parse:
// "A→B #000123 <words>" — the sender, the receiver and a per-sender sequence number.

export type Side = 'A' | 'B';

export interface Account {
  side: Side;
  sip: string;
  password: string;
  name: string;
  /** Fixed per account: a restarted agent is the same install, as the real app would be. */
  endpointId: string;
}

export const ACCOUNTS: Record<Side, Account> = {
  A: { side: 'A', sip: 'sip:alice.soak@contoso.com', password: 'soak-a', name: 'Alice Soak', endpointId: 'soak-endpoint-A' },
  B: { side: 'B', sip: 'sip:bob.soak@contoso.com', password: 'soak-b', name: 'Bob Soak', endpointId: 'soak-endpoint-B' },
};

export const peerOf = (side: Side): Side => (side === 'A' ? 'B' : 'A');

const WORDS = ['amber', 'quiet', 'river', 'delta', 'lunch', 'north', 'pixel', 'cobalt', 'maple', 'orbit', 'tango', 'velvet', 'zephyr', 'harbor', 'lemon', 'nimbus'];

export function messageText(from: Side, seq: number, random: () => number): string {
  const words = Array.from({ length: 3 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  return `${from}→${peerOf(from)} #${String(seq).padStart(6, '0')} ${words}`;
}

// Anchored (leading markup or spaces allowed, should a client send HTML): "Echo: A→B #…" and the
// like are someone else's text, not a soak message.
const PATTERN = /^(?:<[^>]*>|\s)*([AB])→([AB]) #(\d{6})/;

/** The sender and seq of a soak message, or null for any other text. */
export function parseMessage(text: string): { from: Side; to: Side; seq: number } | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  return { from: m[1] as Side, to: m[2] as Side, seq: Number(m[3]) };
}
