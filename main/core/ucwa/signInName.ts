// The sign-in name (PROTOCOL-2 §3.2): one rule for the sign-in window, the IPC and the CLI.
import { SignInError } from './errors.ts';

/**
 * The sign-in name as given, trimmed; undefined when empty. Sent verbatim (form-encoded) to the
 * token service — DOMAIN\\user, a UPN or a bare account name are all forms Microsoft shows.
 */
export function signInName(login: string | undefined): string | undefined {
  const v = login?.trim();
  if (!v) return undefined;
  // Inner spaces are fine (pre-Windows 2000 names: CONTOSO\John Smith); control characters are not.
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (v.length > 256 || /[\u0000-\u001f\u007f]/.test(v)) {
    // JSON.stringify shows a control character as an escape, not as itself.
    throw new SignInError({ code: 'invalidInput', message: `${JSON.stringify(v.slice(0, 60))} is not a sign-in name like CONTOSO\\jdoe or jdoe@contoso.com.` });
  }
  return v;
}
