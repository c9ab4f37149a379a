// Every failure in plain words, keyed by the contract's error code (never the raw server text,
// except for input errors where the core's sentence says exactly what is wrong).
import type { IpcError, IpcErrorCode } from '../main/ipc/contract.ts';

const words: Record<IpcErrorCode, string> = {
  wrongPassword: 'That address and password don’t match. Check them and try again; if you sign in to Windows with another name, choose “Use a different sign-in name”.',
  methodNotOffered: 'This server offers no sign-in method this app can use here.',
  signInCancelled: 'Sign-in was cancelled.',
  accountLocked: 'Your account is locked or disabled. Ask your IT team.',
  mfaFailed: 'The second sign-in step didn’t succeed. Try again.',
  serverNotFound: 'No Skype for Business server could be found for that address. Check the address, or enter the server URL.',
  certificate: 'The server’s security certificate isn’t trusted by this computer. Check the server URL or ask your IT team.',
  poolUnavailable: 'The Skype for Business server isn’t available right now. Try again in a few minutes.',
  insecureUrl: 'That server address isn’t safe to use: it must use https and belong to your organisation’s domain.',
  network: 'Can’t reach the network. Check your connection and try again.',
  tooManyApplications: 'You’re signed in on too many devices. Sign out of one of them and try again.',
  userAgentNotAllowed: 'Your organisation’s server doesn’t allow this app to sign in.',
  noKeychain: 'Signed in, but your password will not be remembered: no system keychain.',
  notSignedIn: 'You’re not signed in.',
  continueCallbackChannel: 'The conversation couldn’t be started because the connection to the server was interrupted. Try again.',
  continueAlreadyExists: 'This conversation is already going on elsewhere and couldn’t be picked up here.',
  continueTooManyGroups: 'You have too many conversations going on at once. End some of them and try again.',
  continueUnsupported: 'This past conversation can’t be continued. Start a new conversation instead.',
  continueCannotRedirect: 'Your server is failing over and has no backup pool to hand this conversation to. Try again later, or start a new conversation.',
  continueNotAvailable: 'This conversation can’t be continued (it wasn’t an instant message, or your organisation turned this off).',
  invitationFailed: 'They didn’t join the conversation: declined, didn’t answer, or couldn’t be reached.',
  conferenceNotSupported: 'This is a call or meeting without messages, which UCWA Tray can’t join.',
  meetingNotFound: 'No meeting was found at that address. Check the link, or ask the organiser for it.',
  notFound: 'That conversation or message no longer exists.',
  invalidInput: 'That doesn’t look right. Check what you typed.',
  historyUnavailable: 'Conversation history isn’t available: your organisation turned it off, or the mail server isn’t answering.',
  storage: 'The local history couldn’t be read or written. Restart UCWA Tray; if it keeps happening, free some disk space.',
  server: 'The server couldn’t do that right now. Try again.',
  internal: 'Something went wrong inside UCWA Tray. Please try again.',
  invalidArgument: 'That request wasn’t valid.',
  forbidden: 'That isn’t allowed from this window.',
};

export function inWords(error: IpcError | { code: string; message?: string } | null | undefined): string {
  if (!error) return '';
  const code = error.code as IpcErrorCode;
  if ((code === 'invalidInput' || code === 'invalidArgument') && error.message) return error.message;
  // The core names the host it could not reach (an explicit server URL): more useful than a
  // generic "check your connection".
  if (code === 'network' && error.message && /^Could not reach /.test(error.message)) return error.message;
  // Which methods the server offers and which this app has, or why Windows sign-in was not accepted:
  // the core's own sentence (it names the server), never the server's text.
  if ((code === 'methodNotOffered' || code === 'signInCancelled') && error.message) return error.message;
  return words[code] ?? error.message ?? words.internal;
}
