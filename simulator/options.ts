// Defaults of SimulatorOptions in one place (values from PROTOCOL §9 where the protocol has one).

import type { SimulatorOptions, SimUser } from './types.ts';

export interface Config {
  host: string;
  port: number;
  domain: string;
  seed: number | string;
  demoWorld: boolean;
  demoConversations: number;
  users: SimUser[];
  timeScale: number;
  tokenLifetimeSec: number;
  eventTimeoutSec: number;
  applicationExpirySec: number;
  applicationForgetSec: number;
  callbackChannelDeadSec: number;
  invitationTimeoutSec: number;
  logDelaySec: number;
  transcriptPageSize: number;
  redeliverFirstMessage: boolean;
  redirectUsers: string[];
  controlEndpoint: boolean;
  maxApplicationsPerUser: number;
  log: ((line: string) => void) | undefined;
  resumeAfterSec: number;
  activityExpirySec: number;
  inactiveTimeoutSec: number;
  awayAfterIdleSec: number;
  routeBetweenAccounts: boolean;
  offlineAccounts: 'behaviour' | 'missed';
  /** Protocol ms after midnight of the simulated day at start. */
  dayStartMs: number;
  presenceRhythm: boolean;
  maxPresenceSubscriptions: number;
  maxPresenceSubscriptionUris: number;
  subscriptionWarningSec: number;
  presenceExtendStatus: 200 | 201;
  distributionGroupExpandLimit: number;
  maxContacts: number;
  photosPolicy: 'Enabled' | 'Disabled';
  participantHrefs: 'opaque' | 'sip';
  escalationMessaging: 'stays' | 'drops';
  escalationParticipantHrefs: 'keep' | 'renew';
  escalationThreadId: 'keep' | 'new';
  participantAcceptSec: number;
  continueConferenceLogs: boolean;
  adHocMeetings: boolean;
  participantEvents: 'embedded' | 'bare';
  autoGroupInvites: boolean;
  grants: string[];
  modernAuth: { clientIds: string[] | undefined } | undefined;
  passive: { mfa: boolean; mfaCode: string; cookieLifetimeSec: number };
  publicOrigins: string[];
  httpFirstHop: 'redirect' | 'root' | undefined;
}

/** "HH:MM" → protocol ms after midnight; a malformed value is a programming error. */
function parseDayStart(v: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(v.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error(`dayStart must be "HH:MM", got "${v}"`);
  return (Number(m[1]) * 60 + Number(m[2])) * 60_000;
}

export function resolveOptions(o: SimulatorOptions = {}): Config {
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    domain: (o.domain ?? 'contoso.com').toLowerCase(),
    seed: o.seed ?? 1,
    demoWorld: o.demoWorld ?? true,
    demoConversations: o.demoConversations ?? 300,
    users: o.users ?? [],
    timeScale: o.timeScale && o.timeScale > 0 ? o.timeScale : 1,
    tokenLifetimeSec: o.tokenLifetimeSec ?? 28800,
    eventTimeoutSec: o.eventTimeoutSec ?? 180,
    applicationExpirySec: o.applicationExpirySec ?? 900,
    applicationForgetSec: o.applicationForgetSec ?? 300,
    callbackChannelDeadSec: o.callbackChannelDeadSec ?? 60,
    invitationTimeoutSec: o.invitationTimeoutSec ?? 30,
    logDelaySec: o.logDelaySec ?? 10,
    transcriptPageSize: Math.max(1, o.transcriptPageSize ?? 20),
    redeliverFirstMessage: o.redeliverFirstMessage ?? true,
    redirectUsers: (o.redirectUsers ?? []).map((s) => (/^sip:/i.test(s) ? s : 'sip:' + s).toLowerCase()),
    controlEndpoint: o.controlEndpoint ?? false,
    maxApplicationsPerUser: o.maxApplicationsPerUser ?? Infinity,
    log: o.log,
    resumeAfterSec: Math.max(0, o.resumeAfterSec ?? 0),
    activityExpirySec: Math.max(0, o.activityExpirySec ?? 0),
    inactiveTimeoutSec: Math.max(0, o.inactiveTimeoutSec ?? 0),
    awayAfterIdleSec: Math.max(0, o.awayAfterIdleSec ?? 600),
    routeBetweenAccounts: o.routeBetweenAccounts ?? true,
    offlineAccounts: o.offlineAccounts ?? 'behaviour',
    dayStartMs: parseDayStart(o.dayStart ?? '09:30'),
    presenceRhythm: o.presenceRhythm ?? true,
    maxPresenceSubscriptions: Math.max(1, o.maxPresenceSubscriptions ?? 10),
    maxPresenceSubscriptionUris: Math.max(1, o.maxPresenceSubscriptionUris ?? 250),
    subscriptionWarningSec: Math.max(0, o.subscriptionWarningSec ?? 60),
    presenceExtendStatus: o.presenceExtendStatus === 201 ? 201 : 200,
    distributionGroupExpandLimit: Math.max(0, o.distributionGroupExpandLimit ?? 100),
    maxContacts: Math.max(0, o.maxContacts ?? 250),
    photosPolicy: o.photosPolicy === 'Disabled' ? 'Disabled' : 'Enabled',
    participantHrefs: o.participantHrefs === 'sip' ? 'sip' : 'opaque',
    escalationMessaging: o.escalationMessaging === 'drops' ? 'drops' : 'stays',
    escalationParticipantHrefs: o.escalationParticipantHrefs === 'renew' ? 'renew' : 'keep',
    escalationThreadId: o.escalationThreadId === 'new' ? 'new' : 'keep',
    participantAcceptSec: Math.max(0, o.participantAcceptSec ?? 2),
    continueConferenceLogs: o.continueConferenceLogs ?? false,
    adHocMeetings: o.adHocMeetings ?? true,
    participantEvents: o.participantEvents === 'bare' ? 'bare' : 'embedded',
    autoGroupInvites: o.autoGroupInvites ?? true,
    publicOrigins: (o.publicOrigins ?? []).map((x) => new URL(x).origin),
    httpFirstHop: o.httpFirstHop,
    grants: o.grants?.length ? [...o.grants] : ['urn:microsoft.rtc:windows', 'urn:microsoft.rtc:anonmeeting', 'password'],
    modernAuth: o.modernAuth ? { clientIds: o.modernAuth.clientIds?.length ? [...o.modernAuth.clientIds] : undefined } : undefined,
    passive: { mfa: o.passive?.mfa ?? false, mfaCode: o.passive?.mfaCode ?? '123456', cookieLifetimeSec: Math.max(0, o.passive?.cookieLifetimeSec ?? 28800) },
  };
}
