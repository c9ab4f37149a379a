// The typed log: one "<seq> <clientId>" line per message whose send()/startConversation() resolved
// (the message is then persisted in the outbox). Written with fsync so a SIGKILL right after cannot
// lose a line the analysis needs; a torn last line is ignored when read.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';

export interface TypedEntry {
  seq: number;
  clientId: string;
}

export function readTypedLog(file: string): TypedEntry[] {
  if (!existsSync(file)) return [];
  const out: TypedEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\d+) (\S+)$/.exec(line);
    if (m) out.push({ seq: Number(m[1]), clientId: m[2] as string });
  }
  return out;
}

export class TypedLogWriter {
  readonly #fd: number;

  constructor(file: string) {
    this.#fd = openSync(file, 'a');
    // A line torn by a kill would glue onto the next one: start on a fresh line.
    writeSync(this.#fd, '\n');
  }

  append(entry: TypedEntry): void {
    writeSync(this.#fd, `${entry.seq} ${entry.clientId}\n`);
    fsyncSync(this.#fd);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
