// Event shapes of PROTOCOL-2 §1.9: every people event has sender `people`; per-contact resources
// are announced as `updated` with `in` = the contact and no `_embedded` (the samples carry none —
// the client GETs the link).

import type { UcwaEvent } from './eventChannel.ts';
import { h } from './hrefs.ts';
import type { App } from './model.ts';

export type ContactResource = 'contactPresence' | 'contactNote' | 'contactLocation' | 'contactSupportedModalities' | 'contactPrivacyRelationship';

const HREF: Record<ContactResource, (a: App, sip: string) => string> = {
  contactPresence: h.contactPresence,
  contactNote: h.contactNote,
  contactLocation: h.contactLocation,
  contactSupportedModalities: h.contactModalities,
  contactPrivacyRelationship: h.contactPrivacy,
};

export const peopleSender = (app: App): UcwaEvent['sender'] => ({ rel: 'people', href: h.people(app) });

/** `<rel>` updated, in the contact (Medium). */
export function contactResourceUpdated(app: App, rel: ContactResource, sip: string): UcwaEvent {
  return { sender: peopleSender(app), link: { rel, href: HREF[rel](app, sip) }, in: { rel: 'contact', href: h.contact(app, sip) }, type: 'updated', priority: 'medium' };
}

/** `contact` added/deleted in a collection: subscribedContacts (Medium), myContacts or a group (High). */
export function contactIn(app: App, sip: string, where: { rel: string; href: string }, type: 'added' | 'deleted', priority: 'high' | 'medium'): UcwaEvent {
  return { sender: peopleSender(app), link: { rel: 'contact', href: h.contact(app, sip) }, in: where, type, priority };
}
