// Exponential backoff with full jitter (AWS architecture blog): delay = random(0, min(max, base·2^n)).
// Full jitter spreads a crowd of clients returning after an outage instead of synchronising them.
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  // Never 0: a tight loop against a dead server helps nobody.
  return Math.max(Math.min(baseMs, cap) / 10, Math.floor(random() * cap));
}
