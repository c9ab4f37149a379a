// Which conversations the user is reading right now: open in a window that is visible and focused
// (each window says so for itself). A message arriving in one of them is read as it arrives — it
// must not turn the open conversation unread, count in the tray, or raise a notification.
// One owner of this fact: the windows report, everything else asks `isReading`.
export class Reading {
  readonly #byWindow = new Map<string, number>();

  /** `window` reads `conversationId` (null: it reads nothing — hidden, blurred, or another view). */
  set(window: string, conversationId: number | null): void {
    if (conversationId === null) this.#byWindow.delete(window);
    else this.#byWindow.set(window, conversationId);
  }

  isReading(conversationId: number): boolean {
    for (const id of this.#byWindow.values()) if (id === conversationId) return true;
    return false;
  }

  /** Signing out or a window closing: nobody reads anything. */
  clear(window?: string): void {
    if (window === undefined) this.#byWindow.clear();
    else this.#byWindow.delete(window);
  }
}
