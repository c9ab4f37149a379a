// Stepping through a list's order (Ctrl+Tab, Alt+↑/↓): pure, so it moves to chats unchanged.

/** The id `delta` rows from `current` in `ids`, wrapping; from nothing selected, the first (or last). */
export function stepIn(ids: readonly number[], current: number | null, delta: number): number | null {
  if (!ids.length) return null;
  const i = current === null ? -1 : ids.indexOf(current);
  if (i < 0) return (delta > 0 ? ids[0] : ids[ids.length - 1]) ?? null;
  const n = ids.length;
  return ids[(((i + delta) % n) + n) % n] ?? null;
}
