// The UCWA application (PROTOCOL.md §2): one per sign-in, stable endpointId, links kept from the
// 201 body (events, me, communication, people) and refreshed by GET after makeMeAvailable.
import { BadResponseError } from './errors.ts';
import { embedded, link, str, type Resource } from './links.ts';
import type { UcwaClient } from './client.ts';

export interface AppLinks {
  self: string;
  events: string;
  batch?: string;
  policies?: string;
  me: Resource | null;
  communication: Resource | null;
  people: Resource | null;
  raw: Resource;
}

export interface CreateApplicationInput {
  userAgent: string;
  endpointId: string;
  culture?: string;
}

export function parseApplication(body: Resource, fallbackSelf?: string): AppLinks {
  const self = link(body, 'self') ?? fallbackSelf;
  const events = link(body, 'events');
  if (!self || !events) throw new BadResponseError('missingLink', 'the application resource has no self or events link');
  return {
    self,
    events,
    batch: link(body, 'batch'),
    policies: link(body, 'policies'),
    me: embedded(body, 'me'),
    communication: embedded(body, 'communication'),
    people: embedded(body, 'people'),
    raw: body,
  };
}

export async function createApplication(client: UcwaClient, applicationsHref: string, input: CreateApplicationInput): Promise<AppLinks> {
  const res = await client.post(applicationsHref, {
    // PascalCase as in the traces; the server matches names case-insensitively.
    json: { UserAgent: input.userAgent, EndpointId: input.endpointId, Culture: input.culture ?? 'en-US' },
  });
  const body = res.json && typeof res.json === 'object' ? (res.json as Resource) : null;
  const location = res.headers.get('location') ?? undefined;
  if (!body) {
    if (!location) throw new BadResponseError('malformed', 'creating the application returned no body');
    return getApplication(client, location);
  }
  return parseApplication(body, location);
}

export async function getApplication(client: UcwaClient, self: string): Promise<AppLinks> {
  return parseApplication(await client.getJson(self), self);
}

export async function deleteApplication(client: UcwaClient, self: string, timeoutMs = 5000): Promise<void> {
  await client.request('DELETE', self, { timeoutMs });
}

export function meInfo(app: AppLinks): { sip: string; name: string } {
  const uri = str(app.me, 'uri') ?? '';
  return { sip: uri.toLowerCase(), name: str(app.me, 'name') ?? uri.replace(/^sip:/i, '') };
}
