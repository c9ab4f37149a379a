// Structure-aware mutation: a valid document (a recorded answer of the simulator) with a few
// edits at generated places — a value replaced by one of the wrong type or by a hostile string or
// href, a key deleted or added (links such as next/resume, prototype keys), an object wrapped in
// an array or an array cut to its first item, an array grown huge, a value nested deep, a value
// copied from elsewhere in the document. The edits are data (fast-check shrinks them).
import fc from 'fast-check';
import { nest, type Sizes } from './values.ts';

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

const ADD_KEYS = [
  'next', 'resume', 'resync', 'self', 'href', 'rel', 'title', '_links', '_embedded', 'sender', 'events', 'link', 'in', 'type',
  'status', 'reason', 'plainMessage', 'htmlMessage', 'message', 'participant', 'contact', 'timeStamp', 'direction',
  'operationId', 'threadId', 'conversationLogTranscript', 'messageTranscript', 'nextConversationLogTranscripts',
  'conversationLog', 'conversationLogRecipient', 'sipUri', 'uri', 'name', '__proto__', 'constructor', 'toString',
];

export interface Edit {
  at: number;
  op: number;
  payload: unknown;
  key: string;
  n: number;
}

/** Every place in the document that holds a value (iterative walk; bounded so a huge document stays cheap). */
function slots(root: { v: unknown }): Slot[] {
  const out: Slot[] = [{ parent: root as unknown as Record<string, unknown>, key: 'v' }];
  const stack: unknown[] = [root.v];
  while (stack.length && out.length < 4000) {
    const v = stack.pop();
    if (Array.isArray(v)) v.forEach((x, i) => { out.push({ parent: v, key: i }); stack.push(x); });
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) { out.push({ parent: v as Record<string, unknown>, key: k }); stack.push((v as Record<string, unknown>)[k]); }
  }
  return out;
}

function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  // An own property even for "__proto__", as JSON.parse makes it.
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function get(s: Slot): unknown {
  return (s.parent as Record<string | number, unknown>)[s.key];
}

function put(s: Slot, value: unknown): void {
  if (Array.isArray(s.parent)) s.parent[s.key as number] = value;
  else setOwn(s.parent, String(s.key), value);
}

/** Copy without recursion limits on the corpus documents (small, JSON-only). */
function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The largest generated document, as JSON text. */
export const maxDoc = (sizes: Sizes) => Math.max(1024 * 1024, sizes.bigChars * 8);

function jsonLength(v: unknown): number {
  try {
    return JSON.stringify(v)?.length ?? 0;
  } catch {
    return 0; // nested too deep to write: depth, not size, is its point
  }
}

export function applyEdits(doc: unknown, edits: readonly Edit[], sizes: Sizes): unknown {
  const root = { v: clone(doc) };
  for (const e of edits) {
    const all = slots(root);
    const s = all[e.at % all.length] as Slot;
    const v = get(s);
    switch (e.op) {
      case 0: put(s, e.payload); break;
      case 1:
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
        else if (s.parent !== (root as unknown)) delete (s.parent as Record<string, unknown>)[s.key as string];
        break;
      case 2: put(s, [v]); break;
      case 3: put(s, Array.isArray(v) ? v[0] : v && typeof v === 'object' ? Object.values(v) : v); break;
      case 4: if (v && typeof v === 'object' && !Array.isArray(v)) setOwn(v as Record<string, unknown>, e.key, e.payload); else put(s, e.payload); break;
      case 5: {
        // Grown by references, so the document must stay what a server could send: its JSON text
        // bounded (a grown array inside a grown array would otherwise be a DAG of gigabytes).
        if (!Array.isArray(v) || !v.length) break;
        const n = Math.min(e.n, sizes.bigArray);
        if (jsonLength(root.v) + (n / v.length) * jsonLength(v) > maxDoc(sizes)) break;
        put(s, Array.from({ length: n }, (_, i) => v[i % v.length]));
        break;
      }
      case 6: put(s, nest(v, Math.min(e.n, sizes.deep), e.n % 2 ? 'array' : 'object', e.key)); break;
      case 7:
        if (typeof v === 'string') {
          const p = typeof e.payload === 'string' ? e.payload : typeof e.payload === 'number' ? String(e.payload) : 'x';
          const at = e.n % (v.length + 1);
          put(s, e.n % 3 === 0 ? v.slice(0, at) : e.n % 3 === 1 ? v.slice(0, at) + p + v.slice(at) : p + v);
        } else put(s, e.payload);
        break;
      case 8: put(s, typeof v === 'string' ? Number(v.replace(/\D/g, '')) || 0 : typeof v === 'number' ? String(v) : v && typeof v === 'object' ? JSON.stringify(v) : !v); break;
      case 9: {
        // A copy, not the value itself: a value copied into its own subtree would make a cycle.
        try { put(s, clone(get(all[e.n % all.length] as Slot))); } catch { /* too deep to copy: leave it */ }
        break;
      }
      default: break;
    }
  }
  return root.v;
}

/** `doc` with 0..maxEdits edits; payloads from `payload` (hostile strings, hrefs, junk, …). */
export function mutated(doc: fc.Arbitrary<unknown>, payload: fc.Arbitrary<unknown>, sizes: Sizes, maxEdits = 6): fc.Arbitrary<unknown> {
  const n = fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0, max: 20 }) }, { weight: 1, arbitrary: fc.integer({ min: 20, max: Math.max(sizes.bigArray, sizes.deep) }) });
  const edit: fc.Arbitrary<Edit> = fc.record({ at: fc.nat(), op: fc.integer({ min: 0, max: 9 }), payload, key: fc.constantFrom(...ADD_KEYS), n });
  return fc.tuple(doc, fc.array(edit, { maxLength: maxEdits })).map(([d, edits]) => applyEdits(d, edits, sizes));
}
