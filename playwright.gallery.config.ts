import { defineConfig } from '@playwright/test';

// `npm run screenshots`: the README's gallery (docs/screenshots), every window in light and dark,
// from the real demo world over the real core — not part of `npm test` (it rewrites tracked files).
export default defineConfig({
  testDir: 'tests/gallery',
  testMatch: ['**/*.spec.ts'],
  timeout: 180_000,
  workers: 1,
  retries: 0,
  outputDir: 'test-results/gallery-artifacts',
  reporter: [['list']],
});
