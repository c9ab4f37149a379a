// data-urls ships no types; this declares the small part the differential test uses (tests/unit/ucwaDataUrl.test.ts).
declare module 'data-urls' {
  interface ParsedMimeType {
    essence: string;
    parameters: { get(name: string): string | undefined };
    toString(): string;
  }
  function parseDataURL(input: string): { mimeType: ParsedMimeType; body: Uint8Array } | null;
  export default parseDataURL;
}
