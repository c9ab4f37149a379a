// A response body read within a byte bound, shared by the JSON transport and the photo fetcher:
// neither may buffer what a hostile server sends without end.

/**
 * A response's body, read only up to maxBytes + 1 bytes: a declared Content-Length over the limit is
 * refused before reading, an undeclared (chunked) one is cut off as soon as it passes the limit.
 */
export async function readAtMost(res: Response, maxBytes: number): Promise<{ body: Uint8Array; tooLarge: boolean }> {
  const declared = Number(res.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    return { body: new Uint8Array(0), tooLarge: true };
  }
  if (!res.body) return { body: new Uint8Array(0), tooLarge: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { body: new Uint8Array(0), tooLarge: true };
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return { body, tooLarge: false };
}
