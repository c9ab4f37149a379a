// HTML messages (UCWA text/html) are sanitized with DOMPurify — the maintained, spec-following
// sanitizer (in Electron an XSS is close to code execution, so no hand-written filter). Strict:
// no script/style/iframe/form/svg/math, no event handlers, no style attributes, only web/mail/sip
// links; links open in the browser through ucwa.openExternal (see onLinkClick), never navigate.
// Formatting: the CSP (style-src 'self') refuses style attributes, so a message's inline colours
// and emphasis are carried over as a data attribute holding an allowlisted, re-written subset
// (formatStyle.ts) and set through the CSSOM (applyFormatting), which the CSP allows.
import DOMPurify, { type Config } from 'dompurify';
import { FORMAT_ATTR, safeDeclarations } from './formatStyle.ts';
import { emojify } from './emoticons.ts';
import { keepReadable } from './readableColor.ts';

// Made on first use: creating a sanitizer builds its tables and a scratch HTML document, work the
// history window's first list (no HTML in it) need not wait for (issue 12).
let instance: ReturnType<typeof DOMPurify> | null = null;
function purifier(): ReturnType<typeof DOMPurify> {
  if (instance) return instance;
  const purify = DOMPurify(window);

  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (data.attrName !== FORMAT_ATTR) return;
    data.attrValue = safeDeclarations(data.attrValue);
    // Kept as re-written (DOMPurify would otherwise check the value as a URI and drop it).
    if (data.attrValue) data.forceKeepAttr = true;
    else data.keepAttr = false;
  });

  // Emoticons in the text of formatted messages too, but never in links or code.
  purify.addHook('afterSanitizeElements', (node) => {
    if (node.nodeType !== 3 || !node.textContent) return;
    if (node.parentElement?.closest('a, code, pre, kbd, samp')) return;
    const e = emojify(node.textContent);
    if (e !== node.textContent) node.textContent = e;
  });

  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
  instance = purify;
  return purify;
}

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

/** `style=` in tags renamed to the formatting attribute BEFORE the parse: parsing a style
 * attribute, even in DOMPurify's inert document, is what the CSP reports as a violation. A tag this
 * scan misreads (a ">" inside a quoted value) only keeps its style=, which DOMPurify then drops. */
export function renameStyleAttrs(html: string): string {
  if (!/style/i.test(html)) return html;
  return html.replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(/(\s)style(\s*=)/gi, `$1${FORMAT_ATTR}$2`));
}

export function sanitizeHtml(html: string): string {
  return String(purifier().sanitize(renameStyleAttrs(html), config));
}

/** Sets the kept declarations of every formatted element under `root` through the CSSOM. */
export function applyFormatting(root: HTMLElement | null): void {
  if (!root) return;
  const styled = [...root.querySelectorAll<HTMLElement>(`[${FORMAT_ATTR}]`)];
  for (const el of styled) {
    // Re-checked here: the attribute is in the DOM, and this is the last step before it takes effect.
    for (const [prop, value] of parseDeclarations(safeDeclarations(el.getAttribute(FORMAT_ATTR) ?? ''))) el.style.setProperty(prop, value);
  }
  keepReadable(root, styled);
}

function parseDeclarations(s: string): [string, string][] {
  return s.split(';').filter(Boolean).map((d) => { const i = d.indexOf(':'); return [d.slice(0, i), d.slice(i + 1)]; });
}

/** Delegated click handler for any container of links: the app never navigates its own window. */
export function linkTarget(ev: { target: EventTarget | null }): string | null {
  const el = ev.target instanceof Element ? ev.target.closest('a[href]') : null;
  return el ? el.getAttribute('href') : null;
}
