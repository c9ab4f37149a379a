// Start at login. macOS/Windows: app.setLoginItemSettings (data computed here). Linux: an XDG
// autostart .desktop file in ~/.config/autostart (Electron has no Linux login items).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../ipc/contract.ts';

export const HIDDEN_ARG = '--hidden';

export function loginItemSettings(s: Pick<Settings, 'startAtLogin' | 'startHidden'>, platform: NodeJS.Platform): { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] } {
  const args = s.startHidden ? [HIDDEN_ARG] : [];
  if (platform === 'darwin') return { openAtLogin: s.startAtLogin, openAsHidden: s.startHidden };
  return { openAtLogin: s.startAtLogin, args };
}

function desktopQuote(arg: string): string {
  // Desktop Entry spec: quote args with reserved characters; escape ", `, $, \ inside quotes.
  if (/^[A-Za-z0-9_./:=+-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartDesktopEntry(opts: { exec: string; args?: string[]; hidden: boolean }): string {
  const cmd = [opts.exec, ...(opts.args ?? []), ...(opts.hidden ? [HIDDEN_ARG] : [])].map(desktopQuote).join(' ').replace(/%/g, '%%');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=UCWA Tray',
    'Comment=Skype for Business instant messages in the tray',
    `Exec=${cmd}`,
    'Icon=ucwa-tray',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function autostartFile(env: Record<string, string | undefined> = process.env, home = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(xdg, 'autostart', 'ucwa-tray.desktop');
}

export async function applyLinuxAutostart(file: string, enabled: boolean, entry: string): Promise<void> {
  if (!enabled) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, entry, { mode: 0o644 });
}
