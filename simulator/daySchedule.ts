// A 'rhythm' person's working day (types.ts PresencePlan), a pure function of (seed, person, day)
// so two simulators with one seed agree and each simulated day differs a little from the last.
// Availability and activity values are those of PROTOCOL-2 §1.3: plain states carry the English
// display string a real server returns for a published state, special ones the well-known token.

import { createRng, seedToInt } from './prng.ts';

export interface Slot {
  /** Minutes after midnight, [from, to). */
  from: number;
  to: number;
  availability: string;
  activity: string | undefined;
  deviceType: string;
}

interface State {
  availability: string;
  activity: string | undefined;
  deviceType: string;
}

const OFFLINE: State = { availability: 'Offline', activity: undefined, deviceType: 'Unknown' };
const ONLINE: State = { availability: 'Online', activity: 'Available', deviceType: 'PC' };
const MEETING: State = { availability: 'Busy', activity: 'in-a-meeting', deviceType: 'PC' };
const PRESENTING: State = { availability: 'DoNotDisturb', activity: 'presenting', deviceType: 'PC' };
const PHONE: State = { availability: 'Busy', activity: 'on-the-phone', deviceType: 'PC' };
const LUNCH_AWAY: State = { availability: 'Away', activity: 'Away', deviceType: 'Mobile' };
const BRB: State = { availability: 'BeRightBack', activity: 'Be right back', deviceType: 'PC' };
const IDLE: State = { availability: 'IdleOnline', activity: 'Inactive', deviceType: 'PC' };
const AWAY: State = { availability: 'Away', activity: 'Away', deviceType: 'PC' };
const OFF_WORK: State = { availability: 'Away', activity: 'off-work', deviceType: 'Mobile' };

/** Five-minute cells: fine enough for a 15-minute coffee, coarse enough to keep days small. */
const STEP = 5;
const CELLS = (24 * 60) / STEP;

export function daySchedule(seed: number | string, sip: string, day: number): Slot[] {
  const rng = createRng((seedToInt(seed) ^ seedToInt(sip) ^ Math.imul(day + 1, 0x9e3779b1)) >>> 0);
  const cells: State[] = new Array<State>(CELLS).fill(OFFLINE);
  const cell = (minute: number): number => Math.round(minute / STEP);
  const paint = (from: number, to: number, s: State): void => {
    for (let i = cell(from); i < cell(to) && i < CELLS; i++) cells[i] = s;
  };
  /** Only over plain working time, so breaks never cut a meeting or lunch in two. */
  const free = (from: number, to: number): boolean => {
    for (let i = cell(from); i < cell(to); i++) if (cells[i] !== ONLINE) return false;
    return true;
  };
  const place = (len: number, earliest: number, latest: number, step: number, s: State, tries = 12): boolean => {
    for (let t = 0; t < tries; t++) {
      const slots = Math.floor((latest - len - earliest) / step);
      if (slots < 0) return false;
      const from = earliest + rng.int(0, slots) * step;
      if (free(from, from + len)) {
        paint(from, from + len, s);
        return true;
      }
    }
    return false;
  };

  const arrive = 7 * 60 + 30 + 15 * rng.int(0, 7); // 07:30 … 09:15
  const leave = 16 * 60 + 30 + 15 * rng.int(0, 8); // 16:30 … 18:30
  paint(arrive, leave, ONLINE);
  // Lunch first: meetings are arranged around it.
  const lunch = 11 * 60 + 45 + 15 * rng.int(0, 4);
  const lunchLen = rng.pick([30, 45, 60]);
  const lunchState = rng.chance(0.55) ? LUNCH_AWAY : BRB;
  paint(lunch, lunch + lunchLen, lunchState);
  const meetings = rng.int(2, 4);
  for (let i = 0; i < meetings; i++) place(rng.pick([30, 60]), arrive + 30, leave - 30, 30, rng.chance(0.15) ? PRESENTING : MEETING);
  if (rng.chance(0.6)) place(rng.pick([15, 20, 30]), arrive + 15, leave - 15, STEP, PHONE);
  if (rng.chance(0.7)) place(15, arrive + 60, leave - 30, STEP, BRB);
  if (rng.chance(0.5)) {
    // Left the desk without saying so: the client goes idle, then the server calls it Away.
    const from = 14 * 60 + 15 * rng.int(0, 8);
    if (free(from, from + 40)) {
      paint(from, from + 10, IDLE);
      paint(from + 10, from + 40, AWAY);
    }
  }
  paint(leave, leave + rng.pick([30, 45, 60]), OFF_WORK);

  const slots: Slot[] = [];
  for (let i = 0; i < CELLS; i++) {
    const s = cells[i] as State;
    const last = slots[slots.length - 1];
    if (last && last.availability === s.availability && last.activity === s.activity && last.deviceType === s.deviceType) last.to = (i + 1) * STEP;
    else slots.push({ from: i * STEP, to: (i + 1) * STEP, ...s });
  }
  return slots;
}

export function slotAt(slots: Slot[], minute: number): Slot {
  return slots.find((s) => minute >= s.from && minute < s.to) ?? (slots[slots.length - 1] as Slot);
}
