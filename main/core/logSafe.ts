// What a log line may say about an error or a URL. Logs stay on disk for weeks and end up attached
// to bug reports, so they never hold what the user searched for or wrote, nor what colleagues wrote
// (message text, previews, subjects, HTML). Such text slips in through error messages — a server's
// error body, a URL carrying ?query=, a parser quoting its input, V8 quoting a string value — so a
// log line names an error by its kind (class, code, status, the path it concerned), never by its
// message, and a URL by its path and its numeric protocol parameters only.
// Nothing of main/core is imported here: every layer (and the shells) may use it.

/** Query parameters that carry counters the protocol sets (event acks, page numbers), never user text. */
const NUMERIC_QUERY_KEYS = new Set(['ack', 'timeout', 'page', 'limit', 'priority']);
const MAX_URL_CHARS = 300;
const MAX_DESCRIPTION_CHARS = 600;

/** An identifier-like value (a code, a kind) or '' — never free text. */
function word(v: unknown): string {
  if (typeof v !== 'string' || v.length > 64) return '';
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(v) ? v : '';
}

/**
 * A URL as a log line may show it: no user info, no fragment, and of the query only the names, with
 * values kept only for the numeric protocol counters (`?ack=3&query=…`). A people search's term
 * travels in the query: this is what keeps it out of the log. A data: URL keeps its media type only.
 */
export function safeUrl(input: unknown): string {
  if (typeof input !== 'string' || !input) return '';
  // What is kept fits in this (300 characters of path, 8 parameters): a 1 MB href costs no more.
  const raw = input.length > 4096 ? input.slice(0, 4096) : input;
  // A data: URL IS its content (UCWA carries message text in them): its media type at most.
  const data = /^\s*data:([a-z0-9!#$&^_.+-]{1,40}\/[a-z0-9!#$&^_.+-]{1,60})?/i.exec(raw);
  if (data) return `data:${data[1] ?? ''}…`;
  const end = raw.search(/[?#]/);
  let base = end < 0 ? raw : raw.slice(0, end);
  base = base.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  if (base.length > MAX_URL_CHARS) base = `${base.slice(0, MAX_URL_CHARS)}…`;
  if (end < 0 || raw[end] === '#') return base;
  const hash = raw.indexOf('#', end);
  const query = raw.slice(end + 1, hash < 0 ? undefined : hash);
  const params = query.split('&').filter(Boolean).slice(0, 8).map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(key)) return '…';
    if (NUMERIC_QUERY_KEYS.has(key) && /^\d{1,12}$/.test(value)) return `${key}=${value}`;
    return eq < 0 ? key : `${key}=…`;
  });
  return params.length ? `${base}?${params.join('&')}` : base;
}

/** Where an error was thrown (its first stack frame), for errors that carry no code of their own. */
function thrownAt(stack: unknown): string {
  if (typeof stack !== 'string') return '';
  const frame = stack.split('\n').find((l) => /^\s+at /.test(l));
  return frame ? frame.trim().replace(/file:\/\//g, '').slice(0, 200) : '';
}

function describe(err: unknown, depth: number): string {
  if (err === null || err === undefined) return String(err);
  if (typeof err !== 'object') return `a thrown ${typeof err}`; // a thrown string could say anything
  const e = err as Record<string, unknown>;
  const name = word(e.name) || word((e.constructor as { name?: unknown } | undefined)?.name) || 'Error';
  const status = typeof e.status === 'number' && Number.isInteger(e.status) ? String(e.status) : '';
  const parts: string[] = [name];
  let coded = true;
  switch (name) {
    case 'UcwaError': {
      const sub = word(e.subcode);
      parts.push(status, `${word(e.code)}${sub ? `/${sub}` : ''}`);
      if (e.url) parts.push(`at ${safeUrl(e.url)}`);
      break;
    }
    case 'NetworkError':
      parts.push(word(e.kind));
      if (e.url) parts.push(`at ${safeUrl(e.url)}`);
      break;
    case 'BadResponseError':
    case 'StoreError':
      parts.push(word(e.kind));
      break;
    default: {
      // AppError, SignInError, SecretsError, Node's system errors (ECONNREFUSED), SQLite's (SQLITE_BUSY).
      const code = word(e.code);
      coded = !!code;
      parts.push(code, status, word(e.ucwaCode), word(e.subcode));
    }
  }
  if (!coded) parts.push(thrownAt(e.stack));
  if (e.cause !== undefined && depth < 3) parts.push(`← ${describe(e.cause, depth + 1)}`);
  const text = parts.filter(Boolean).join(' ');
  return text.length > MAX_DESCRIPTION_CHARS ? `${text.slice(0, MAX_DESCRIPTION_CHARS)}…` : text;
}

/**
 * An error as a log line may describe it: its class, code, status and URL path (and those of its
 * causes), or where it was thrown — never its message. "UcwaError 409 Conflict/AlreadyExists at
 * https://pool/ucwa/…/messaging/messages", "AppError network ← NetworkError timeout at https://…".
 */
export function describeError(err: unknown): string {
  return describe(err, 0);
}
