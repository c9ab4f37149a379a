// The inline formatting kept from incoming HTML messages: colour, background, bold, italic and
// underline/strike-through — nothing that can position, size, hide or load anything. Values are
// matched whole against narrow patterns and written back canonically ("prop:value;").
export const FORMAT_ATTR = 'data-ucwa-style';

const COLOR = /^(?:#[0-9a-f]{3,8}|(?:rgb|rgba|hsl|hsla)\(\s*[-+0-9.%\s,/]{1,60}\)|[a-z]{3,24})$/i;
const ALLOWED: Record<string, RegExp> = {
  color: COLOR,
  'background-color': COLOR,
  'font-weight': /^(?:normal|bold|bolder|lighter|[1-9]00)$/i,
  'font-style': /^(?:normal|italic|oblique)$/i,
  'text-decoration': /^(?:none|(?:underline|line-through|overline)(?:\s+(?:underline|line-through|overline)){0,2})$/i,
  'text-decoration-line': /^(?:none|(?:underline|line-through|overline)(?:\s+(?:underline|line-through|overline)){0,2})$/i,
};
// Words that match the colour pattern but are not colours to let through.
const NOT_COLORS = new Set(['inherit', 'initial', 'unset', 'revert', 'expression', 'url', 'var', 'env', 'attr']);

/** The allowed declarations of a style attribute, canonical; '' when none is left. */
export function safeDeclarations(style: string): string {
  if (style.length > 2000) style = style.slice(0, 2000);
  const out: string[] = [];
  for (const decl of style.split(';')) {
    const i = decl.indexOf(':');
    if (i < 0) continue;
    const prop = decl.slice(0, i).trim().toLowerCase();
    const value = decl.slice(i + 1).replace(/!\s*important\s*$/i, '').trim().replace(/\s+/g, ' ');
    const re = ALLOWED[prop];
    if (!re || !re.test(value)) continue;
    if (re === COLOR && NOT_COLORS.has(value.toLowerCase())) continue;
    out.push(`${prop}:${value};`);
  }
  return out.join('');
}
