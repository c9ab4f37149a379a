// The renderer's only door to the app: `window.ucwa`, exposed by the preload (or the browser test
// bridge). Only TYPES come from the contract — zod and everything else in main stay out of the bundle.
import type { EventName, EventPayload, IpcError, Result, UcwaApi } from '../main/ipc/contract.ts';

declare global {
  interface Window {
    ucwa: UcwaApi;
  }
}

export const ucwa = (): UcwaApi => window.ucwa;

/** A call that could not even be made (no bridge) still resolves to a Result, never throws. */
export async function safe<T>(p: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await p();
  } catch {
    const error: IpcError = { code: 'internal', message: 'The app did not answer.' };
    return { ok: false, error };
  }
}

export function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  try {
    return window.ucwa.on(event, listener);
  } catch {
    return () => {};
  }
}
