// The simulator's control endpoint (POST /_control/<method>, loopback only) as one small function.
// Every call is bounded in time; a simulator that is down (restarting) answers undefined.

export async function control<T = unknown>(origin: string, method: string, args: Record<string, unknown> = {}, timeoutMs = 5000): Promise<{ ok: true; result: T } | { ok: false; error: string }> {
  try {
    const res = await fetch(`${origin}/_control/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as { ok?: boolean; result?: T; message?: string };
    if (!res.ok || !body.ok) return { ok: false, error: `${res.status} ${body.message ?? ''}`.trim() };
    return { ok: true, result: body.result as T };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
