// UCWA error bodies: `code` is always the ErrorCode name of the HTTP status (PROTOCOL §8.1/8.2), so
// clients can switch on (status, subcode) without guessing.

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'ClientTimeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'PreconditionFailed',
  413: 'EntityTooLarge',
  415: 'UnsupportedMediaType',
  428: 'PreconditionRequired',
  429: 'TooManyRequests',
  500: 'ServiceFailure',
  501: 'ServiceFailure',
  502: 'ServiceFailure',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const MESSAGES: Record<string, string> = {
  ParameterValidationFailure: 'Please check what you entered and try again.',
  ApplicationNotFound: 'The application resource does not exist.',
  InactiveApplicationExpired: 'The application was terminated because it was inactive.',
  TooManyApplications: 'The user has too many applications.',
  AlreadyExists: 'The requested resource already exists. Please wait and try again.',
  CallbackChannelError: 'The remote event channel is not reachable.',
  MakeMeAvailableRequired: 'makeMeAvailable must be called first.',
  PGetReplaced: 'This pending GET was replaced by a newer one.',
  CannotRedirect: 'Cannot redirect since there is no back up pool configured.',
  TooManyGroups: 'Too many groups.',
  TooManyContacts: 'The distribution group has too many members to expand.',
  LimitExceeded: 'A limit of the server was exceeded.',
};

export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'ServiceFailure' : 'BadRequest');
}

export interface ErrorBody {
  code: string;
  subcode?: string;
  message: string;
}

export function errorBody(status: number, subcode?: string, message?: string, code?: string): ErrorBody {
  const body: ErrorBody = { code: code ?? codeForStatus(status), message: '' };
  if (subcode) body.subcode = subcode;
  body.message = message ?? (subcode ? MESSAGES[subcode] : undefined) ?? `The request failed (${body.code}${subcode ? '/' + subcode : ''}).`;
  return body;
}

/** Thrown by handlers; the server turns it into a JSON error reply. */
export class UcwaError extends Error {
  readonly status: number;
  readonly subcode: string | undefined;
  readonly code: string | undefined;
  constructor(status: number, subcode?: string, message?: string, code?: string) {
    super(message ?? `${status} ${subcode ?? ''}`);
    this.status = status;
    this.subcode = subcode;
    this.code = code;
  }
  body(): ErrorBody {
    return errorBody(this.status, this.subcode, this.message.startsWith(`${this.status} `) ? undefined : this.message, this.code);
  }
}

export const invalidParam = (message: string): UcwaError => new UcwaError(400, 'ParameterValidationFailure', message);
