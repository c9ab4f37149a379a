// The CLI's sign-in methods beyond the password grant (PROTOCOL-2 §3.3–3.6): Windows sign-in as
// NTLM with the typed password (a terminal has no Windows session to borrow), and modern
// authentication in the system browser with a loopback redirect (RFC 8252) once a client id is set.
// AD FS needs a browser window sharing cookies with the client: only the app has one, which the
// CLI says in one line.
import { spawn } from 'node:child_process';
import type { SignInMethods } from '../core/ucwa/grants.ts';
import { authorizeAt, modernAuthToken, refreshModernToken, refreshRefused, type ModernToken } from '../core/ucwa/modernAuth.ts';
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
      modern: (() => {
        let last: ModernToken | null = null;
        return async (ctx) => {
          // Renewal: the refresh token first, the browser only when it is refused (not on a network blip).
          if (last?.refreshToken) {
            try {
              last = await refreshModernToken({ transport: ctx.transport, tokenUrl: last.tokenUrl, refreshToken: last.refreshToken, resource: ctx.resource, clientId, now: ctx.now, ...(ctx.signal ? { signal: ctx.signal } : {}) });
              return last;
            } catch (err) {
              if (!refreshRefused(err)) throw err;
              last = null;
            }
          }
          last = await modernAuthToken({
            transport: ctx.transport, authorizationUri: authorizeAt(o.authority, ctx.authorizationUri), resource: ctx.resource, clientId, now: ctx.now,
            ...(ctx.signal ? { signal: ctx.signal } : {}),
            openBrowser: (url) => {
              o.say(`Sign in in your browser: ${url}`);
              (o.openBrowser ?? openInBrowser)(url);
            },
          });
          return last;
        };
      })(),
    } : {}),
    missingHint: `AD FS sign-in needs the UCWA Tray app (the organisation's page runs in its sign-in window)${clientId ? '' : '; modern authentication needs --client-id'}.`,
  };
}
