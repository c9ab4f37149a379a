// The application menu. Electron installs a default one (with Reload and Toggle Developer Tools)
// unless the app sets its own (docs: api/menu, "Default menu"). A tray messenger needs none on
// Windows and Linux; macOS gets the app, Edit and Window menus so ⌘C, ⌘V, ⌘A, ⌘Q work in its windows.
import type { MenuItemConstructorOptions } from 'electron';

export function applicationMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] | null {
  if (platform !== 'darwin') return null;
  return [{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }];
}
