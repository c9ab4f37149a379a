/// <reference lib="dom" />
// The People view in headless Chromium over the real handlers, service and SQLite store, signed in
// to the simulator with 1 000 contacts in 30 groups (issue 13):
//   - the window opened on the People tab: navigation → the first person row painted (in-page
//     clock), the contact list read from the cache; and the rows in the DOM (bounded by the viewport);
//   - the Chats → People switch: click → first person row (in-page);
//   - a presence change: from the moment the event batch that carries it reaches the client (its
//     events GET answered) to the moment the person's dot says so in the page. Both clocks are the
//     wall clock (performance.timeOrigin + now) of the same machine.
// Events reach the page over the test bridge (Playwright's page.evaluate), a slower pipe than
// Electron's webContents.send: the figure is an upper bound of the app's.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Page } from '@playwright/test';
import { startSimulator } from '../simulator/index.ts';
import type { SimUser } from '../simulator/types.ts';
import { createMessengerService } from '../main/core/app/service.ts';
import { createSqliteStore } from '../main/core/store/sqliteStore.ts';
import { createHandlers, forwardEvents } from '../main/ipc/handlers.ts';
import type { EventName, EventPayload } from '../main/ipc/contract.ts';
import { benchHost } from './benchHost.ts';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, createBridge, openBridgedPage, serveRenderer } from '../tests/e2e-browser/harness.ts';
import { bigContactList } from './peopleWorld.ts';

type Figures = Record<string, { value: number; unit: string; floor?: number; target?: string; met?: boolean }>;

const ME = 'sip:bench@contoso.com';
const round = (v: number) => Math.round(v * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const wallNow = () => performance.timeOrigin + performance.now();

async function watchFirstPerson(p: Page): Promise<void> {
  await p.addInitScript(() => {
    const w = window as unknown as { __firstPerson?: Promise<number> };
    w.__firstPerson = new Promise<number>((resolve) => {
      const mo = new MutationObserver(() => {
        if (document.querySelector('#people [role=treeitem][aria-level="2"]')) { resolve(performance.now()); mo.disconnect(); }
      });
      mo.observe(document, { childList: true, subtree: true });
    });
  });
}

/** The floor's page: the app's stylesheet, the same contactList call, rows made with plain DOM calls. */
function floorPage(root: string): string {
  const dir = join(root, 'floor');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, 'out/renderer/app.css'), join(dir, 'app.css'));
  writeFileSync(join(dir, 'app.js'), `window.ucwa.contactList().then((r) => {
  const tree = document.createElement('div');
  tree.id = 'people';
  tree.setAttribute('role', 'tree');
  for (const p of (r.ok ? r.value.people : []).slice(0, 14)) {
    const row = document.createElement('div');
    row.setAttribute('role', 'treeitem');
    row.setAttribute('aria-level', '2');
    row.textContent = p.name;
    tree.append(row);
  }
  document.getElementById('root').append(tree);
});`);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="stylesheet" href="./app.css"><script src="./app.js" defer></script></head><body><div id="root"></div></body></html>');
  return dir;
}

export async function benchPeopleRenderer(opts: { quick?: boolean } = {}): Promise<Figures> {
  const quick = opts.quick === true;
  const n = quick ? 200 : 1000;
  const out: Figures = {};
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');

  const list = bigContactList(n);
  const people: SimUser[] = list.people!.map((p) => ({ sip: p.sip, name: p.name ?? p.sip, presence: { availability: 'Online' } }));
  const sim = await startSimulator({
    demoWorld: false,
    timeScale: 1,
    maxContacts: n + 10,
    users: [
      { sip: ME, name: 'Bench User', password: 'bench', contactList: { favourites: list.groups[0]!.members, groups: list.groups.slice(1).map((g) => ({ name: g.name, members: g.members })) } },
      ...people,
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'ucwa-bench-people-view-'));
  const store = await createSqliteStore({ dataDir: dir, account: ME, checkpointIntervalMs: 0 });
  // When each events batch naming a contact's presence reached the client.
  const arrivals: { at: number; text: string }[] = [];
  const service = createMessengerService({
    fetch: async (url, init) => {
      const res = await fetch(url, init);
      if (!/\/events/.test(new URL(url).pathname)) return res;
      const text = await res.text();
      if (text.includes('contactPresence')) arrivals.push({ at: wallNow(), text });
      return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    },
    store,
    endpointId: 'bench-people-view',
  });
  const handlers = createHandlers(service, benchHost());
  const server = await serveRenderer();
  const floorServer = await serveRenderer(floorPage(dir));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const bridge = createBridge();
  const unforward = forwardEvents(service, <E extends EventName>(e: E, p: EventPayload<E>) => bridge.emitTo(null, e, p));
  const logs: string[] = [];
  try {
    await service.signIn({ sip: ME, password: 'bench', server: sim.url });
    // The cache is full once the sync wrote every contact and their presence.
    const deadline = Date.now() + 120_000;
    while ((await store.contactList()).people.filter((p) => p.presence).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    // --- opened on the People tab: navigation → first person row -----------------------------------
    const opens: number[] = [];
    let domRows = NaN;
    for (let i = 0; i < (quick ? 3 : 7); i++) {
      const page = await openBridgedPage({
        browser, origin: server.origin, name: 'history', handlers, bridge, logs, transport: 'cdp',
        beforeLoad: async (p) => {
          await p.addInitScript(() => localStorage.setItem('ucwa.sidebarTab', 'people'));
          await watchFirstPerson(p);
        },
      });
      opens.push(await page.evaluate(() => (window as unknown as { __firstPerson: Promise<number> }).__firstPerson));
      if (i === 0) domRows = await page.locator('#people [role=treeitem]').count();
      await page.context().close();
    }
    const floors: number[] = [];
    for (let i = 0; i < (quick ? 3 : 7); i++) {
      const page = await openBridgedPage({ browser, origin: floorServer.origin, name: 'history', handlers, bridge, logs, transport: 'cdp', beforeLoad: watchFirstPerson });
      floors.push(await page.evaluate(() => (window as unknown as { __firstPerson: Promise<number> }).__firstPerson));
      await page.context().close();
    }
    // From the page's navigation start: the page's own boot (HTML, bundle, first render) is in it,
    // as in the chat list's first-list figure; the floor beside it boots a page with no bundle.
    out[`people.view.open.firstRow.inPage (${n} people, ${list.groups.length} groups)`] = { value: round(median(opens)), unit: 'ms', floor: round(median(floors)), target: 'no target of its own: the window\'s boot and the whole list\'s transfer are in it, as in its floor (the < 100 ms is the open from Chats below)' };
    out['people.view.domRows'] = { value: domRows, unit: 'rows', target: `bounded by the viewport, not by the ${n} people`, met: domRows < 80 };

    // --- Chats → People: click → first person row -----------------------------------------------------
    const page = await openBridgedPage({ browser, origin: server.origin, name: 'history', handlers, bridge, logs, transport: 'cdp' });
    const switches: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.getByRole('tab', { name: 'Chats' }).click();
      await page.waitForSelector('#people', { state: 'detached' });
      await page.evaluate(() => {
        const w = window as unknown as { __sw?: { t0: number; t1?: number } };
        w.__sw = { t0: NaN };
        document.addEventListener('click', () => { if (w.__sw) w.__sw.t0 = performance.now(); }, { once: true, capture: true });
        const mo = new MutationObserver(() => {
          if (document.querySelector('#people [role=treeitem][aria-level="2"]') && w.__sw) { w.__sw.t1 = performance.now(); mo.disconnect(); }
        });
        mo.observe(document.body, { childList: true, subtree: true });
      });
      await page.getByRole('tab', { name: 'People' }).click();
      await page.waitForFunction(() => (window as unknown as { __sw?: { t1?: number } }).__sw?.t1 !== undefined);
      switches.push(await page.evaluate(() => { const s = (window as unknown as { __sw: { t0: number; t1: number } }).__sw; return s.t1 - s.t0; }));
    }
    out['people.view.open.fromChats.inPage (click on People → rows, from the cache)'] = { value: round(median(switches)), unit: 'ms', target: '< 100 ms', met: median(switches) < 100 };

    // --- a presence change: its event's arrival → the dot in the page -------------------------------
    const firstPerson = page.locator('#people [role=treeitem][aria-level="2"]').first();
    const name = (await firstPerson.locator('.pperson-name').textContent()) ?? '';
    const sip = list.people!.find((p) => p.name === name)?.sip;
    if (!sip) throw new Error(`no contact named ${name}`);
    const lat: number[] = [];
    for (let i = 0; i < (quick ? 3 : 5); i++) {
      const availability = i % 2 === 0 ? 'Busy' : 'Online';
      const words = availability === 'Busy' ? 'Busy' : 'Available';
      await page.evaluate((w) => {
        const win = window as unknown as { __dot?: Promise<number> };
        win.__dot = new Promise<number>((resolve) => {
          const check = () => {
            const row = document.querySelector('#people [role=treeitem][aria-level="2"]');
            const dot = row?.querySelector('.presence-dot[aria-label]');
            if (dot?.getAttribute('aria-label')?.startsWith(w)) { resolve(performance.timeOrigin + performance.now()); return true; }
            return false;
          };
          const mo = new MutationObserver(() => { if (check()) mo.disconnect(); });
          mo.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label', 'class'] });
        });
      }, words);
      const before = arrivals.length;
      sim.control.setPresence(sip, { availability });
      const shownAt = await page.evaluate(() => (window as unknown as { __dot: Promise<number> }).__dot);
      const arrival = arrivals.slice(before).find((a) => a.text.includes(sip.replace(/^sip:/, '')) || a.text.includes('contactPresence'));
      if (arrival) lat.push(shownAt - arrival.at);
    }
    out['people.presence.eventToDot'] = { value: round(median(lat)), unit: 'ms', target: '< 50 ms from the event\'s arrival', met: median(lat) < 50 };
    out['people.presence.eventToDot.max'] = { value: round(Math.max(...lat)), unit: 'ms' };
    const errors = logs.filter((l) => l.startsWith('pageerror'));
    if (errors.length) out['people.view.pageErrors'] = { value: errors.length, unit: 'errors', target: '0', met: false };
  } finally {
    unforward();
    await browser.close();
    await server.close();
    await floorServer.close();
    await service.close().catch(() => undefined);
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
