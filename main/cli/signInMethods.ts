// The CLI's sign-in methods beyond the password grant (PROTOCOL-2 §3.3–3.6): Windows sign-in as
// NTLM with the typed password (a terminal has no Windows session to borrow), and modern
// authentication in the system browser with a loopback redirect (RFC 8252) once a client id is set.
// AD FS needs a browser window sharing cookies with the client: only the app has one, which the
// CLI says in one line.
import { spawn } from 'node:child_process';
import type { SignInMethods } from '../core/ucwa/grants.ts';
import { modernMethod } from '../core/ucwa/modernMethod.ts';
import { requestWindowsToken } from '../core/ucwa/ntlmGrant.ts';

export interface CliSignInOptions {
  /** This app's registration at the organisation's authority (--client-id / UCWA_CLIENT_ID). */
  clientId?: string;
  /** The authority to use instead of the one the server names (--authority / UCWA_AUTHORITY), e.g. https://sts.contoso.com/adfs. */
  authority?: string;
  /** Where the sign-in link is shown (stderr), and whether to try the desktop's browser. */
  say: (line: string) => void;
  openBrowser?: (url: string) => void;
}

/**
 * $BROWSER (the Unix convention: the command, given the URL), else xdg-open / open / start;
 * detached and quiet — the link is printed either way.
 */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): void {
  const custom = env.BROWSER?.split(':')[0]?.trim().split(/\s+/).filter(Boolean);
  const [cmd, args] = custom?.length ? [custom[0]!, [...custom.slice(1), url]]
    // Windows: never through cmd.exe, which would read & and | in the URL as commands.
    : process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined); // no browser here: the printed link is the way
    child.unref();
  } catch {
    // as above
  }
}

export function cliSignInMethods(o: CliSignInOptions): SignInMethods {
  const clientId = o.clientId?.trim();
  return {
    windowsNeedsPassword: true,
    windows: (ctx) => requestWindowsToken(ctx.tokenUrl, ctx.creds, ctx.now, { ...(ctx.signal ? { signal: ctx.signal } : {}), allowHttp: ctx.loopback }),
    ...(clientId ? {
      preferModern: true,
      modern: modernMethod({
        clientId, ...(o.authority ? { authority: o.authority } : {}),
        openBrowser: (url) => {
          o.say(`Sign in in your browser: ${url}`);
          (o.openBrowser ?? openInBrowser)(url);
        },
      }),
    } : {}),
    missingHint: `AD FS sign-in needs the UCWA Tray app (the organisation's page runs in its sign-in window)${clientId ? '' : '; modern authentication needs --client-id'}.`,
  };
}
