import { randomBytes } from 'node:crypto';

/**
 * The frame of every webview page: a Content-Security-Policy that allows nothing but what the page names, and
 * escaping for every value put into the HTML.
 */

/** A fresh script or style nonce: 128 bits from the system's CSPRNG, base64. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

interface WebviewPage {
  /** What the page may load, besides `default-src 'none'` ("script-src 'nonce-…'", "style-src …"). */
  csp: readonly string[];
  title: string;
  /** Markup for the head (stylesheets), already escaped. */
  head?: string;
  /** The body's markup, already escaped. */
  body: string;
}

export function webviewPage(page: WebviewPage): string {
  const csp = ["default-src 'none'", ...page.csp].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
${page.head ?? ''}</head>
<body>
${page.body}
</body>
</html>
`;
}
