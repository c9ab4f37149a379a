// A small directory for the contacts-and-presence tests: Alice's contact list has every kind of
// group; Rita lives a 'rhythm' day; the rest are the usual test people with fixed presence.

import type { SimUser, SimulatorOptions, Simulator } from '../../simulator/index.ts';
import { ALICE, BOB, TEST_USERS, flatten, startTestSim } from './http.ts';
import type { Ev, Session } from './http.ts';

export const ECHO = 'sip:echo@contoso.com';
export const SILENT = 'sip:silent@contoso.com';
export const NOPE = 'sip:nope@contoso.com';
export const TYPER = 'sip:typer@contoso.com';
export const REPLIER = 'sip:replier@contoso.com';
export const RITA = 'sip:rita@contoso.com';

export const PEOPLE_USERS: SimUser[] = [
  ...TEST_USERS.map((u) =>
    u.sip === ALICE
      ? {
        ...u,
        contactList: {
          favourites: [ECHO, BOB],
          groups: [{ name: 'Team', members: [TYPER, REPLIER] }, { name: 'Empty', members: [] }],
          other: [SILENT, NOPE],
          distributionGroups: [
            { name: 'Everyone here', uri: 'sip:all@contoso.com', members: [ECHO, TYPER, REPLIER, SILENT] },
            { name: 'Whole company', uri: 'sip:company@contoso.com', members: [ECHO], size: 5000 },
          ],
        },
      }
      : u,
  ),
  {
    sip: RITA, name: 'Rita Rhythm', presence: 'rhythm', title: 'Analyst', department: 'Finance', office: '4/0410',
    workPhoneNumber: 'tel:+14255550199', mobilePhoneNumber: 'tel:+14255550198', note: 'Quarter close', location: 'Desk 4',
  },
];

/** timeScale 0.01 keeps a 30-minute subscription alive for 18 s: no test here waits that long. */
export function startPeopleSim(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startTestSim({ users: PEOPLE_USERS, timeScale: 0.01, ...opts });
}

export const people = (s: Session): Record<string, { href: string }> => s.app._embedded.people._links;

/** Events of one kind on one contact. */
export const about = (evs: Ev[], rel: string, sip: string): Ev[] => evs.filter((e) => e.rel === rel && e.href.toLowerCase().includes(sip.slice(4)));

/** One P-GET that parks at most `sec` protocol seconds (the `timeout` parameter); its events. */
export async function quietBatch(s: Session, sec: number): Promise<Ev[]> {
  const before = s.events.seen.length;
  const r = await s.get(`${s.events.next}&timeout=${sec}`);
  if (r.status !== 200) throw new Error(`P-GET ${r.status} ${r.text}`);
  if (r.json._links.next) s.events.next = r.json._links.next.href;
  s.events.seen.push(...flatten(r.json));
  return s.events.seen.slice(before);
}
