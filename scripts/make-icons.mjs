// Pre-renders every tray, overlay and app icon from ONE SVG template (iconSvg below) with resvg.
// The output in build/ is committed: the app never renders icons at run time.
//   build/tray/tray-<kind>-16.png (+@2x), -32.png (+@2x)   colour, Windows and Linux trays
//   build/tray/tray-<kind>-16Template.png (+@2x)           macOS template images (black + alpha)
//   build/tray/tray-<kind>.ico                              Windows (16 + 32 px)
//   build/overlay-<n>.png                                   Windows taskbar overlay (unread count)
//   build/icon.png, build/icon.ico, build/icons/<n>x<n>.png  the app icon (electron-builder, windows)
// <kind>: offline, online, busy, dnd, away, unread-1 … unread-9, unread-9plus.
// Digits are drawn as strokes (no fonts): the result is the same on every machine.
import { Resvg } from '@resvg/resvg-js';
import pngToIco from 'png-to-ico';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = join(root, 'build');

export const PRESENCE = ['offline', 'online', 'busy', 'dnd', 'away'];
export const UNREAD = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '9plus'];

const COLOURS = { bubble: '#0F6CBD', online: '#6BB700', busy: '#C4314B', dnd: '#C4314B', away: '#FFAA44', offline: '#8A8886', badge: '#D13438' };

// Digits in a 4 × 7 box, as stroke paths.
const GLYPHS = {
  0: 'M2,0 Q0,0 0,3.5 Q0,7 2,7 Q4,7 4,3.5 Q4,0 2,0 Z',
  1: 'M0.8,1.4 L2.4,0 V7',
  2: 'M0.2,1.5 Q0.6,0 2,0 Q4,0 4,2 Q4,3.4 0,7 H4',
  3: 'M0.3,0.6 Q1,0 2,0 Q3.9,0 3.9,1.8 Q3.9,3.3 2,3.3 Q4,3.3 4,5.2 Q4,7 2,7 Q0.8,7 0.1,6.2',
  4: 'M3,7 V0 L0,4.8 H4.2',
  5: 'M3.8,0 H0.5 L0.2,3.2 Q1,2.6 2,2.6 Q4,2.6 4,4.8 Q4,7 2,7 Q0.8,7 0.1,6.2',
  6: 'M3.6,0.4 Q3,0 2.2,0 Q0,0 0,4 Q0,7 2,7 Q4,7 4,5 Q4,3 2,3 Q0.4,3 0,4.6',
  7: 'M0,0 H4 L1.6,7',
  8: 'M2,3.2 Q0.2,3.2 0.2,1.6 Q0.2,0 2,0 Q3.8,0 3.8,1.6 Q3.8,3.2 2,3.2 Q0,3.2 0,5.1 Q0,7 2,7 Q4,7 4,5.1 Q4,3.2 2,3.2 Z',
  9: 'M0.4,6.6 Q1,7 1.8,7 Q4,7 4,3 Q4,0 2,0 Q0,0 0,2 Q0,4 2,4 Q3.6,4 4,2.4',
  '+': 'M2,1.5 V5.5 M0,3.5 H4',
};

/** The badge label's strokes, centred on (cx, cy) with glyph height h. */
function label(text, cx, cy, h, colour, width) {
  const chars = text === '9plus' ? ['9', '+'] : [...text];
  const s = h / 7;
  const gap = 1.2 * s;
  const total = chars.length * 4 * s + (chars.length - 1) * gap;
  let x = cx - total / 2;
  const y = cy - h / 2;
  return chars.map((c) => {
    const g = `<path d="${GLYPHS[c]}" transform="translate(${x.toFixed(2)} ${y.toFixed(2)}) scale(${s.toFixed(3)})" fill="none" stroke="${colour}" stroke-width="${(width / s).toFixed(3)}" stroke-linecap="round" stroke-linejoin="round"/>`;
    x += 4 * s + gap;
    return g;
  }).join('');
}

const BUBBLE = 'M8,4 H20 A5,5 0 0 1 25,9 V16 A5,5 0 0 1 20,21 H12 L7,26 V21 A5,5 0 0 1 3,16 V9 A5,5 0 0 1 8,4 Z';

/**
 * THE template. state: a presence kind, 'unread-<n>', 'overlay-<n>' or 'app'. template: black + alpha
 * only (macOS menu bar), shapes instead of colours.
 */
export function iconSvg(state, { template = false } = {}) {
  const ink = template ? '#000' : COLOURS.bubble;
  const parts = [];
  const defs = [];
  if (state.startsWith('overlay-')) {
    const n = state.slice('overlay-'.length);
    return svg(`<circle cx="16" cy="16" r="15" fill="${COLOURS.badge}"/><circle cx="16" cy="16" r="15" fill="none" stroke="#fff" stroke-width="2"/>${label(n, 16, 16, n === '9plus' ? 14 : 16, '#fff', 3.2)}`);
  }
  if (state === 'app') {
    return svg(`<rect x="1" y="1" width="30" height="30" rx="7" fill="${COLOURS.bubble}"/><g transform="translate(3 3) scale(0.82)"><path d="${BUBBLE}" fill="#fff"/></g><circle cx="24" cy="24" r="5" fill="${COLOURS.online}" stroke="#fff" stroke-width="1.6"/>`);
  }
  const unread = state.startsWith('unread-') ? state.slice('unread-'.length) : null;
  // Cut-outs keep the shapes apart on any background (and are the only way to draw in a template).
  const cut = [];
  if (unread) cut.push('<circle cx="23" cy="9" r="10.5" fill="#000"/>');
  else cut.push('<circle cx="25" cy="24" r="7.5" fill="#000"/>');
  defs.push(`<mask id="m" maskUnits="userSpaceOnUse" x="0" y="0" width="32" height="32"><rect width="32" height="32" fill="#fff"/>${cut.join('')}</mask>`);
  const offline = state === 'offline';
  parts.push(`<path d="${BUBBLE}" fill="${ink}" ${offline ? `fill-opacity="${template ? 0.45 : 0.55}"` : ''} mask="url(#m)"/>`);
  if (unread) {
    const fill = template ? '#000' : COLOURS.badge;
    defs.push(`<mask id="d" maskUnits="userSpaceOnUse" x="0" y="0" width="32" height="32"><rect width="32" height="32" fill="#fff"/>${label(unread, 23, 9, unread === '9plus' ? 9 : 11, '#000', 2.4)}</mask>`);
    parts.push(template
      ? `<circle cx="23" cy="9" r="9" fill="${fill}" mask="url(#d)"/>`
      : `<circle cx="23" cy="9" r="9" fill="${fill}"/>${label(unread, 23, 9, unread === '9plus' ? 9 : 11, '#fff', 2.4)}`);
  } else {
    const c = template ? '#000' : COLOURS[state];
    switch (state) {
      case 'online':
        parts.push(`<circle cx="25" cy="24" r="6" fill="${c}"/>`);
        break;
      case 'busy':
        parts.push(template ? `<rect x="19.5" y="18.5" width="11" height="11" rx="1.5" fill="${c}"/>` : `<circle cx="25" cy="24" r="6" fill="${c}"/>`);
        break;
      case 'dnd':
        defs.push('<mask id="bar" maskUnits="userSpaceOnUse" x="0" y="0" width="32" height="32"><rect width="32" height="32" fill="#fff"/><rect x="21" y="22.6" width="8" height="2.8" rx="1" fill="#000"/></mask>');
        parts.push(template ? `<circle cx="25" cy="24" r="6" fill="${c}" mask="url(#bar)"/>` : `<circle cx="25" cy="24" r="6" fill="${c}"/><rect x="21" y="22.6" width="8" height="2.8" rx="1" fill="#fff"/>`);
        break;
      case 'away':
        parts.push(`<circle cx="25" cy="24" r="5" fill="none" stroke="${c}" stroke-width="2"/><path d="M25,21.3 V24.3 H27.3" fill="none" stroke="${c}" stroke-width="1.6" stroke-linecap="round"/>`);
        break;
      case 'offline':
        parts.push(`<circle cx="25" cy="24" r="5" fill="none" stroke="${c}" stroke-width="2"/><path d="M21.6,27.4 L28.4,20.6" stroke="${c}" stroke-width="2" stroke-linecap="round"/>`);
        break;
      default:
        throw new Error(`unknown icon state ${state}`);
    }
  }
  return svg(`<defs>${defs.join('')}</defs>${parts.join('')}`);
}

function svg(body) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">${body}</svg>`;
}

export function renderPng(svgText, px) {
  return new Resvg(svgText, { fitTo: { mode: 'width', value: px }, background: 'rgba(0,0,0,0)', font: { loadSystemFonts: false } }).render().asPng();
}

function write(rel, data) {
  const file = join(build, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

export async function makeIcons() {
  const written = [];
  for (const kind of [...PRESENCE, ...UNREAD.map((n) => `unread-${n}`)]) {
    const colour = iconSvg(kind);
    for (const px of [16, 32]) {
      written.push(write(`tray/tray-${kind}-${px}.png`, renderPng(colour, px)));
      written.push(write(`tray/tray-${kind}-${px}@2x.png`, renderPng(colour, px * 2)));
    }
    const tpl = iconSvg(kind, { template: true });
    written.push(write(`tray/tray-${kind}-16Template.png`, renderPng(tpl, 16)));
    written.push(write(`tray/tray-${kind}-16Template@2x.png`, renderPng(tpl, 32)));
    written.push(write(`tray/tray-${kind}.ico`, await pngToIco([renderPng(colour, 16), renderPng(colour, 32)])));
  }
  for (const n of UNREAD) written.push(write(`overlay-${n}.png`, renderPng(iconSvg(`overlay-${n}`), 16)));
  const app = iconSvg('app');
  for (const px of [16, 32, 48, 64, 128, 256, 512]) written.push(write(`icons/${px}x${px}.png`, renderPng(app, px)));
  written.push(write('icon.png', renderPng(app, 1024)));
  written.push(write('icon.ico', await pngToIco([16, 24, 32, 48, 64, 128, 256].map((px) => renderPng(app, px)))));
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await makeIcons();
  console.log(`make-icons: wrote ${files.length} files under build/`);
}
