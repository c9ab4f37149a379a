// UCWA JSON dates are ASP.NET AJAX strings "/Date(ms)/" (optionally with a zone offset suffix,
// "/Date(ms+0100)/", which does not change the instant); XML and some builds use ISO 8601.

const ASPNET_RE = /^\/?Date\((-?\d+)(?:[+-]\d{4})?\)\/?$/;

/** The range of a JavaScript Date (ECMA-262 §21.4.1.1: ±100 000 000 days around the epoch). A
 * value outside it makes `new Date(ms)` an Invalid Date, whose toISOString() throws. */
export const MAX_DATE_MS = 8.64e15;

/** ms since epoch, or null when the value is not a date we understand or that Date can hold. */
export function parseUcwaDate(value: unknown): number | null {
  const ms = parseAny(value);
  return ms !== null && Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? Math.trunc(ms) : null;
}

function parseAny(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.length > 64) return null; // no date is longer
  const m = ASPNET_RE.exec(value.trim());
  if (m) return Number(m[1]);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

export function formatUcwaDate(ms: number): string {
  return `/Date(${Math.trunc(ms)})/`;
}
