// POST input may come as JSON or form body or as query parameters, with PascalCase or camelCase
// names (PROTOCOL §0.1). One case-insensitive view over all of them keeps handlers simple.

import { UcwaError } from './errors.ts';

export class Input {
  readonly #values = new Map<string, unknown>();
  readonly #links = new Map<string, string>();

  constructor(query: URLSearchParams, body: Buffer, contentType: string) {
    // Body first, then query: a value given in both places wins from the query, as the trace
    // style (`?operationId=`) is the more specific one.
    const ct = contentType.toLowerCase();
    if (body.length > 0 && (ct.includes('json') || ct === '')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        if (ct.includes('json')) throw new UcwaError(400, 'DeserializationFailure', 'The request body is not valid JSON.');
      }
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) this.#absorb(parsed as Record<string, unknown>);
    } else if (body.length > 0 && ct.includes('x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) this.#values.set(k.toLowerCase(), v);
    }
    for (const [k, v] of query) this.#values.set(k.toLowerCase(), v);
  }

  #absorb(obj: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(obj)) {
      if (k.toLowerCase() === '_links' && v && typeof v === 'object') {
        for (const [rel, link] of Object.entries(v as Record<string, unknown>)) {
          const href = link && typeof link === 'object' ? (link as Record<string, unknown>).href : undefined;
          if (typeof href === 'string') this.#links.set(rel.toLowerCase(), href);
        }
      } else {
        this.#values.set(k.toLowerCase(), v);
      }
    }
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  /** A scalar input as a string (numbers and booleans are stringified; null → undefined). */
  str(name: string): string | undefined {
    const v = this.#values.get(name.toLowerCase());
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new UcwaError(400, 'ParameterValidationFailure', `${name} must be a string.`);
  }

  list(name: string): string[] | undefined {
    const v = this.#values.get(name.toLowerCase());
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    throw new UcwaError(400, 'ParameterValidationFailure', `${name} must be an array.`);
  }

  link(rel: string): string | undefined {
    return this.#links.get(rel.toLowerCase());
  }
}
