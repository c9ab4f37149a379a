// Parent side of one account agent: start it (fork with IPC, output appended to its log file),
// SIGKILL it, ask its status, stop it gracefully. An exit nobody asked for is counted as a crash.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AgentArgs, AgentStatus, FromAgent, ToAgent } from './agentProtocol.ts';

const SCRIPT = fileURLToPath(new URL('./agent.ts', import.meta.url));

export class AgentProcess {
  readonly args: AgentArgs;
  readonly #logFile: string;
  #child: ChildProcess | undefined;
  #nextId = 1;
  #waiting = new Map<number, (s: AgentStatus | undefined) => void>();
  #expectingExit = false;
  kills = 0;
  starts = 0;
  /** Exits the soak did not cause (the agent died by itself). */
  crashes = 0;
  /** The agent reported it signed in (since its last start). */
  ready = false;

  constructor(args: AgentArgs, logFile: string) {
    this.args = args;
    this.#logFile = logFile;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  start(): void {
    if (this.#child) return;
    this.starts += 1;
    this.ready = false;
    this.#expectingExit = false;
    // Each incarnation gets its own jitter seed, derived from the soak's.
    const args: AgentArgs = { ...this.args, seed: (this.args.seed * 31 + this.starts) >>> 0 };
    const log = openSync(this.#logFile, 'a');
    const child = fork(SCRIPT, [JSON.stringify(args)], { stdio: ['ignore', log, log, 'ipc'] });
    closeSync(log);
    this.#child = child;
    child.on('message', (msg: FromAgent) => {
      if (msg.type === 'ready') this.ready = true;
      else if (msg.type === 'status') {
        this.#waiting.get(msg.id)?.(msg.status);
        this.#waiting.delete(msg.id);
      }
    });
    child.once('exit', () => {
      if (this.#child === child) this.#child = undefined;
      if (!this.#expectingExit) this.crashes += 1;
      for (const resolve of this.#waiting.values()) resolve(undefined);
      this.#waiting.clear();
    });
  }

  /** SIGKILL: no chance to finish a write, sign out or close the database. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#expectingExit = true;
    this.kills += 1;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  #post(msg: ToAgent): boolean {
    const child = this.#child;
    if (!child?.connected) return false;
    try {
      child.send(msg);
      return true;
    } catch {
      return false;
    }
  }

  drain(): void {
    this.#post({ type: 'drain' });
  }

  /** The agent's view of its store, or undefined if it is down or does not answer in time. */
  status(timeoutMs = 10_000): Promise<AgentStatus | undefined> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.#waiting.set(id, (s) => {
        clearTimeout(timer);
        resolve(s);
      });
      if (!this.#post({ type: 'status', id })) {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(undefined);
      }
    });
  }

  /** Graceful stop (service.close()); SIGKILL after `timeoutMs`. True when it exited by itself with 0. */
  async stop(timeoutMs = 15_000): Promise<boolean> {
    const child = this.#child;
    if (!child) return false;
    this.#expectingExit = true;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    if (!this.#post({ type: 'stop' })) child.kill('SIGTERM');
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return !forced && code === 0;
  }
}
