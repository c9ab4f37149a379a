// UCWA JSON dates are ASP.NET AJAX strings "/Date(ms)/" (optionally with a zone offset suffix,
// "/Date(ms+0100)/", which does not change the instant); XML and some builds use ISO 8601.
import { isDateTime } from '../limits.ts';

const ASPNET_RE = /^\/?Date\((-?\d+)(?:[+-]\d{4})?\)\/?$/;

/** ms since epoch, or null when the value is not a date we understand or that Date can hold. */
export function parseUcwaDate(value: unknown): number | null {
  const ms = parseAny(value);
  return ms !== null && isDateTime(ms) ? Math.trunc(ms) : null;
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
