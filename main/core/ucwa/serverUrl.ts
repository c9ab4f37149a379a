// What a person types as their server (the sign-in Server field, the CLI's --server) → the URL the
// discovery starts from. People type what their IT gave them: often a bare host
// ("lyncdiscover.company.com"), sometimes host:port; both mean https. One place, for the app and the CLI.

export type ServerUrlResult = { ok: true; url: string } | { ok: false; message: string };

const WANTED = 'Enter the server as a host name like lyncdiscover.company.com, or a full address starting with https://.';
// A DNS name (labels of letters, digits and hyphens) or an IPv4 address, an optional port, an optional path.
const BARE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?(?:\/\S*)?$/i;

export function normaliseServerUrl(input: string): ServerUrlResult {
  const text = input.trim();
  if (!text) return { ok: false, message: WANTED };
  // A scheme given: only http(s). Anything else with "://" or a "name:" form is not a server.
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  if (!hasScheme && !BARE.test(text)) return { ok: false, message: WANTED };
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch {
    return { ok: false, message: WANTED };
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname || url.username || url.password) return { ok: false, message: WANTED };
  return { ok: true, url: url.href };
}
