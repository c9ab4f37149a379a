// Every IPC call is checked for who sent it before its arguments are even parsed: only the main
// frame of a page from our own app://ui origin may call. Anything else is refused with a reason.
import { APP_ORIGIN } from './appProtocol.ts';

export interface SenderInfo {
  /** senderFrame.url (null when the frame is gone, e.g. navigated away or destroyed). */
  frameUrl: string | null | undefined;
  /** senderFrame === sender.mainFrame (no iframes). */
  isMainFrame: boolean;
}

export type SenderCheck = { ok: true } | { ok: false; reason: string };

export function checkSender(s: SenderInfo): SenderCheck {
  if (!s.frameUrl) return { ok: false, reason: 'no sender frame' };
  let url: URL;
  try {
    url = new URL(s.frameUrl);
  } catch {
    return { ok: false, reason: 'unparsable sender url' };
  }
  // A standard custom scheme has a real origin ("app://ui"); compare protocol + host exactly.
  if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return { ok: false, reason: `foreign origin ${url.protocol}//${url.host}` };
  if (!s.isMainFrame) return { ok: false, reason: 'not the main frame' };
  return { ok: true };
}

/** The parts of an Electron WebFrameMain the guard reads (a fake in the unit tests). */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
  readonly detached?: boolean;
  isDestroyed?(): boolean;
}

/**
 * SenderInfo from `() => event.senderFrame`. Electron ≥ 29 gives null once the frame navigated or
 * was destroyed, and reading a disposed WebFrameMain can throw: both end as "no sender frame".
 * The main frame is the one without a parent (object identity with webContents.mainFrame is not
 * guaranteed across frame swaps).
 */
export function senderInfo(getFrame: () => FrameLike | null | undefined): SenderInfo {
  try {
    const frame = getFrame();
    if (!frame || frame.detached === true || frame.isDestroyed?.() === true) return { frameUrl: null, isMainFrame: false };
    return { frameUrl: frame.url, isMainFrame: frame.parent === null };
  } catch {
    return { frameUrl: null, isMainFrame: false };
  }
}
