// Small HTML pages of the passive sign-in (the pool's PassiveAuth endpoint and the fake AD FS).
// Everything a request can influence is echoed through esc(): these pages render in a real browser
// window of the client.

import type { Reply } from './model.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value → HTML-safe. */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

/** A whole page; `body` is HTML already (callers escape what they interpolate). */
export function htmlPage(title: string, body: string, status = 200, headers?: Record<string, string | string[]>): Reply {
  return {
    status,
    headers: { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers },
    contentType: 'text/html; charset=utf-8',
    body: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`,
  };
}
