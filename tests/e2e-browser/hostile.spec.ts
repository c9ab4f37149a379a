/// <reference lib="dom" />
// Hostile records in the real renderer (issue 11): a server timestamp no Date can hold arrives through
// the simulator, the parser, the store and the IPC bridge and shows as "time unknown"; a record that
// written into the database behind the store's back (a damaged file, an older version) shows the same
// way; and a record that still cannot be drawn blanks only its own pane or row, and says so.
import { test, expect } from './fixtures.ts';
import { build } from 'esbuild';
import { DEMO, ROOT, until } from './harness.ts';
import { openDatabase } from '../../main/core/store/sqlite.ts';
import { join } from 'node:path';
import { databaseFileName } from '../../main/core/store/sqliteStore.ts';
import { rendererAlias } from '../../scripts/rendererAlias.mjs';

test('a message with an impossible timestamp shows as "time unknown", and so does one damaged in the database; the window keeps working', async ({ chromiumBrowser, world }) => {
  const contact = world.sim.people[1] ?? world.sim.people[0];
  if (!contact) throw new Error('no contact');
  const now = Date.now();
  world.sim.control.addLog(DEMO, {
    with: [contact.sip], subject: 'far future',
    messages: [{ from: contact.sip, text: 'Sent in the year 3 million', at: 1e17 }, { from: contact.sip, text: 'An ordinary line', at: now - 7_200_000 }],
  });
  world.sim.control.addLog(DEMO, { with: [contact.sip], subject: 'to be damaged', messages: [{ from: contact.sip, text: 'This row will be damaged', at: now - 3_600_000 }, { from: contact.sip, text: 'Its neighbour is fine', at: now - 3_500_000 }] });
  await world.signIn();
  const { future, damaged } = await until(async () => {
    const all = (await world.service.listConversations({ limit: 200 })).items;
    const f = all.find((c) => c.subject === 'far future');
    const d = all.find((c) => c.subject === 'to be damaged');
    return f && d ? { future: f, damaged: d } : null;
  }, 'both conversations synced');

  const page = await world.open(chromiumBrowser, 'history');
  // Opened at the message: the chat holds this person's other conversations, whose newer lines fill the screen.
  const futureLines = (await world.service.listMessages(future.id, { limit: 10 })).items;
  const far = futureLines.find((m) => m.text === 'Sent in the year 3 million');
  const ordinary = futureLines.find((m) => m.text === 'An ordinary line');
  await world.host.showWindow('history', { to: 'conversation', conversationId: future.id, messageId: far?.id });
  const row = page.locator('.msg', { hasText: 'Sent in the year 3 million' });
  await expect(row).toBeVisible();
  await expect(row.locator('time.estimated')).toHaveText('time unknown');
  await expect(page.getByRole('separator', { name: 'Unknown date' })).toBeVisible();
  await expect(page.getByText(/1970/)).toHaveCount(0);
  await world.host.showWindow('history', { to: 'conversation', conversationId: future.id, messageId: ordinary?.id });
  await expect(page.locator('.msg', { hasText: 'An ordinary line' }).locator('time:not(.estimated)')).toBeVisible();

  // Behind the store's back: a time no Date can hold, in a message and in its conversation's row.
  const db = openDatabase(join(world.dataDir, databaseFileName(DEMO)));
  try {
    db.prepare('UPDATE messages SET at = 99999999999999999 WHERE text = ?').run('This row will be damaged');
    db.prepare('UPDATE conversations SET last_activity_at = 99999999999999999 WHERE id = ?').run(damaged.id);
  } finally {
    db.close();
  }
  await page.reload();
  await world.host.showWindow('history', { to: 'conversation', conversationId: damaged.id });
  await expect(page.locator('.msg', { hasText: 'This row will be damaged' }).locator('time.estimated')).toHaveText('time unknown');
  await expect(page.locator('.msg', { hasText: 'Its neighbour is fine' })).toBeVisible();
  await expect(page.getByRole('option').filter({ hasText: 'time unknown' })).toHaveCount(1);
  // The rest of the window works: another conversation opens, the list still lists the others.
  await world.host.showWindow('history', { to: 'conversation', conversationId: future.id, messageId: ordinary?.id });
  await expect(page.locator('.msg', { hasText: 'An ordinary line' })).toBeVisible();
  expect(await page.getByRole('option').count()).toBeGreaterThan(3);
  expect(world.host.logs.filter((l) => /Invalid time value|RangeError/.test(l))).toEqual([]);
});

// The boundaries themselves, in Chromium: the production ErrorBoundary around a component that throws
// while rendering (what any record the checks above did not foresee would do), beside one that does not.
test('a pane or row that throws while rendering is replaced by what it could not show; its neighbours stay', async ({ chromiumBrowser }) => {
  const bundle = await build({
    stdin: {
      contents: `
        import { createRoot } from 'react-dom/client';
        import { useState } from 'react';
        import { ErrorBoundary } from './ErrorBoundary.tsx';
        function Bomb({ n }) { if (n > 0) throw new RangeError('Invalid time value'); return <p>recovered</p>; }
        function App() {
          const [n, setN] = useState(1);
          return <main>
            <ErrorBoundary what="this message" compact><Bomb n={n} /></ErrorBoundary>
            <ErrorBoundary what="this conversation"><Bomb n={n} /></ErrorBoundary>
            <p id="neighbour">the neighbour</p>
            <button id="fix" onClick={() => setN(0)}>fix</button>
          </main>;
        }
        createRoot(document.getElementById('root')).render(<App />);`,
      loader: 'tsx', resolveDir: join(ROOT, 'renderer'), sourcefile: 'boundary-test.tsx',
    },
    bundle: true, write: false, format: 'iife', jsx: 'automatic', alias: rendererAlias, define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'silent',
  });
  const page = await chromiumBrowser.newPage();
  try {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent('<div id="root"></div>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    await expect(page.getByRole('note')).toHaveText('Could not show this message (Invalid time value).');
    await expect(page.getByRole('alert')).toContainText('Could not show this conversation: Invalid time value');
    await expect(page.locator('#neighbour')).toBeVisible();
    await page.click('#fix');
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect(page.getByText('recovered')).toHaveCount(1);
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
});
