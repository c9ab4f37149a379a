#!/usr/bin/env node
// The `ucwa` command: runs the bundled CLI (built by `npm install` / `npm run build`).
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
