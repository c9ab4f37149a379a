import { defineConfig } from '@playwright/test';

// Two suites: the renderer in Debian's Chromium (always runs) and the Electron app (runs only where
// the Electron binary and a display exist; otherwise each test reports itself skipped with the reason).
export default defineConfig({
  testDir: 'tests',
  testMatch: ['e2e-browser/**/*.spec.ts', 'e2e-electron/**/*.spec.ts'],
  timeout: 60_000,
  workers: 1,
  retries: 0,
  outputDir: 'test-results/artifacts',
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: { trace: 'retain-on-failure' },
});
