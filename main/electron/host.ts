// The HandlerHost of the IPC contract for the Electron shell, built from small injected parts so
// it runs (and is tested) under plain Node; main.ts passes the Electron-backed parts.
import type { HandlerHost, CallerInfo } from '../ipc/handlers.ts';
import type { SignInRequest } from '../core/app/types.ts';
import { settingsSchema, type Navigation, type Settings, type WindowName } from '../ipc/contract.ts';

/** Where each window should go when it next asks (set before showing it, taken at load). */
export function createPendingNavigation() {
  const pending = new Map<string, Navigation>();
  return {
    set(window: WindowName, nav: Navigation): void {
      pending.set(window, nav);
    },
    take(window: string | undefined): Navigation | null {
      if (!window) return null;
      const nav = pending.get(window) ?? null;
      pending.delete(window);
      return nav;
    },
  };
}

export interface ShellHostParts {
  startDemo(): Promise<SignInRequest>;
  readSettings(): Settings;
  /** Persist and apply (login item, notifications); resolves when written. */
  writeSettings(next: Settings): Promise<void>;
  openExternal(url: string): Promise<void>;
  showWindow(name: WindowName, navigation?: Navigation): Promise<void>;
  hideWindow(name: string): void;
  pending: ReturnType<typeof createPendingNavigation>;
  /** Delete local history (the account service's), then show the sign-in window. */
  deleteLocalHistory?(): Promise<{ account: string }>;
  log(line: string): void;
}

export function createShellHost(parts: ShellHostParts): HandlerHost {
  return {
    startDemo: () => parts.startDemo(),
    getSettings: async () => parts.readSettings(),
    setSettings: async (patch) => {
      const next = settingsSchema.parse({ ...parts.readSettings(), ...patch });
      await parts.writeSettings(next);
      return next;
    },
    openExternal: (url) => parts.openExternal(url),
    showWindow: (name, nav) => parts.showWindow(name, nav),
    closeWindow: async (caller: CallerInfo) => {
      if (caller.window) parts.hideWindow(caller.window);
    },
    pendingNavigation: async (caller: CallerInfo) => parts.pending.take(caller.window),
    ...(parts.deleteLocalHistory ? { deleteLocalHistory: parts.deleteLocalHistory } : {}),
    log: parts.log,
  };
}
