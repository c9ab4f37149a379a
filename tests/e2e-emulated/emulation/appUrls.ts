// Chromium (driven by Playwright) cannot load a custom scheme, so a privileged standard scheme such
// as app://ui is carried as https://ui.<scheme>.emulated in the page and mapped back everywhere main
// can observe a URL (webContents.getURL, senderFrame.url, will-navigate, protocol.handle's request).
const SUFFIX = '.emulated';

export function toPageUrl(url: string, schemes: ReadonlySet<string>): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!m || !schemes.has(m[1]!.toLowerCase())) return url;
  return `https://${m[2]!.toLowerCase()}.${m[1]!.toLowerCase()}${SUFFIX}${m[3] || '/'}`;
}

export function toAppUrl(url: string): string {
  const m = /^https:\/\/([^/?#]*)\.([a-z][a-z0-9+.-]*)\.emulated(.*)$/i.exec(url);
  if (!m) return url;
  return `${m[2]}://${m[1]}${m[3]}`;
}

export function isAppPageUrl(url: string): boolean {
  return /^https:\/\/[^/?#]*\.[a-z][a-z0-9+.-]*\.emulated(?:[/?#]|$)/i.test(url);
}
