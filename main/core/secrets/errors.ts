// The failures of the keychain. secrets/ throws only these (never an app type); the app maps them
// to AppError with the same code and sentence (app/errors.ts).

export type SecretsErrorCode =
  | 'noKeychain' // no system keychain is reachable, or it stopped answering
  | 'invalidInput'; // an account name the keychain cannot hold (empty, or one of our own entries)

export class SecretsError extends Error {
  readonly code: SecretsErrorCode;
  constructor(code: SecretsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretsError';
    this.code = code;
  }
}
