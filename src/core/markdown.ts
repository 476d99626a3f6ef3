/**
 * Text from a bill, a tag or a file name placed in Markdown (a table cell, a heading, a list item): every line
 * break Markdown or an editor honours (CR, LF, CRLF, U+2028/2029, vertical tab, form feed) becomes a space and
 * other control characters are dropped, so a value can neither break a table row nor forge a new one; the
 * characters that make structure, links, code or HTML (`\ | [ ] < > \``) are escaped. Emphasis characters (`_ *`)
 * are left as they are: resource names are full of underscores, and the document stays readable as text.
 */
export function mdText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029\v\f]+/g, ' ')
    .replace(/[\u0000-\u0008\u000e-\u001f\u007f]/g, '')
    .replace(/[|\\`[\]<>]/g, (c) => `\\${c}`);
}
