// sip: and im: links (the OS hands them to us as argv on Windows/Linux, as 'open-url' on macOS).
// A link is untrusted input from any web page or document: only a plain user@domain address
// gets through, anything else (parameters, headers, paths, other schemes) is refused.

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const MAX_LINK = 512;

/** `sip:user@domain` / `im:user@domain` (also `im:sip:user@domain`, `sip://…`) → `sip:user@domain`, else null. */
export function parseImLink(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LINK) return null;
  const m = /^(sip|im):(.*)$/i.exec(raw.trim());
  if (!m) return null;
  let rest = m[2]!;
  if (rest.startsWith('//')) rest = rest.slice(2);
  // Lync-style im:<sip:user@domain> and im:sip:user@domain
  if (m[1]!.toLowerCase() === 'im') {
    if (rest.startsWith('<') && rest.endsWith('>')) rest = rest.slice(1, -1);
    if (/^sip:/i.test(rest)) rest = rest.slice(4);
  }
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  let address: string;
  try {
    address = decodeURIComponent(rest);
  } catch {
    return null;
  }
  return sipAddress(address);
}

/** A bare `user@domain` → `sip:user@domain` (domain lower-cased), else null. */
export function sipAddress(address: string): string | null {
  if (address.length > 256) return null;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at !== address.indexOf('@')) return null;
  const user = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (user.length > 64 || !LOCAL.test(user)) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || domain.length > 253 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return null; // an IP address is not a SIP domain here
  return `sip:${user}@${domain}`;
}

/** The first valid sip:/im: link among command-line arguments (second instance, Windows/Linux launch). */
export function linkFromArgv(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (!/^(sip|im):/i.test(arg)) continue;
    const sip = parseImLink(arg);
    if (sip) return sip;
  }
  return null;
}

export interface ShellArgs {
  demo: boolean;
  hidden: boolean;
  link: string | null;
}

/** The shell's own switches: --demo (sign in to the built-in demo server), --hidden (start in the tray only). */
export function parseShellArgs(argv: readonly string[]): ShellArgs {
  return {
    demo: argv.includes('--demo'),
    hidden: argv.includes('--hidden'),
    link: linkFromArgv(argv),
  };
}
