// Playwright fixtures: Debian's Chromium (npx playwright install cannot download here) for the
// worker, and a fresh World (simulator + real core + SQLite in a temp dir) for each test.
import { test as base, chromium, type Browser, type Page } from '@playwright/test';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, startWorld, type World } from './harness.ts';
import type { SimulatorOptions } from '../../simulator/index.ts';

export const SHOTS = join(ROOT, 'test-results/screenshots');

export const test = base.extend<{ world: World; simOptions: SimulatorOptions; accounts: boolean }, { chromiumBrowser: Browser }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
  chromiumBrowser: [async ({}, use) => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    await use(browser);
    await browser.close();
  }, { scope: 'worker' }],
  simOptions: [{}, { option: true }],
  /** The shell's account service (one store per account), so that another account can sign in. */
  accounts: [false, { option: true }],
  world: async ({ simOptions, accounts }, use, testInfo) => {
    const world = await startWorld({ sim: simOptions, accounts });
    await use(world);
    const errors = world.host.logs.filter((l) => l.startsWith('pageerror'));
    if (world.host.logs.length) await testInfo.attach('host-log', { body: world.host.logs.join('\n'), contentType: 'text/plain' });
    await world.close();
    if (errors.length) throw new Error(`uncaught errors in the renderer:\n${errors.join('\n')}`);
  },
});
export { expect } from '@playwright/test';

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** axe-core: no serious or critical violation. Returns the violations for the message. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}
