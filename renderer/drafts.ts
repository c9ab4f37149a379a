// Unsent words per conversation: kept in memory and in sessionStorage, so switching conversations
// or reloading the window keeps a half-written message (sessionStorage ends with the window; drafts
// are not written to disk for good).
const PREFIX = 'ucwa.draft.';
const memory = new Map<string, string>();

export function loadDraft(key: string): string {
  const m = memory.get(key);
  if (m !== undefined) return m;
  try { return sessionStorage.getItem(PREFIX + key) ?? ''; } catch { return ''; }
}

export function saveDraft(key: string, text: string): void {
  if (text) memory.set(key, text); else memory.delete(key);
  try {
    if (text) sessionStorage.setItem(PREFIX + key, text); else sessionStorage.removeItem(PREFIX + key);
  } catch { /* storage full or unavailable: the in-memory copy still serves this window */ }
}
