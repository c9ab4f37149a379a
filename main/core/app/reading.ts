// Which conversations the user is reading right now: open in a window that is visible and focused
// (each window says so for itself). A message arriving in one of them is read as it arrives — it
// must not turn the open conversation unread, count in the tray, or raise a notification.
// One owner of this fact: the windows report, everything else asks `isReading`.
// What is read is the CHAT of the conversation shown (a window shows every conversation with the
// same people as one transcript): a message in another conversation of it — Kenji starting a new
// one — is on screen too. `chatOf` is the service's map of conversation → chat (kept from the
// store's change events, filled in for the conversation a window names).
export class Reading {
  readonly #byWindow = new Map<string, number>();
  readonly #chatOf: (conversationId: number) => number | undefined;

  constructor(chatOf: (conversationId: number) => number | undefined = () => undefined) {
    this.#chatOf = chatOf;
  }

  /** `window` reads `conversationId` (null: it reads nothing — hidden, blurred, or another view). */
  set(window: string, conversationId: number | null): void {
    if (conversationId === null) this.#byWindow.delete(window);
    else this.#byWindow.set(window, conversationId);
  }

  isReading(conversationId: number): boolean {
    const chat = this.#chatOf(conversationId);
    for (const id of this.#byWindow.values()) {
      if (id === conversationId) return true;
      if (chat !== undefined && this.#chatOf(id) === chat) return true;
    }
    return false;
  }

  /** The conversations some window shows now. */
  conversationIds(): number[] {
    return [...new Set(this.#byWindow.values())];
  }

  /** Signing out or a window closing: nobody reads anything. */
  clear(window?: string): void {
    if (window === undefined) this.#byWindow.clear();
    else this.#byWindow.delete(window);
  }
}
