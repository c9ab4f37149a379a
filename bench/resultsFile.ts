// bench/results.json is shared: `npm run bench` writes "results", `npm run soak` "soak", `npm run
// fuzz` "fuzz". One reader/writer, so each keeps what the others wrote and all describe the machine
// the same way.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpus: string;
  memoryGiB: number;
  os: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
  };
}

/** The file's document, or {} when it is missing or unreadable (start over rather than lose a run). */
export function readResults(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function writeResults(file: string, doc: Record<string, unknown>): void {
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
}

/** Replace one top-level section ("soak", "fuzz"), keeping the rest of the file. */
export function writeSection(file: string, key: string, section: Record<string, unknown>): void {
  writeResults(file, { ...readResults(file), [key]: section });
}
