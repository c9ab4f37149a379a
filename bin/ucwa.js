#!/usr/bin/env -S node --max-semi-space-size=4
// The `ucwa` command: runs the bundled CLI (built by `npm install` / `npm run build`).
// --max-semi-space-size: V8 sizes the young generation from the machine's memory (up to 32 MB a
// semi-space, ×3 resident once a burst of work has grown it); under an event flood that alone kept
// `ucwa listen` near 400 MB RSS around ~20 MB of live data (issue 11, bench/hostile.ts). The CLI's
// garbage is short-lived; 4 MB semi-spaces keep it near 250 MB. It must be given at start (V8 reads
// it when the heap is set up), hence the shebang (`env -S`; npm's Windows shim passes it on too).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`ucwa: Node.js >= 22.12 is required (this is ${process.versions.node}).`);
  process.exit(1);
}
const bundle = fileURLToPath(new URL('../out/cli/index.js', import.meta.url));
if (!existsSync(bundle)) {
  console.error('ucwa: the CLI is not built yet; run `npm run build` in the project folder.');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
