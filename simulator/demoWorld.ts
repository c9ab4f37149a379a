// The demo world: two accounts with contact lists in groups, eighteen colleagues with behaviours,
// directory details, notes and a working-day presence, a few hundred past conversations per
// account, a few colleagues' habits in group conversations and one scheduled meeting — all derived
// from the seed so runs are reproducible.

import { htmlToText } from './dataUrl.ts';
import { conferenceId, focusUri, joinUrl } from './meetingUris.ts';
import { createRng, seedToInt } from './prng.ts';
import type { Rng } from './prng.ts';
import type { LogRec, LogMessage, ScheduledMeeting } from './model.ts';
import type { Behaviour, GroupHabits, SimUser } from './types.ts';

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

/** Directory details of the colleagues above (office, phones, what they show as note and location). */
interface Profile {
  office?: string;
  work: string;
  mobile?: string;
  note?: string;
  location?: string;
}

const PROFILES: Record<string, Profile> = {
  'alex.rivera': { office: '20/2107', work: 'tel:+14255550101', mobile: 'tel:+14255550191', note: 'Heads down on the 4.2 release 🚀', location: 'Building 20, Redmond' },
  'lene.aaling': { office: '20/1150', work: 'tel:+14255550102', location: 'Building 20, Redmond' },
  'tosh.meston': { office: '18/0312', work: 'tel:+14255550103', note: 'On call this week — page me for P1s', location: 'Support floor' },
  'priya.natarajan': { office: '25/2201', work: 'tel:+14255550104', note: 'Working on the churn model', location: 'Building 25' },
  'jonas.weiss': { office: 'HH/0410', work: 'tel:+494089550105', note: 'Quarter close — slow to answer', location: 'Hamburg' },
  'amelie.durand': { office: 'PAR/3.12', work: 'tel:+33155550106', location: 'Paris' },
  'kenji.watanabe': { office: 'TYO/11F', work: 'tel:+81355550107', note: 'Tokyo hours (UTC+9)', location: 'Tokyo' },
  'sofia.marquez': { office: 'MAD/2.04', work: 'tel:+34915550108', location: 'Madrid' },
  'seun.adeyemi': { work: 'tel:+14255550109', mobile: 'tel:+2348035550109', note: 'Travelling — best on mobile', location: 'Lagos' },
  'mei.chen': { office: '20/2110', work: 'tel:+14255550110', note: 'Test plan for 4.2 is in the wiki', location: 'Building 20, Redmond' },
  'bjorn.lindqvist': { office: 'STO/0.22', work: 'tel:+46855550111', note: 'Security reviews on Thursdays', location: 'Stockholm' },
  'grace.oconnor': { office: '1/0001', work: 'tel:+14255550100', note: 'Parcels at reception until 5 pm', location: 'Front desk, Building 1' },
  'rahul.mehta': { office: '20/2120', work: 'tel:+14255550112', mobile: 'tel:+14255550192', location: 'Building 20, Redmond' },
  'hannah.schulz': { office: 'BER/4.01', work: 'tel:+493055550113', note: 'Pairing with Devon on sync', location: 'Berlin' },
  'marco.rossi': { work: 'tel:+390255550114', location: 'Home' },
  'fatima.alsayed': { office: '5/0501', work: 'tel:+14255550115', note: 'Contract reviews: allow 2 days', location: 'Building 5' },
  'lars.nilsson': { office: '20/2125', work: 'tel:+14255550116', note: 'Release 4.2 freeze on Friday', location: 'Building 20, Redmond' },
  'chloe.martin': { office: 'PAR/3.20', work: 'tel:+33155550117', mobile: 'tel:+33655550117', location: 'Paris' },
};

/** Colleagues added with the contact list: they have no past conversations (see DEMO_LOG_CONTACTS). */
const MORE_CONTACTS: [string, string, string, string, Behaviour][] = [
  ['rahul.mehta', 'Rahul Mehta', 'Site Reliability Engineer', 'Platform', { kind: 'reply', afterMs: 4000 }],
  ['hannah.schulz', 'Hannah Schulz', 'Software Engineer', 'Platform', { kind: 'typeThenReply', typingMs: 2500 }],
  ['marco.rossi', 'Marco Rossi', 'Technical Writer', 'Messaging', { kind: 'reply', afterMs: 3000, text: 'Thanks, I will update the docs.' }],
  ['fatima.alsayed', 'Fatima Al-Sayed', 'Legal Counsel', 'Legal', { kind: 'reply', afterMs: 10000 }],
  ['lars.nilsson', 'Lars Nilsson', 'Release Manager', 'Platform', { kind: 'echo' }],
  ['chloe.martin', 'Chloé Martin', 'Customer Success Manager', 'Customer Care', { kind: 'typeThenReply', typingMs: 2000 }],
];

/**
 * Group habits (PROTOCOL-2 §2) of colleagues without history, so the seeded mix above stays as it
 * was: Rahul invites you to a group with Hannah and Lars once, two minutes after sign-in; Hannah,
 * Chloé and Rahul answer in groups; Lars comes late; Marco leaves early. `invite.with` holds users.
 */
const GROUP_HABITS: Record<string, GroupHabits> = {
  'rahul.mehta': {
    invite: { afterMs: 120_000, with: ['hannah.schulz', 'lars.nilsson'], subject: 'Release 4.2 go/no-go', text: 'Quick group check on the 4.2 release — are we good to ship?' },
    reply: { afterMs: 6000 },
  },
  'hannah.schulz': { reply: { afterMs: 3000 } },
  'chloe.martin': { reply: { afterMs: 4500, text: 'Customers will be happy to hear that.' } },
  'lars.nilsson': { joinLateMs: 20_000 },
  'marco.rossi': { leaveAfterMs: 60_000 },
};

/** Past conversations are drawn from the first colleagues only, so histories stay as they were for a seed. */
export const DEMO_LOG_CONTACTS = CONTACTS.length;

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
  const sip = (user: string): string => `sip:${user}@${domain}`;
  const list = (users: string[]): string[] => users.map(sip);
  const platform = ['alex.rivera', 'hannah.schulz', 'rahul.mehta', 'lars.nilsson', 'kenji.watanabe', 'bjorn.lindqvist'];
  const everyone = [...CONTACTS.map((c) => c[0]), ...MORE_CONTACTS.map((c) => c[0])];
  const platformDg = { name: 'Platform Engineering', uri: sip('platform-eng'), members: list([...platform, 'demo', 'demo2']) };
  // Far above any expansion limit: what a company-wide list does (403 TooManyContacts).
  const worldwide = { name: 'Contoso Worldwide', uri: sip('everyone'), members: list(everyone), size: 12480 };
  return [
    {
      sip: sip('demo'), name: 'Dana Demo', password: 'demo', title: 'Team Lead', department: 'Platform', email: `demo@${domain}`,
      office: '20/2100', workPhoneNumber: 'tel:+14255550120', note: 'Planning 4.3 this week', location: 'Building 20, Redmond',
      contactList: {
        favourites: list(['demo2', 'alex.rivera', 'mei.chen', 'lene.aaling']),
        groups: [
          { name: 'Platform Team', members: list(platform) },
          { name: 'Product & Design', members: list(['lene.aaling', 'amelie.durand', 'marco.rossi', 'priya.natarajan']) },
          { name: 'Leadership', members: list(['seun.adeyemi', 'jonas.weiss', 'sofia.marquez']) },
        ],
        other: list(['tosh.meston', 'grace.oconnor', 'chloe.martin', 'fatima.alsayed']),
        distributionGroups: [platformDg, worldwide],
      },
    },
    {
      sip: sip('demo2'), name: 'Devon Demo', password: 'demo', title: 'Software Engineer', department: 'Platform', email: `demo2@${domain}`,
      office: '20/2102', workPhoneNumber: 'tel:+14255550121',
      contactList: {
        favourites: list(['demo', 'hannah.schulz', 'alex.rivera']),
        groups: [
          { name: 'Platform Team', members: list(['alex.rivera', 'hannah.schulz', 'rahul.mehta', 'lars.nilsson']) },
          { name: 'Friends', members: list(['mei.chen', 'amelie.durand']) },
        ],
        other: list(['tosh.meston', 'kenji.watanabe', 'grace.oconnor']),
        distributionGroups: [platformDg],
      },
    },
  ];
}

/**
 * Contacts with behaviours: the first always echoes promptly; the rest get a seeded mix. Everyone
 * lives a working day ('rhythm'), except whoever never answers: they are out of office.
 */
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
  const people: [string, string, string, string, Behaviour][] = [
    ...CONTACTS.map(([user, name, title, department], i): [string, string, string, string, Behaviour] => [user, name, title, department, i === 0 ? { kind: 'echo' } : (palette[(i - 1) % palette.length] as Behaviour)]),
    ...MORE_CONTACTS,
  ];
  return people.map(([user, name, title, department, behaviour]) => {
    const p = PROFILES[user] as Profile;
    const u: SimUser = {
      sip: `sip:${user}@${domain}`,
      name,
      title,
      department,
      email: `${user}@${domain}`,
      behaviour,
      workPhoneNumber: p.work,
      presence: 'rhythm',
    };
    if (p.office) u.office = p.office;
    if (p.mobile) u.mobilePhoneNumber = p.mobile;
    if (p.note) u.note = p.note;
    if (p.location) u.location = p.location;
    const habits = GROUP_HABITS[user];
    if (habits) {
      u.group = { ...habits };
      if (habits.invite) u.group.invite = { ...habits.invite, with: habits.invite.with.map((w) => `sip:${w}@${domain}`) };
    }
    if (behaviour.kind === 'neverAnswer') {
      u.presence = { availability: 'Away', activity: 'off-work' };
      u.note = 'Out of office until Monday. For anything urgent please contact Grace O\'Connor.';
      u.noteType = 'OutOfOffice';
    }
    return u;
  });
}

/** The demo user's scheduled meeting: join it by its URL or conference URI (joinOnlineMeeting). */
export function demoMeetings(domain: string, seed: number | string): ScheduledMeeting[] {
  const rng = createRng(seedToInt(seed) ^ 0x3ee7);
  const organizer = `sip:demo@${domain}`;
  const id = conferenceId(() => rng.next());
  const members = ['alex.rivera', 'mei.chen', 'marco.rossi', 'lars.nilsson'].map((u) => `sip:${u}@${domain}`);
  return [{ id, organizer, subject: '4.3 planning', members, uri: focusUri(organizer, id), joinUrl: joinUrl(organizer, id), threadId: threadId(rng) }];
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
