// The demo world: two accounts, a dozen colleagues with behaviours, and a few hundred past
// conversations per account — all derived from the seed so runs are reproducible.

import { htmlToText } from './dataUrl.ts';
import { createRng, seedToInt } from './prng.ts';
import type { Rng } from './prng.ts';
import type { LogRec, LogMessage } from './model.ts';
import type { Behaviour, SimUser } from './types.ts';

const CONTACTS: [string, string, string, string][] = [
  ['alex.rivera', 'Alex Rivera', 'Senior Software Engineer', 'Platform'],
  ['lene.aaling', 'Lene Aaling', 'Product Manager', 'Messaging'],
  ['tosh.meston', 'Tosh Meston', 'Support Lead', 'Customer Care'],
  ['priya.natarajan', 'Priya Natarajan', 'Data Scientist', 'Analytics'],
  ['jonas.weiss', 'Jonas Weiß', 'Finance Controller', 'Finance'],
  ['amelie.durand', 'Amélie Durand', 'UX Designer', 'Design'],
  ['kenji.watanabe', 'Kenji Watanabe', 'Network Architect', 'IT Infrastructure'],
  ['sofia.marquez', 'Sofía Márquez', 'HR Business Partner', 'People'],
  ['seun.adeyemi', 'Oluwaseun Adeyemi', 'Sales Director', 'Sales'],
  ['mei.chen', 'Mei Chen', 'QA Engineer', 'Quality'],
  ['bjorn.lindqvist', 'Björn Lindqvist', 'Security Officer', 'Security'],
  ['grace.oconnor', "Grace O'Connor", 'Office Manager', 'Facilities'],
];

const PHRASES = [
  'Hi! Do you have a minute?',
  'Sure, what is up?',
  'Can you review my pull request before lunch?',
  'The build is green again 🎉',
  'Meeting moved to 3 pm, same room.',
  'Thanks, that helps a lot.',
  'I will send the numbers by tomorrow.',
  'Café at 3? ☕',
  'Grüße aus München — the workshop went well.',
  'Ça marche 👍',
  '¿Vienes mañana a la oficina?',
  'The spec is here: https://intranet.contoso.com/wiki/Q3-plan',
  'Could you check https://contoso.sharepoint.com/sites/design/mockups?id=42 please',
  'On my way.',
  'Let me check and get back to you.',
  'Did the customer reply yet?',
  'Yes, they signed this morning.',
  'Can we push the release by a day?',
  'I think the VPN is down again.',
  'Lunch? 🍜',
  'Nice work on the demo!',
  'Who owns the on-call rotation this week?',
  'Naïve question: why do we cache that at all?',
  'See you at the all-hands.',
  'Happy birthday! 🎂',
  'The printer on 4th floor is fixed.',
  'Please update the ticket when done.',
  'Sounds good to me.',
  'I am out of office on Friday.',
  '日本語の資料も用意しました。',
];

const HTML_PHRASES = [
  '<b>Important:</b> the deadline is <i>Friday</i>.',
  'Agenda: <ul><li>Status</li><li>Risks</li></ul>',
  'Link: <a href="https://intranet.contoso.com/news">company news</a>',
  '<span style="color:#c00">Heads-up</span> — servers restart at 22:00.',
];

const SUBJECTS = ['', '', '', '', 'Quarterly plan', 'Release 4.2', 'Budget review', 'Design sync', 'Offsite 🏔️'];

export const REPLY_LINES = ['Got it, thanks!', 'Sounds good.', 'Let me think about it.', 'Sure — on it.', 'Haha, indeed 😄', 'I will get back to you later.'];

export function demoAccounts(domain: string): SimUser[] {
  return [
    { sip: `sip:demo@${domain}`, name: 'Dana Demo', password: 'demo', title: 'Team Lead', department: 'Platform', email: `demo@${domain}` },
    { sip: `sip:demo2@${domain}`, name: 'Devon Demo', password: 'demo', title: 'Software Engineer', department: 'Platform', email: `demo2@${domain}` },
  ];
}

/** Contacts with behaviours: the first always echoes promptly; the rest get a seeded mix. */
export function demoContacts(domain: string, seed: number | string): SimUser[] {
  const rng = createRng(seedToInt(seed) ^ 0x5eed);
  const palette: Behaviour[] = [
    { kind: 'reply', afterMs: 2500 },
    { kind: 'typeThenReply', typingMs: 3000 },
    { kind: 'neverAnswer' },
    { kind: 'decline' },
    { kind: 'writeFirst', afterMs: 45000, text: 'Hi! Are you around? Quick question about the release.' },
    { kind: 'echo' },
    { kind: 'reply', afterMs: 8000 },
    { kind: 'typeThenReply', typingMs: 6000, text: 'Let me look into it and come back to you.' },
    { kind: 'echo' },
    { kind: 'reply', afterMs: 1500, text: 'Thanks!' },
    { kind: 'typeThenReply', typingMs: 1500 },
  ];
  for (let i = palette.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [palette[i], palette[j]] = [palette[j] as Behaviour, palette[i] as Behaviour];
  }
  return CONTACTS.map(([user, name, title, department], i) => ({
    sip: `sip:${user}@${domain}`,
    name,
    title,
    department,
    email: `${user}@${domain}`,
    behaviour: i === 0 ? { kind: 'echo' } : palette[(i - 1) % palette.length],
  }));
}

const DAY = 86_400_000;

function threadId(rng: Rng): string {
  const bytes = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) bytes[i] = rng.int(0, 255);
  return bytes.toString('base64');
}

/** Past conversations of one account, newest first. Pure function of (seed, account). */
export function demoLogs(seed: number | string, account: string, contacts: SimUser[], count: number, now: number): LogRec[] {
  const rng = createRng(seedToInt(seed) ^ seedToInt(account));
  // Anchor on the start of the UTC day so two simulators started from one seed agree.
  const anchor = Math.floor(now / DAY) * DAY;
  const span = 548 * DAY; // ~18 months
  const logs: LogRec[] = [];
  for (let i = 0; i < count; i++) {
    const multi = rng.chance(0.12);
    const n = multi ? rng.int(2, 3) : 1;
    const recipients: string[] = [];
    while (recipients.length < n) {
      const c = rng.pick(contacts).sip;
      if (!recipients.includes(c)) recipients.push(c);
    }
    const missed = !multi && rng.chance(0.1);
    const direction = missed || rng.chance(0.5) ? 'Incoming' : 'Outgoing';
    const start = anchor - span + Math.floor(rng.next() * (span - DAY));
    const total = missed ? rng.int(1, 2) : rng.int(1, 40);
    const messages: LogMessage[] = [];
    let at = start;
    for (let m = 0; m < total; m++) {
      at += rng.int(5, 300) * 1000;
      const fromMe = missed ? false : m === 0 ? direction === 'Outgoing' : rng.chance(0.45);
      const from = fromMe ? account : rng.pick(recipients);
      if (rng.chance(0.08)) {
        const html = rng.pick(HTML_PHRASES);
        messages.push({ from, text: htmlToText(html), html, at });
      } else {
        messages.push({ from, text: rng.pick(PHRASES), at });
      }
    }
    logs.push({
      id: `log${rng.hex(20)}`,
      threadId: threadId(rng),
      subject: rng.pick(SUBJECTS),
      direction,
      importance: rng.chance(0.05) ? 'Urgent' : 'Normal',
      status: missed ? 'Missed' : 'Archived',
      creationTime: at + rng.int(30, 600) * 1000,
      recipients,
      messages,
      unread: missed ? rng.chance(0.7) : rng.chance(0.04),
    });
  }
  logs.sort((a, b) => b.creationTime - a.creationTime);
  return logs;
}
