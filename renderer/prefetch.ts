// Bundled on its own as prefetch.js, a classic script that index.html runs before the main bundle
// (see firstList.ts for why). It must stay tiny and must never throw: any failure here only means
// the list asks again the usual way.
import type { Chat, ContactList, Result } from '../main/ipc/contract.ts';
import { FIRST_CONTACTS_KEY, FIRST_LIST_KEY, FIRST_PAGE, SIDEBAR_TAB_KEY, type FirstContacts, type FirstList, type Page } from './firstList.ts';

try {
  let people = false;
  try {
    people = localStorage.getItem(SIDEBAR_TAB_KEY) === 'people';
  } catch {
    // storage refused: the window opens on Chats
  }
  const history = (new URLSearchParams(location.search).get('window') ?? 'history') === 'history' && window.ucwa;
  if (history && people) {
    const contacts: FirstContacts = {
      promise: window.ucwa.contactList().then(
        (answer: Result<ContactList>) => { contacts.answer = answer; return answer; },
        () => ({ ok: false, error: { code: 'internal', message: 'The app did not answer.' } }) as Result<ContactList>,
      ),
    };
    Object.defineProperty(window, FIRST_CONTACTS_KEY, { value: contacts });
  } else if (history) {
    const first: FirstList = {
      promise: window.ucwa.listChats({ filter: 'all', limit: FIRST_PAGE }).then(
        (answer: Result<Page<Chat>>) => { first.answer = answer; return answer; },
        () => ({ ok: false, error: { code: 'internal', message: 'The app did not answer.' } }) as Result<Page<Chat>>,
      ),
    };
    Object.defineProperty(window, FIRST_LIST_KEY, { value: first });
    // The first Intl object of a page loads ICU's locale data, 15-50 ms of the main thread. Every
    // row shows a time, so the first render would pay it; here it is paid while the main thread
    // would otherwise wait for the bundle to be compiled (off the main thread).
    new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(0);
  }
} catch {
  // No bridge (or an unexpected one): the list loads as usual.
}
