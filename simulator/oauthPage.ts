// The fake authorization server's sign-in page (modern authentication, PROTOCOL-2 §3.6): a form
// with user name, password, Sign in and Cancel. The validated authorize parameters ride along as
// hidden fields and are validated again on POST. Everything echoed goes through esc(): the page
// renders in the user's real browser.

import { esc, htmlPage } from './htmlPage.ts';
import type { Reply } from './model.ts';
import { AUTHORIZE_PATH } from './oauthGrants.ts';

/** The authorize parameters carried from the GET to the form's POST. */
export interface AuthorizeParams {
  response_type: string;
  client_id: string;
  redirect_uri: string;
  state: string;
  code_challenge: string;
  code_challenge_method: string;
  resource: string;
}

// No script, no subresource, no framing (the page asks for a password).
const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

export function signInPage(p: AuthorizeParams, opts: { domain: string; username?: string; error?: string }): Reply {
  const hidden = Object.entries(p)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  const error = opts.error ? `<p role="alert" class="error">${esc(opts.error)}</p>` : '';
  const body =
    `<main><h1>Sign in</h1>` +
    `<p>${esc(opts.domain)} — to ${esc(p.resource)}</p>` +
    error +
    `<form method="post" action="${esc(AUTHORIZE_PATH)}">${hidden}` +
    `<label>User name <input name="username" type="text" autocomplete="username" value="${esc(opts.username ?? '')}"></label>` +
    `<label>Password <input name="password" type="password" autocomplete="current-password"></label>` +
    `<button type="submit" name="action" value="signin">Sign in</button>` +
    `<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>` +
    `</form></main>`;
  return htmlPage('Sign in to your account', body, 200, PAGE_HEADERS);
}

/** Errors that must not go back to the redirect URI (RFC 6749 §4.1.2.1: client or redirect unknown). */
export function authorizeErrorPage(message: string): Reply {
  return htmlPage('Sign-in error', `<main><h1>Sign-in error</h1><p>${esc(message)}</p></main>`, 400, PAGE_HEADERS);
}
