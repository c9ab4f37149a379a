// Bundled on its own as prefetch.js, a classic script that index.html runs before the main bundle
// (see firstList.ts for why). It must stay tiny and must never throw: any failure here only means
// the list asks again the usual way.
import type { Chat, Result } from '../main/ipc/contract.ts';
import { FIRST_LIST_KEY, FIRST_PAGE, type FirstList, type Page } from './firstList.ts';

try {
  if ((new URLSearchParams(location.search).get('window') ?? 'history') === 'history' && window.ucwa) {
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
