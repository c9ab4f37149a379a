// Presence that changes by itself: the 'rhythm' working day on the simulated day clock
// (dayStart + timeScale), seen through presence subscriptions over plain HTTP; and the demo
// world's contact list. Live parts start the day a minute or two before a change, so at
// timeScale 0.001 nothing waits more than a fraction of a second.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../simulator/index.ts';
import type { ScheduleSlot, Simulator } from '../../simulator/index.ts';
import { Session, sleep, withSim } from './http.ts';
import { PEOPLE_USERS, RITA, about, people } from './peopleWorld.ts';

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
const lunchOf = (day: ScheduleSlot[]): ScheduleSlot =>
  day.find((x) => minutes(x.from) >= 11 * 60 + 45 && minutes(x.to) - minutes(x.from) >= 30 && (x.availability === 'Away' || x.availability === 'BeRightBack'))!;
/** A dayStart up to `max` simulated minutes before `slot` begins, within the slot before it (so the first state is known). */
const leadInto = (day: ScheduleSlot[], slot: ScheduleSlot, max = 20): string => {
  const prev = day.find((x) => x.to === slot.from)!;
  return hhmm(Math.max(minutes(prev.from), minutes(slot.from) - max));
};
const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

async function scheduleOf(sip: string, seed: number | string = 1): Promise<ScheduleSlot[]> {
  const sim = await startSimulator({ demoWorld: false, users: PEOPLE_USERS, seed, presenceRhythm: false });
  try {
    return sim.control.daySchedule(sip);
  } finally {
    await sim.stop();
  }
}

/** Alice's application subscribed to `sip`, the initial presence read; returns a reader of the next presence. */
async function watch(sim: Simulator, sip: string): Promise<{ s: Session; href: string; next: () => Promise<{ availability: string; activity?: string; deviceType: string }> }> {
  const s = await Session.open(sim);
  assert.equal((await s.post(people(s).presenceSubscriptions!.href, { duration: 30, uris: [sip] })).status, 201);
  const first = await s.events.until((e) => about(e, 'contactPresence', sip).length > 0);
  const href = about(first, 'contactPresence', sip)[0]!.href;
  return {
    s,
    href,
    next: async () => {
      await s.events.until((e) => about(e, 'contactPresence', sip).length > 0, 3000);
      return (await s.get(href)).json;
    },
  };
}

describe('a working day (presence rhythm)', () => {
  it('every demo colleague with a rhythm: Offline at night, arrives, meetings, lunch, off-work, Offline in the evening', async () => {
    const sim = await startSimulator({ presenceRhythm: false });
    try {
      const rhythmic = sim.people.filter((p) => p.presence === 'rhythm');
      assert.ok(rhythmic.length >= 12, String(rhythmic.length));
      for (const p of rhythmic) {
        const day = sim.control.daySchedule(p.sip);
        const at = (m: number) => day.find((x) => minutes(x.from) <= m && m < minutes(x.to))!;
        assert.equal(day[0]!.from, '00:00');
        assert.equal(day[day.length - 1]!.to, '24:00');
        assert.equal(at(0).availability, 'Offline', p.sip);
        assert.equal(at(23 * 60 + 59).availability, 'Offline', p.sip);
        assert.equal(at(23 * 60).activity, undefined, 'Offline has no activity');
        for (let i = 1; i < day.length; i++) assert.equal(day[i]!.from, day[i - 1]!.to, 'contiguous');
        const working = day.filter((x) => x.availability !== 'Offline');
        assert.ok(minutes(working[0]!.from) >= 7 * 60 + 30 && minutes(working[0]!.from) <= 9 * 60 + 15, `${p.sip} arrives ${working[0]!.from}`);
        assert.equal(working[0]!.availability, 'Online');
        assert.ok(day.some((x) => (x.activity === 'in-a-meeting' && x.availability === 'Busy') || (x.activity === 'presenting' && x.availability === 'DoNotDisturb')), `${p.sip} has meetings`);
        const lunch = day.find((x) => minutes(x.from) >= 11 * 60 + 45 && minutes(x.from) <= 12 * 60 + 45 && (x.availability === 'Away' || x.availability === 'BeRightBack') && minutes(x.to) - minutes(x.from) >= 30);
        assert.ok(lunch, `${p.sip} has lunch: ${JSON.stringify(day)}`);
        const offWork = day.findIndex((x) => x.activity === 'off-work');
        assert.ok(offWork > 0 && day[offWork]!.availability === 'Away' && day[offWork + 1]!.availability === 'Offline', `${p.sip} goes off work, then Offline`);
        assert.ok(minutes(day[offWork]!.from) >= 16 * 60 + 30);
      }
      // Not everyone at the same time: the schedules differ.
      assert.ok(new Set(rhythmic.map((p) => JSON.stringify(sim.control.daySchedule(p.sip)))).size > rhythmic.length / 2);
    } finally {
      await sim.stop();
    }
  });

  it('the same seed gives the same day, another seed another one', async () => {
    assert.deepEqual(await scheduleOf(RITA, 7), await scheduleOf(RITA, 7));
    const days = new Set<string>();
    for (const seed of [1, 2, 3, 4]) days.add(JSON.stringify(await scheduleOf(RITA, seed)));
    assert.ok(days.size > 1);
  });

  it('the day clock starts at dayStart (default 09:30) and runs at timeScale; presenceRhythm: false freezes it', async () => {
    await withSim({ users: PEOPLE_USERS }, async (sim) => {
      const start = minutes(sim.control.dayTime());
      assert.ok(start >= minutes('09:30') && start <= minutes('09:31'), sim.control.dayTime());
      await sleep(130); // 0.001: 130 s of simulated day (and a little more for the machine)
      const later = minutes(sim.control.dayTime());
      assert.ok(later - start >= 2 && later - start <= 4, sim.control.dayTime());
    });
    await withSim({ users: PEOPLE_USERS, dayStart: '13:05', presenceRhythm: false }, async (sim) => {
      await sleep(130);
      assert.equal(sim.control.dayTime(), '13:05');
    });
    await assert.rejects(startSimulator({ dayStart: '25:00' }), /HH:MM/);
  });

  it('lunch arrives on its own: contactPresence updated, then Away or BeRightBack', async () => {
    const day = await scheduleOf(RITA);
    const lunch = lunchOf(day);
    const beforeLunch = day.find((x) => x.to === lunch.from)!;
    // Up to 20 simulated minutes before lunch: 1.2 s at timeScale 0.001, time to subscribe on a busy machine.
    await withSim({ users: PEOPLE_USERS, dayStart: leadInto(day, lunch) }, async (sim) => {
      const w = await watch(sim, RITA);
      const now = (await w.s.get(w.href)).json;
      assert.deepEqual([now.availability, now.activity], [beforeLunch.availability, beforeLunch.activity]);
      const t0 = Date.now();
      const p = await w.next();
      assert.deepEqual([p.availability, p.activity], [lunch.availability, lunch.activity]);
      assert.ok(Date.now() - t0 < 2000);
      assert.equal(sim.control.presenceOf(RITA).availability, lunch.availability);
    });
  });

  it('a meeting: Busy (in-a-meeting) or DoNotDisturb (presenting) at its start', async () => {
    const day = await scheduleOf(RITA);
    // A meeting after at least 15 minutes of something else, for a lead that survives a slow start.
    const meeting = day.find((x, i) => (x.activity === 'in-a-meeting' || x.activity === 'presenting') && i > 0 && minutes(day[i - 1]!.to) - minutes(day[i - 1]!.from) >= 15)!;
    await withSim({ users: PEOPLE_USERS, dayStart: leadInto(day, meeting) }, async (sim) => {
      const w = await watch(sim, RITA);
      const p = await w.next();
      assert.deepEqual([p.availability, p.activity], [meeting.availability, meeting.activity]);
    });
  });

  it('the evening: off-work, then Offline with no activity and deviceType Unknown', async () => {
    const day = await scheduleOf(RITA);
    const offWork = day.find((x) => x.activity === 'off-work')!;
    await withSim({ users: PEOPLE_USERS, dayStart: leadInto(day, day.find((x) => x.from === offWork.to)!) }, async (sim) => {
      const w = await watch(sim, RITA);
      const now = (await w.s.get(w.href)).json;
      assert.deepEqual([now.availability, now.activity, now.deviceType], ['Away', 'off-work', 'Mobile']);
      const p = await w.next();
      assert.equal(p.availability, 'Offline');
      assert.equal('activity' in p, false);
      assert.equal(p.deviceType, 'Unknown');
    });
  });

  it('control.setPresence with lastActive: served as the presence\'s lastActive (what "Away 20 min" is made of)', async () => {
    await withSim({ users: PEOPLE_USERS }, async (sim) => {
      const at = Date.now() - 20 * 60_000;
      sim.control.setPresence(RITA, { availability: 'Away', activity: null, lastActive: at });
      const p = sim.control.presenceOf(RITA);
      assert.equal(p.availability, 'Away');
      assert.equal(p.lastActive, at);
    });
  });

  it('control.setPresence pauses the rhythm until clearPresence', async () => {
    const day = await scheduleOf(RITA);
    const lunch = lunchOf(day);
    await withSim({ users: PEOPLE_USERS, dayStart: leadInto(day, lunch, 5) }, async (sim) => {
      const w = await watch(sim, RITA);
      sim.control.setPresence(RITA, { availability: 'DoNotDisturb', activity: 'urgent-interruptions-only' });
      assert.equal((await w.next()).availability, 'DoNotDisturb');
      const deadline = Date.now() + 4000;
      while (minutes(sim.control.dayTime()) <= minutes(lunch.from) && Date.now() < deadline) await sleep(20);
      assert.ok(minutes(sim.control.dayTime()) > minutes(lunch.from), 'lunch has begun meanwhile');
      assert.equal(sim.control.presenceOf(RITA).availability, 'DoNotDisturb');
      sim.control.clearPresence(RITA);
      assert.equal((await w.next()).availability, lunch.availability);
    });
  });
});

describe('demo world contact list', () => {
  it('the demo account: Favourites with a real account first, user groups, Other Contacts, distribution groups; people have notes and photos', async () => {
    const sim = await startSimulator({ timeScale: 0.001, presenceRhythm: false });
    try {
      const s = await Session.open(sim, 'sip:demo@contoso.com', 'demo');
      const g = (await s.get(people(s).myGroups!.href)).json._embedded;
      const pinned = (await s.get(g.pinnedGroup._links.groupContacts.href)).json._embedded.contact;
      assert.ok(pinned.length >= 3);
      assert.equal(pinned[0].uri, 'sip:demo2@contoso.com');
      assert.ok(g.group.length >= 2);
      assert.ok(g.distributionGroup.length >= 1);
      const all = (await s.get(people(s).myContacts!.href)).json._embedded.contact;
      assert.ok(all.length >= 12, String(all.length));
      assert.equal(all[0].uri, pinned[0].uri, 'Favourites first');
      assert.ok(all.every((c: { workPhoneNumber?: string; title: string }) => c.workPhoneNumber?.startsWith('tel:') && c.title !== ''));
      const notes = await Promise.all(all.map(async (c: { _links: { contactNote: { href: string } } }) => (await s.get(c._links.contactNote.href)).json));
      assert.ok(notes.filter((n) => n.message !== '').length >= 6);
      assert.ok(notes.some((n) => n.type === 'OutOfOffice'), 'someone is out of office');
      const expand = await Promise.all(g.distributionGroup.map(async (d: { _links: { expandDistributionGroup: { href: string } } }) => (await s.get(d._links.expandDistributionGroup.href)).status));
      assert.ok(expand.includes(200) && expand.includes(403), 'one expands, the company-wide one is too large');
      const photo = await fetch(s.url(all[1]._links.contactPhoto.href), { headers: { Authorization: `Bearer ${s.token}` } });
      assert.equal(photo.headers.get('content-type'), 'image/png');
      // The other account sees the demo account in its Favourites too.
      assert.ok(sim.control.contactList('sip:demo2@contoso.com').find((x) => x.kind === 'pinnedGroup')!.members.includes('sip:demo@contoso.com'));
    } finally {
      await sim.stop();
    }
  });
});
