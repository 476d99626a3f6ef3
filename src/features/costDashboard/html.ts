import { escapeHtml, webviewPage } from '../../platform/webviewHtml';

interface DashboardHtmlOptions {
  /** The webview's `cspSource` (who may serve styles and images). */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

/**
 * The dashboard's static page: no data in it (the page asks for data with `ready`), a CSP that allows
 * nothing by default, scripts only with the nonce, styles and images only from the webview's own source.
 */
export function dashboardHtml(o: DashboardHtmlOptions): string {
  return webviewPage({
    csp: [`script-src 'nonce-${o.nonce}'`, `style-src ${o.cspSource}`, `img-src ${o.cspSource} data:`, `font-src ${o.cspSource}`],
    title: 'Cost dashboard',
    head: `<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">\n`,
    body: `<div id="app"></div>\n<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>`,
  });
}
