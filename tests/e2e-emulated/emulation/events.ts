// Electron's event objects: `Event<Params>` of electron.d.ts — preventDefault() + defaultPrevented.
import type { Event as ElectronEvent } from 'electron';

export type Emulated<P extends object = object> = ElectronEvent<P>;

export function electronEvent<P extends object>(params: P = {} as P): Emulated<P> {
  let prevented = false;
  const base = {
    preventDefault: () => {
      prevented = true;
    },
    get defaultPrevented() {
      return prevented;
    },
  };
  return Object.assign(base, params) as Emulated<P>;
}

/** A documented rule of Electron the code under test broke: thrown where Electron throws. */
export class ElectronRuleError extends Error {
  override name = 'ElectronRuleError';
}
