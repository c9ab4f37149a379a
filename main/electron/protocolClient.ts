// Registration as the handler of sip: and im: links. In development (electron .) Electron would
// register the bare Electron binary, which cannot start the app without its path argument: only a
// packaged app registers itself, unless asked explicitly.
export const LINK_SCHEMES = ['sip', 'im'] as const;

export function protocolClientArgs(opts: { packaged: boolean; execPath: string; appPath: string; force?: boolean }): { register: boolean; path?: string; args?: string[] } {
  if (opts.packaged) return { register: true };
  if (!opts.force) return { register: false };
  return { register: true, path: opts.execPath, args: [opts.appPath, '--'] };
}
