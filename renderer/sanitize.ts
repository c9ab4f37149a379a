// HTML messages (UCWA text/html) are sanitized with DOMPurify — the maintained, spec-following
// sanitizer (in Electron an XSS is close to code execution, so no hand-written filter). Strict:
// no script/style/iframe/form/svg/math, no event handlers, no style attributes, only web/mail/sip
// links; links open in the browser through ucwa.openExternal (see onLinkClick), never navigate.
import DOMPurify, { type Config } from 'dompurify';

const purify = DOMPurify(window);

purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const config: Config & { RETURN_DOM?: false; RETURN_DOM_FRAGMENT?: false } = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'form', 'input', 'button', 'textarea',
    'select', 'option', 'svg', 'math', 'link', 'meta', 'base', 'template', 'video', 'audio', 'source', 'track', 'canvas', 'dialog'],
  FORBID_ATTR: ['style', 'class', 'id', 'srcset', 'action', 'formaction', 'background', 'ping'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  // Absolute web, mail and SIP links only; relative URLs would resolve against the app itself.
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|sip:|im:)/i,
  RETURN_TRUSTED_TYPE: false,
};

export function sanitizeHtml(html: string): string {
  return String(purify.sanitize(html, config));
}

/** Delegated click handler for any container of links: the app never navigates its own window. */
export function linkTarget(ev: { target: EventTarget | null }): string | null {
  const el = ev.target instanceof Element ? ev.target.closest('a[href]') : null;
  return el ? el.getAttribute('href') : null;
}
