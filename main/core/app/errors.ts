// Every failure below the service becomes one AppError with a sentence a user can read.
import { AppError } from './types.ts';
import { BadResponseError, NetworkError, SignInError, UcwaError } from '../ucwa/errors.ts';
import { DataUrlError } from '../ucwa/dataUrl.ts';
import { StoreError } from '../store/types.ts';
import { SecretsError } from '../secrets/errors.ts';

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // ucwa/ and secrets/ decide the code and the sentence themselves (same codes as AppErrorCode).
  if (err instanceof SignInError) {
    return new AppError({
      code: err.code, message: err.message,
      ...(err.status !== undefined ? { status: err.status } : {}), ...(err.ucwaCode !== undefined ? { ucwaCode: err.ucwaCode } : {}),
    }, { cause: err });
  }
  if (err instanceof SecretsError) return new AppError({ code: err.code, message: err.message }, { cause: err });
  if (err instanceof NetworkError) {
    const tls = /certificate|CERT_|self[- ]signed|unable to verify/i.test(String((err.cause as Error | undefined)?.message ?? err.cause ?? ''));
    if (tls) return new AppError({ code: 'certificate', message: 'The server certificate is not trusted by this computer.' }, { cause: err });
    return new AppError({ code: 'network', message: err.kind === 'timeout' ? 'The server did not answer in time.' : 'The server cannot be reached.' }, { cause: err });
  }
  if (err instanceof UcwaError) {
    const base = { status: err.status, ucwaCode: err.code, subcode: err.subcode };
    // The UcwaError stays the cause: its Retry-After (retryAfterMsOf) survives the mapping.
    const cause = { cause: err };
    if (err.is(410, 'TooManyApplications')) return new AppError({ ...base, code: 'tooManyApplications', message: 'You are signed in on too many devices or apps; sign out somewhere else and try again.' }, cause);
    if (err.is(410, 'UserAgentNotAllowed')) return new AppError({ ...base, code: 'userAgentNotAllowed', message: 'Your organisation no longer allows this app to sign in.' }, cause);
    if (err.status === 502 || err.status === 503) return new AppError({ ...base, code: 'poolUnavailable', message: 'The Skype for Business server is temporarily unavailable.' }, cause);
    return new AppError({ ...base, code: 'server', message: `The server refused the request (${err.status} ${err.code}${err.subcode ? `/${err.subcode}` : ''}).` }, cause);
  }
  if (err instanceof BadResponseError) return new AppError({ code: 'server', message: `The server sent something this app does not understand: ${err.message}.` }, { cause: err });
  if (err instanceof DataUrlError) return new AppError({ code: 'server', message: 'The server sent a message this app cannot read.' }, { cause: err });
  if (err instanceof StoreError) return new AppError({ code: 'storage', message: `The local history database failed: ${err.message}` }, { cause: err });
  return new AppError({ code: 'internal', message: err instanceof Error ? err.message : String(err) }, { cause: err });
}
