/// <reference lib="dom" />
// What a sandboxed preload finds around it, as page-side code (runs in the page before any page
// script, injected with Playwright's addInitScript). Emulated from the Electron docs:
//  - "Sandboxed preload scripts … are CommonJS; `require` is a polyfill with a limited set of
//    modules": electron (contextBridge, ipcRenderer, …), events, timers, url. Anything else throws
//    "module not found" (docs: tutorial/sandbox "Preload scripts"). Here only `electron` is provided;
//    asking for events/timers/url fails loudly as "not emulated" rather than pretending.
//  - contextBridge.exposeInMainWorld: "values are copied, functions are proxied"; prototypes and
//    symbols are dropped, errors keep only their message, promises are proxied (docs: api/context-bridge,
//    "Parameter / Error / Return Type support"). Exposing onto an existing key throws.
//  - ipcRenderer.invoke: arguments are serialized with the Structured Clone Algorithm ("functions,
//    promises, symbols, WeakMaps or WeakSets will throw"); the reply comes back the same way; a
//    handler's error rejects with "Error invoking remote method '<channel>': <error>" (docs: api/ipc-renderer).
// The page cannot reach ipcRenderer: the binding this file uses is taken off `window` before page
// scripts run, and events arrive through a non-enumerable, non-configurable function.
// This function is serialized with Function.prototype.toString and evaluated in the page: it must not
// close over anything.

export interface PreloadRuntimeArgs {
  bindingName: string;
  deliverKey: string;
  platform: string;
  versions: Record<string, string>;
}

export function preloadRuntime(a: PreloadRuntimeArgs, preload: (require: (id: string) => unknown, module: { exports: unknown }, exports: unknown, process: unknown) => void): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const binding = g[a.bindingName] as (msg: unknown) => Promise<{ ok: boolean; value?: unknown; message?: string }>;
  try {
    delete g[a.bindingName];
  } catch {
    /* left on window: the scenario "window.ucwa is exactly the contract" reports it */
  }
  if (typeof binding !== 'function') throw new Error('emulation: the IPC binding is missing');
  type Listener = (event: unknown, ...args: unknown[]) => void;
  const listeners = new Map<string, Listener[]>();

  const clone = (value: unknown): unknown => {
    try {
      return structuredClone(value);
    } catch (err) {
      throw new Error('An object could not be cloned.', { cause: err });
    }
  };

  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      const r = await binding({ kind: 'invoke', channel: String(channel), args: clone(args) });
      if (!r.ok) throw new Error(r.message);
      return r.value;
    },
    send(channel: string, ...args: unknown[]): void {
      void binding({ kind: 'send', channel: String(channel), args: clone(args) });
    },
    on(channel: string, listener: Listener) {
      const list = listeners.get(channel) ?? [];
      list.push(listener);
      listeners.set(channel, list);
      return ipcRenderer;
    },
    once(channel: string, listener: Listener) {
      const once: Listener = (e, ...args) => {
        ipcRenderer.removeListener(channel, once);
        listener(e, ...args);
      };
      return ipcRenderer.on(channel, once);
    },
    removeListener(channel: string, listener: Listener) {
      const list = listeners.get(channel) ?? [];
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
      return ipcRenderer;
    },
    off(channel: string, listener: Listener) {
      return ipcRenderer.removeListener(channel, listener);
    },
    removeAllListeners(channel?: string) {
      if (channel === undefined) listeners.clear();
      else listeners.delete(channel);
      return ipcRenderer;
    },
  };

  Object.defineProperty(g, a.deliverKey, {
    enumerable: false,
    configurable: false,
    writable: false,
    value: (channel: string, args: unknown[]) => {
      const event = { sender: ipcRenderer, ports: [] as unknown[] };
      for (const l of [...(listeners.get(channel) ?? [])]) {
        try {
          l(event, ...args);
        } catch (err) {
          console.error(err);
        }
      }
    },
  });

  // contextBridge's copy: world-crossing rules, applied both ways.
  const copy = (value: unknown, depth: number): unknown => {
    if (depth > 1000) throw new Error('contextBridge: object graph too deep');
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'function') {
        const fn = value as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          let result: unknown;
          try {
            result = fn(...args.map((x) => copy(x, 0)));
          } catch (err) {
            // eslint-disable-next-line preserve-caught-error -- crossing the bridge keeps only the message
            throw new Error(err instanceof Error ? err.message : String(err));
          }
          return copy(result, 0);
        };
      }
      if (typeof value === 'symbol') throw new Error('contextBridge: symbols cannot be copied');
      return value;
    }
    if (value instanceof Promise) return value.then((v) => copy(v, 0), (e: unknown) => Promise.reject(new Error(e instanceof Error ? e.message : String(e))));
    if (value instanceof Error) return new Error(value.message);
    if (Array.isArray(value)) return value.map((v) => copy(v, depth + 1));
    if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return structuredClone(value);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) out[k] = copy((value as Record<string, unknown>)[k], depth + 1);
    return out;
  };

  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown) {
      if (key in g) throw new Error(`Cannot bind an API on top of an existing property on the window object`);
      Object.defineProperty(g, key, { value: copy(api, 0), enumerable: true, configurable: false, writable: false });
    },
  };

  const require = (id: string): unknown => {
    if (id === 'electron') return { contextBridge, ipcRenderer };
    if (id === 'events' || id === 'timers' || id === 'url') throw new Error(`emulation: the sandboxed require('${id}') is not emulated`);
    throw new Error(`module not found: ${id}`);
  };
  const module = { exports: {} as unknown };
  const sandboxProcess = { platform: a.platform, versions: a.versions, type: 'renderer', sandboxed: true, contextIsolated: true, env: {} };
  preload(require, module, module.exports, sandboxProcess);
}
