// A scripted browser for the fake authorization server's sign-in page (modern authentication):
// reads the page's form as a browser would (htmlparser2 decodes the entities), submits it with a
// user name, password and one of its buttons, and does not follow redirects (the caller decides).
import { Parser } from 'htmlparser2';

export interface PageForm {
  action: string;
  method: string;
  /** Hidden and text fields with their values (the password field is empty). */
  fields: Record<string, string>;
  inputs: { name: string; type: string }[];
  buttons: { name: string; value: string; text: string }[];
}

export function readForm(html: string, pageUrl: string): PageForm {
  const form: PageForm = { action: '', method: 'get', fields: {}, inputs: [], buttons: [] };
  let inButton: PageForm['buttons'][number] | undefined;
  let forms = 0;
  const parser = new Parser({
    onopentag(name, a) {
      if (name === 'form') {
        forms += 1;
        form.action = new URL(a.action ?? '', pageUrl).href;
        form.method = (a.method ?? 'get').toLowerCase();
      } else if (name === 'input' && a.name) {
        form.inputs.push({ name: a.name, type: a.type ?? 'text' });
        form.fields[a.name] = a.value ?? '';
      } else if (name === 'button' && a.name) {
        inButton = { name: a.name, value: a.value ?? '', text: '' };
        form.buttons.push(inButton);
      }
    },
    ontext(t) {
      if (inButton) inButton.text += t;
    },
    onclosetag(name) {
      if (name === 'button') inButton = undefined;
    },
  });
  parser.write(html);
  parser.end();
  if (forms !== 1) throw new Error(`expected one form on the page, found ${forms}`);
  return form;
}

export interface Page {
  status: number;
  url: string;
  location: string | null;
  headers: Headers;
  html: string;
}

export async function open(url: string, init: RequestInit = {}): Promise<Page> {
  const r = await fetch(url, { ...init, redirect: 'manual' });
  return { status: r.status, url, location: r.headers.get('location'), headers: r.headers, html: await r.text() };
}

/** Submit the page's form with these values and the button whose text is `button`. */
export async function submit(page: Page, values: Record<string, string>, button: 'Sign in' | 'Cancel'): Promise<Page> {
  const form = readForm(page.html, page.url);
  const b = form.buttons.find((x) => x.text.trim() === button);
  if (!b) throw new Error(`no "${button}" button on the page`);
  const body = new URLSearchParams({ ...form.fields, ...values, [b.name]: b.value });
  return open(form.action, { method: form.method.toUpperCase(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });
}
