// A fake AD FS (WS-Federation passive requestor, /adfs/ls/) for passive sign-in, PROTOCOL-2 §3.4:
// a forms sign-in page, an optional verification-code step with Cancel, and the auto-posting
// "Working..." form that carries the security token (wresult) back to the pool's PassiveAuth.aspx.
// It knows the pools as relying parties by their realm (wtrealm); wctx is the pool's, passed through.

import { esc, htmlPage } from './htmlPage.ts';
import type { Ctx, Pool, Reply } from './model.ts';
import { ADFS_PATH, PASSIVE_AUTH_PATH, realmOf } from './passiveAuth.ts';
import { passiveState } from './passiveState.ts';
import type { Sim } from './sim.ts';

export const ADFS_CANCEL_PATH = `${ADFS_PATH}cancel`;

/** Wrong codes allowed before the sign-in fails for good. */
const MAX_WRONG_CODES = 3;

interface SignInRequest {
  pool: Pool;
  wctx: string;
  /** The query to post the form back to (wa, wtrealm, wctx). */
  query: string;
}

/** The WS-Federation parameters, or undefined when they name no relying party AD FS knows. */
function signInRequest(sim: Sim, ctx: Ctx): SignInRequest | undefined {
  const p = ctx.url.searchParams;
  const realm = (p.get('wtrealm') ?? '').toLowerCase();
  const pool = sim.pools.find((x) => realmOf(x.origin).toLowerCase() === realm);
  if (p.get('wa') !== 'wsignin1.0' || !pool) return undefined;
  const wctx = p.get('wctx') ?? '';
  return { pool, wctx, query: new URLSearchParams({ wa: 'wsignin1.0', wtrealm: realmOf(pool.origin), wctx }).toString() };
}

const unknownRequest = (): Reply =>
  htmlPage('Sign In', '<h1>An error occurred</h1><p>The sign-in request is not valid. Go back to the application and sign in again.</p>', 400);

function signInPage(r: SignInRequest, userName = '', error = ''): Reply {
  return htmlPage(
    'Sign In',
    `<h1>Sign in</h1>` +
      (error ? `<p id="errorText" role="alert">${esc(error)}</p>` : '') +
      `<form method="post" id="loginForm" action="${esc(`${ADFS_PATH}?${r.query}`)}">` +
      `<label for="userNameInput">User name</label><input id="userNameInput" name="UserName" type="text" autocomplete="username" value="${esc(userName)}">` +
      `<label for="passwordInput">Password</label><input id="passwordInput" name="Password" type="password" autocomplete="current-password">` +
      `<input type="hidden" name="AuthMethod" value="FormsAuthentication">` +
      `<button type="submit" id="submitButton">Sign in</button></form>`,
  );
}

function mfaPage(r: SignInRequest, context: string, error = ''): Reply {
  return htmlPage(
    'Verify your identity',
    `<h1>Enter the verification code</h1>` +
      (error ? `<p id="errorText" role="alert">${esc(error)}</p>` : '') +
      `<form method="post" id="mfaForm" action="${esc(`${ADFS_PATH}?${r.query}`)}">` +
      `<input type="hidden" name="Context" value="${esc(context)}">` +
      `<label for="codeInput">Code</label><input id="codeInput" name="VerificationCode" type="text" inputmode="numeric" autocomplete="one-time-code">` +
      `<button type="submit" id="verifyButton">Verify</button></form>` +
      `<p><a id="cancelLink" href="${esc(`${ADFS_CANCEL_PATH}?${new URLSearchParams({ Context: context }).toString()}`)}">Cancel</a></p>`,
  );
}

/** The "Working..." page: posts the security token to the pool by itself (and by hand without scripts). */
function autoPost(sim: Sim, sip: string, pool: Pool, wctx: string): Reply {
  const wresult = passiveState(sim).issueTicket(sip, pool.index, wctx);
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${esc(value)}">`;
  return htmlPage(
    'Working...',
    `<form method="POST" name="hiddenform" action="${esc(pool.origin + PASSIVE_AUTH_PATH)}">` +
      hidden('wa', 'wsignin1.0') + hidden('wresult', wresult) + hidden('wctx', wctx) +
      `<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript></form>` +
      `<script>document.forms[0].submit()</script>`,
  );
}

export function adfsGet(sim: Sim, ctx: Ctx): Reply {
  const r = signInRequest(sim, ctx);
  return r ? signInPage(r) : unknownRequest();
}

export function adfsPost(sim: Sim, ctx: Ctx): Reply {
  const r = signInRequest(sim, ctx);
  if (!r) return unknownRequest();
  const form = new URLSearchParams(ctx.body.toString('utf8'));
  const context = form.get('Context');
  if (context !== null) return codeStep(sim, r, context, form.get('VerificationCode') ?? '');
  const userName = form.get('UserName') ?? '';
  const user = sim.world.account(userName);
  if (!user || user.password === undefined || user.password !== (form.get('Password') ?? '')) {
    return signInPage(r, userName, 'Incorrect user ID or password.');
  }
  // Only after the right password, so the page does not tell strangers which accounts exist.
  if (user.locked) return signInPage(r, userName, 'Your account is locked. Contact your administrator.');
  if (sim.cfg.passive.mfa) return mfaPage(r, passiveState(sim).startMfa(user.sip, r.pool.index, r.wctx));
  return autoPost(sim, user.sip, r.pool, r.wctx);
}

function codeStep(sim: Sim, r: SignInRequest, context: string, code: string): Reply {
  const state = passiveState(sim);
  const step = state.mfa(context);
  if (!step) return unknownRequest();
  const pool = sim.pools.find((p) => p.index === step.pool);
  if (!pool) return unknownRequest();
  if (code.trim() === sim.cfg.passive.mfaCode) {
    state.endMfa(context);
    return autoPost(sim, step.sip, pool, step.wctx);
  }
  step.wrongCodes += 1;
  if (step.wrongCodes >= MAX_WRONG_CODES) {
    state.endMfa(context);
    return htmlPage('Sign In', '<h1>Verification failed.</h1><p>Go back to the application and sign in again.</p>');
  }
  return mfaPage(r, context, 'That code is not right. Check it and try again.');
}

/** Cancel on the code step: the sign-in ends here; nothing is posted back to the pool. */
export function adfsCancel(sim: Sim, ctx: Ctx): Reply {
  passiveState(sim).endMfa(ctx.url.searchParams.get('Context') ?? '');
  return htmlPage('Sign-in cancelled', '<h1>Sign-in cancelled</h1><p>You cancelled the sign-in. You can close this window.</p>');
}
