// Parent side of the simulator child (simServer.ts): start it, stop it (SIGTERM, then its final dump),
// and start it again on the same port — the soak's "server restart".
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SimDump, SimServerArgs } from './simServer.ts';

const SCRIPT = fileURLToPath(new URL('./simServer.ts', import.meta.url));

export class SimProcess {
  readonly #logFile: string;
  readonly #dumpFile: string;
  readonly #timeScale: number;
  #child: ChildProcess | undefined;
  #port = 0;

  constructor(opts: { logFile: string; dumpFile: string; timeScale: number }) {
    this.#logFile = opts.logFile;
    this.#dumpFile = opts.dumpFile;
    this.#timeScale = opts.timeScale;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get url(): string {
    return `${this.origin}/autodiscover/autodiscoverservice.svc/root`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the child; the first start picks a free port, later ones reuse it (retrying while the OS frees it). */
  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.#port = await this.#spawn(this.#port);
        return;
      } catch (err) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  #spawn(port: number): Promise<number> {
    const args: SimServerArgs = { port, timeScale: this.#timeScale, dumpFile: this.#dumpFile };
    const log = openSync(this.#logFile, 'a');
    const child = spawn(process.execPath, [SCRIPT, JSON.stringify(args)], { stdio: ['pipe', 'pipe', log] });
    closeSync(log);
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('simulator did not start within 15 s'));
      }, 15_000);
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        const m = /READY (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          this.#child = child;
          child.stdout?.resume();
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.#child === child) this.#child = undefined;
        reject(new Error(`simulator exited (${signal ?? code}) before it was ready`));
      });
    });
  }

  /** SIGTERM, wait for exit (SIGKILL after 10 s), and return the child's final dump (undefined if it wrote none). */
  async stop(): Promise<SimDump | undefined> {
    const child = this.#child;
    if (!child) return undefined;
    rmSync(this.#dumpFile, { force: true });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    this.#child = undefined;
    if (!existsSync(this.#dumpFile)) return undefined;
    try {
      return JSON.parse(readFileSync(this.#dumpFile, 'utf8')) as SimDump;
    } catch {
      return undefined;
    }
  }
}
