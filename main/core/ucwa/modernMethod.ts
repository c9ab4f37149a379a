// Modern authentication as a sign-in method (grants.ts `modern`), for the CLI and the app alike:
// the first token from the browser; renewals by the refresh token, the browser again only when the
// authority refused it (a network blip is retried as any request, never answered with a browser tab).
import type { SignInMethods } from './grants.ts';
import { authorizeAt, modernAuthToken, refreshModernToken, refreshRefused, type ModernToken } from './modernAuth.ts';

export function modernMethod(o: {
  clientId: string;
  /** Instead of the authority the server names (UCWA_AUTHORITY, --authority). */
  authority?: string;
  openBrowser: (url: string) => Promise<void> | void;
  log?: (line: string) => void;
}): NonNullable<SignInMethods['modern']> {
  let last: ModernToken | null = null;
  return async (ctx) => {
    const signal = ctx.signal ? { signal: ctx.signal } : {};
    if (last?.refreshToken) {
      try {
        last = await refreshModernToken({ transport: ctx.transport, tokenUrl: last.tokenUrl, refreshToken: last.refreshToken, resource: ctx.resource, clientId: o.clientId, now: ctx.now, ...signal });
        return last;
      } catch (err) {
        if (!refreshRefused(err)) throw err;
        o.log?.(`modern authentication: the refresh token was refused (${err instanceof Error ? err.message : String(err)}); signing in in the browser again`);
        last = null;
      }
    }
    last = await modernAuthToken({
      transport: ctx.transport, authorizationUri: authorizeAt(o.authority, ctx.authorizationUri), resource: ctx.resource, clientId: o.clientId, now: ctx.now,
      ...signal, openBrowser: o.openBrowser,
    });
    return last;
  };
}
