// The fake authorization server of Hybrid Modern Authentication (PROTOCOL-2 §3.6, §3.13 "Simulator
// must" 5), served on each pool under /oauth2/ when the `modernAuth` option is on: the 401 challenge
// names <pool>/oauth2/authorize (auth.ts), the browser signs in there, the app redeems the code at
// <pool>/oauth2/token, and the pool accepts the access token for its own resource only (Tokens).
// A real deployment has Azure AD or AD FS on another host; one origin is enough to exercise a client.

import { UcwaError } from './errors.ts';
import type { Ctx, Reply } from './model.ts';
import { authorizePage, authorizeSubmit } from './oauthAuthorize.ts';
import { AUTHORIZE_PATH, OAUTH_TOKEN_PATH } from './oauthGrants.ts';
import { oauthTokenReply } from './oauthToken.ts';
import type { Sim } from './sim.ts';

/** `path` lower-cased without trailing slashes, as the pool's router has it. */
export function oauthReply(sim: Sim, ctx: Ctx, path: string): Reply {
  if (!sim.cfg.modernAuth) throw new UcwaError(404);
  if (path === AUTHORIZE_PATH) {
    if (ctx.method === 'GET') return authorizePage(sim, ctx);
    if (ctx.method === 'POST') return authorizeSubmit(sim, ctx);
    throw new UcwaError(405);
  }
  if (path === OAUTH_TOKEN_PATH) {
    if (ctx.method !== 'POST') throw new UcwaError(405);
    return oauthTokenReply(sim, ctx);
  }
  throw new UcwaError(404);
}
