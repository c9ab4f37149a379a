// The app's sign-in methods beyond the password grant (PROTOCOL-2 §3.3, §3.4, §3.6), with every
// Electron call injected (main.ts passes the real ones; tests the emulation's):
//  - Windows sign-in: the grant POSTed through Chromium's network stack, which answers the token
//    service's Negotiate/NTLM challenge with the user's own Windows session — only for the hosts
//    this sign-in discovered (allowNTLMCredentialsForDomains), never for any server that asks.
//  - AD FS: the organisation's sign-in page in a window of its own session partition (no preload,
//    no Node, navigation limited to the pool and the identity provider it sends the user to), then
//    the passive grant through that partition's network stack, so that the pool's cookie goes with it.
//  - Modern authentication: the system browser and a loopback redirect (RFC 8252), as the CLI.
import type { GrantContext, SignInMethods } from '../core/ucwa/grants.ts';
import { SignInError } from '../core/ucwa/errors.ts';
import { modernMethod } from '../core/ucwa/modernMethod.ts';
import { tokenFromAnswer, type Token } from '../core/ucwa/token.ts';
import { createTransport, errorFromResponse, type FetchLike } from '../core/ucwa/transport.ts';
import { organisationSignIn, type SignInWindowDeps } from './signInWindow.ts';

export interface AppSignInDeps extends SignInWindowDeps {
  /** session.defaultSession.allowNTLMCredentialsForDomains(list) */
  allowIntegratedAuth(hostsCsv: string): void;
  /** The fetch of a session partition (its cookie jar): session.fromPartition(p).fetch, credentials included. */
  partitionFetch(partition: string): FetchLike;
  /** shell.openExternal */
  openExternal(url: string): Promise<void> | void;
  /** Modern authentication's client id (UCWA_CLIENT_ID); absent: used only as a last resort with the app's own id. */
  clientId?: string;
  /** The authority instead of the one the server names (UCWA_AUTHORITY). */
  authority?: string;
  log(line: string): void;
}

/** The partition of the organisation's sign-in pages: its own cookie jar, in memory only. */
export const SIGN_IN_PARTITION = 'ucwa-organisation-sign-in';
/** Used where no client id is configured and the server offers nothing else. */
export const DEFAULT_CLIENT_ID = 'ucwa-tray';

const FORM = { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' };

export function appSignInMethods(deps: AppSignInDeps): SignInMethods {
  const integrated = new Set<string>();
  const clientId = deps.clientId?.trim();
  return {
    async windows(ctx: GrantContext): Promise<Token> {
      // Only the hosts of this sign-in get the Windows session's credentials.
      integrated.add(new URL(ctx.tokenUrl).hostname);
      deps.allowIntegratedAuth([...integrated].join(','));
      const res = await ctx.transport.request({ method: 'POST', url: ctx.tokenUrl, headers: FORM, body: new URLSearchParams({ grant_type: 'urn:microsoft.rtc:windows' }).toString(), ...(ctx.signal ? { signal: ctx.signal } : {}) });
      if (res.status === 200) return tokenFromAnswer(res.json, ctx.tokenUrl, ctx.now());
      if (res.status === 401) {
        throw new SignInError({
          code: 'methodNotOffered', status: 401,
          message: `${new URL(ctx.tokenUrl).host} did not accept this computer's Windows sign-in (it needs a computer in your organisation's domain): enter your password instead.`,
        });
      }
      const e = errorFromResponse(res);
      if (e.code === 'unsupported_grant_type') throw new SignInError({ code: 'methodNotOffered', message: 'This server does not allow Windows sign-in.', status: 400, ucwaCode: e.code });
      throw e;
    },
    async passive(ctx, run) {
      // The grant through the sign-in window's own session: the pool's cookie is there.
      const partitionTransport = createTransport({ fetch: deps.partitionFetch(SIGN_IN_PARTITION), log: deps.log });
      return run({
        transport: partitionTransport, tokenUrl: ctx.tokenUrl, checkUrl: ctx.checkUrl, now: ctx.now, ...(ctx.signal ? { signal: ctx.signal } : {}),
        browserLeg: (uri, signal) => organisationSignIn(deps, { startUrl: uri, partition: SIGN_IN_PARTITION, ...(signal ? { signal } : {}) }),
      });
    },
    modern: modernMethod({
      clientId: clientId || DEFAULT_CLIENT_ID, ...(deps.authority ? { authority: deps.authority } : {}),
      openBrowser: (url) => deps.openExternal(url), log: deps.log,
    }),
    // A configured client id means the organisation set this app up for modern authentication.
    ...(clientId ? { preferModern: true } : {}),
  };
}
