// A sender's text colour kept readable on this window's bubble (issue 12: dark red on the dark
// theme's bubble failed WCAG contrast). The sender chose a hue, not an unreadable message: the
// colour is moved toward the theme's own text colour only as far as AA contrast (4.5:1) needs.
// Colours come from getComputedStyle, which always answers rgb()/rgba().

type Rgb = [number, number, number];

function parse(css: string): { rgb: Rgb; alpha: number } | null {
  const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+%?))?\s*\)$/.exec(css.trim());
  if (!m) return null;
  const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? Number.parseFloat(m[4]) / 100 : Number(m[4]);
  return { rgb: [Number(m[1]), Number(m[2]), Number(m[3])], alpha: a };
}

function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrast(a: Rgb, b: Rgb): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as Rgb;

/** The colour `fg` moved toward `text` just enough to read on `bg` at 4.5:1; null when it already does. */
export function readable(fg: Rgb, bg: Rgb, text: Rgb, min = 4.5): Rgb | null {
  if (contrast(fg, bg) >= min) return null;
  for (let t = 0.1; t < 1; t += 0.1) {
    const c = mix(fg, text, t);
    if (contrast(c, bg) >= min) return c;
  }
  return text;
}

/** The first opaque background behind `el` (up to `root`'s parent chain); white when none is found. */
function backgroundOf(el: Element): Rgb {
  for (let e: Element | null = el; e; e = e.parentElement) {
    const bg = parse(getComputedStyle(e).backgroundColor);
    if (bg && bg.alpha >= 0.99) return bg.rgb;
  }
  return [255, 255, 255];
}

/** Re-colours, under `root`, every element given a colour (by its sender) that would not be readable. */
export function keepReadable(root: HTMLElement, styled: Iterable<HTMLElement>): void {
  const text = parse(getComputedStyle(root).color)?.rgb;
  if (!text) return;
  for (const el of styled) {
    if (!el.style.color) continue;
    const fg = parse(getComputedStyle(el).color);
    if (!fg) continue;
    const fix = readable(fg.rgb, backgroundOf(el), text);
    if (fix) el.style.setProperty('color', `rgb(${fix.join(', ')})`);
  }
}
