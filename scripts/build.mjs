// Builds every runnable part into out/ with esbuild (fast, no config; tsc only type-checks).
// Node-side bundles keep node_modules external: native addons (better-sqlite3, keyring) must load
// from disk, and electron must never be bundled. Entries whose source does not exist yet are skipped.
import { build } from 'esbuild';
import { existsSync, mkdirSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rendererAlias } from './rendererAlias.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out');
const production = process.env.NODE_ENV !== 'development';

const nodeEntries = [
  // [source, output, format]
  ['main/cli/index.ts', 'out/cli/index.js', 'esm'],
  ['main/electron/main.ts', 'out/main/index.js', 'esm'],
  ['main/core/store/worker.ts', 'out/main/storeWorker.mjs', 'esm'],
  ['preload/index.ts', 'out/preload/index.cjs', 'cjs'],
];

async function main() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const jobs = [];
  for (const [src, dest, format] of nodeEntries) {
    if (!existsSync(join(root, src))) continue;
    jobs.push(build({
      absWorkingDir: root,
      entryPoints: [src],
      outfile: dest,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format,
      sourcemap: 'linked',
      packages: 'external',
      external: ['electron'],
      logLevel: 'warning',
      // The CLI and main bundles may spawn the store worker next to themselves.
      define: { 'process.env.UCWA_BUNDLED': '"1"' },
    }));
  }
  const rendererEntry = ['renderer/main.tsx', 'renderer/main.ts'].find((f) => existsSync(join(root, f)));
  if (rendererEntry) {
    jobs.push(build({
      absWorkingDir: root,
      entryPoints: { app: rendererEntry },
      outdir: 'out/renderer',
      bundle: true,
      platform: 'browser',
      target: 'chrome130',
      format: 'esm',
      minify: production,
      sourcemap: 'linked',
      jsx: 'automatic',
      alias: rendererAlias,
      loader: { '.svg': 'file', '.png': 'file', '.woff2': 'file' },
      define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
      logLevel: 'warning',
      metafile: true,
    }).then(() => build({
      // The history window's early request for its first list (renderer/firstList.ts): a classic
      // script, so index.html runs it before the module bundle has even been compiled.
      absWorkingDir: root,
      entryPoints: { prefetch: 'renderer/prefetch.ts' },
      outdir: 'out/renderer',
      bundle: true,
      platform: 'browser',
      target: 'chrome130',
      format: 'iife',
      minify: production,
      logLevel: 'warning',
    })).then(() => {
      for (const f of readdirSync(join(root, 'renderer'))) {
        if (f.endsWith('.html') || f.endsWith('.css')) cpSync(join(root, 'renderer', f), join(out, 'renderer', f));
      }
      if (existsSync(join(root, 'renderer/assets'))) cpSync(join(root, 'renderer/assets'), join(out, 'renderer/assets'), { recursive: true });
    }));
  }
  await Promise.all(jobs);
}

main().catch((err) => {
  console.error(`build failed: ${err.message}`);
  process.exit(1);
});
