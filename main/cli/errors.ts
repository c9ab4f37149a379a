// Any failure → one line a person can read (and a JSON shape for --json). No stack traces.
import { AppError } from '../core/app/types.ts';
import type { AppErrorCode, AppErrorShape } from '../core/app/types.ts';
import { StoreError } from '../core/store/types.ts';

/** Plain words for each code, used when the error carries no sentence of its own. */
export const PLAIN_WORDS: Record<AppErrorCode, string> = {
  wrongPassword: 'Sign-in failed: the user name or password is wrong.',
  methodNotOffered: 'This server offers no sign-in method ucwa can use here.',
  signInCancelled: 'Sign-in was cancelled.',
  accountLocked: 'Your account is locked or disabled; ask your IT department.',
  mfaFailed: 'The second sign-in step did not succeed.',
  serverNotFound: 'No Skype for Business server was found for this address (check --server or the SIP domain).',
  certificate: 'The server\'s certificate is not trusted.',
  poolUnavailable: 'The Skype for Business pool is not available right now; try again later.',
  insecureUrl: 'Refused an insecure or foreign server address.',
  tooManyApplications: 'Too many sessions are open for this account; close another client and try again.',
  userAgentNotAllowed: 'The server does not allow this client.',
  network: 'The server cannot be reached (network problem or timeout).',
  notSignedIn: 'Not signed in.',
  noKeychain: 'Your password will not be remembered: no system keychain is available.',
  continueCallbackChannel: 'The conversation could not be continued: the server lost its event channel.',
  continueAlreadyExists: 'That conversation is already open elsewhere and cannot be continued here.',
  continueTooManyGroups: 'The conversation could not be continued: too many open conversations.',
  continueUnsupported: 'This conversation cannot be continued.',
  continueCannotRedirect: 'The conversation could not be continued: the server cannot reach the other side.',
  continueNotAvailable: 'This conversation cannot be continued (not an IM conversation, or not allowed by policy).',
  invitationFailed: 'The other person did not join the conversation.',
  conferenceNotSupported: 'This is a call or meeting without messages, or this server offers no group conversations.',
  meetingNotFound: 'No meeting was found at that address.',
  notFound: 'Not found.',
  invalidInput: 'Invalid input.',
  historyUnavailable: 'Conversation history is not available for this account.',
  storage: 'The local history database cannot be used.',
  server: 'The server reported an error.',
  internal: 'Something went wrong inside ucwa.',
};

const KNOWN_CODES = new Set(Object.keys(PLAIN_WORDS));

export function isAppErrorLike(err: unknown): err is AppErrorShape {
  return err instanceof AppError || (!!err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string'
    && KNOWN_CODES.has((err as { code: string }).code) && typeof (err as { message?: unknown }).message === 'string');
}

/** Normalise anything thrown into an AppErrorShape. */
export function toErrorShape(err: unknown): AppErrorShape {
  if (isAppErrorLike(err)) {
    const shape: AppErrorShape = { code: err.code, message: sentence(err.message) || PLAIN_WORDS[err.code] };
    if (err.status !== undefined) shape.status = err.status;
    if (err.ucwaCode !== undefined) shape.ucwaCode = err.ucwaCode;
    if (err.subcode !== undefined) shape.subcode = err.subcode;
    return shape;
  }
  if (err instanceof StoreError) {
    return { code: 'storage', message: `The local history database cannot be used (${err.kind}): ${sentence(err.message)}` };
  }
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string } } | null;
  const sysCode = e?.cause?.code ?? e?.code;
  if (e?.name === 'TypeError' && e.message === 'fetch failed') return { code: 'network', message: PLAIN_WORDS.network };
  if (typeof sysCode === 'string' && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/.test(sysCode)) {
    return { code: 'network', message: PLAIN_WORDS.network };
  }
  return { code: 'internal', message: `${PLAIN_WORDS.internal} ${sentence(e?.message ?? String(err))}`.trim() };
}

/** First line only, without trailing white space. */
function sentence(text: string | undefined): string {
  return (text ?? '').split('\n').map((l) => l.trim()).find(Boolean) ?? '';
}

/** The one line on stderr. */
export function errorLine(shape: AppErrorShape): string {
  return `ucwa: ${shape.message}`;
}

export function appError(code: AppErrorCode, message?: string): AppError {
  return new AppError({ code, message: message ?? PLAIN_WORDS[code] });
}
