// What the shell does for the handlers, as a benchmark needs it: nothing (no windows to show, no
// demo to start, default settings). The benches' pages talk to the real handlers through it.
import type { HandlerHost } from '../main/ipc/handlers.ts';
import { defaultSettings } from '../main/ipc/contract.ts';

export function benchHost(): HandlerHost {
  return {
    startDemo: () => Promise.reject(new Error('no demo in the bench')),
    getSettings: async () => defaultSettings,
    setSettings: async (p) => ({ ...defaultSettings, ...p }),
    openExternal: async () => undefined,
    showWindow: async () => undefined,
    closeWindow: async () => undefined,
    pendingNavigation: async () => null,
  };
}
