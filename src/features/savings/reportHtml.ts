import { usd, uniqueSources } from '../../core/savings/estimate';
import { kindLabels, percent, priceLines, sourceLine, type SavingsReport } from '../../core/savings/report';
import { escapeHtml, webviewPage } from '../../platform/webviewHtml';
import { comparisonLines, nativeBasisLine, nativeSourceLine, nativeTitle } from '../../core/savings/native';

/**
 * The savings report page: static HTML, no script at all. Every value is escaped; styles are inline under a
 * nonce; the only active parts are command links (Copy as Markdown, Open as Markdown) allowed by the panel.
 */

interface ReportHtmlOptions {
  nonce: string;
  cspSource: string;
  /** Command URIs for the toolbar links. */
  copyCommand: string;
  markdownCommand: string;
  /** For a running VM: a command URI for the auto-shutdown row's "Schedule Shutdown…", given the row's schedule. */
  scheduleCommand?: (schedule: string) => string;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 24px 32px; line-height: 1.45; }
h1 { font-size: 1.5em; font-weight: 600; margin: 20px 0 4px; }
h2 { font-size: 1.15em; font-weight: 600; margin: 24px 0 8px; border-bottom: 1px solid var(--vscode-panel-border, transparent); padding-bottom: 4px; }
.meta { color: var(--vscode-descriptionForeground); margin: 0 0 12px; }
.toolbar { display: flex; gap: 8px; margin: 12px 0; }
.toolbar a { padding: 4px 12px; border-radius: 2px; text-decoration: none; background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
.toolbar a.primary { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
.toolbar a:hover { background: var(--vscode-button-hoverBackground); color: var(--vscode-button-foreground); }
.toolbar a:focus-visible, summary:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.note { border-left: 3px solid var(--vscode-editorWarning-foreground); background: var(--vscode-textBlockQuote-background); padding: 6px 10px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; max-width: 1100px; }
caption { text-align: left; color: var(--vscode-descriptionForeground); padding-bottom: 6px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--vscode-editorGroup-border, rgba(128,128,128,.25)); vertical-align: top; }
thead th { font-weight: 600; }
tbody th { font-weight: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.best th, tr.best td { font-weight: 600; }
tr.muted th, tr.muted td { color: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); }
.saving { color: var(--vscode-charts-green, var(--vscode-foreground)); }
.loss { color: var(--vscode-errorForeground); }
.act { margin-left: 8px; white-space: nowrap; }
.kind { display: block; font-size: .85em; text-transform: uppercase; letter-spacing: .04em; color: var(--vscode-descriptionForeground); }
details { margin: 6px 0; max-width: 1100px; }
summary { cursor: pointer; padding: 3px 0; }
ul { margin: 4px 0 8px; padding-left: 22px; }
.sources { color: var(--vscode-descriptionForeground); }
footer { margin-top: 24px; color: var(--vscode-descriptionForeground); font-size: .92em; }
`;

export function reportHtml(r: SavingsReport, o: ReportHtmlOptions): string {
  const e = escapeHtml;
  const p = r.prices;
  const s = p.shape;
  const bestSaving = Math.max(0, ...r.options.filter((x) => x.kind !== 'combined' && x.status === 'ok').map((x) => x.monthlySaving));
  const rows = r.options.map((x) => {
    const cls = x.status !== 'ok' || x.monthlySaving < 0 ? 'muted' : x.monthlySaving === bestSaving && x.kind !== 'combined' ? 'best' : '';
    const pctText = x.status === 'ok' ? percent(x.savingFraction) : x.status === 'insufficientData' ? 'insufficient data' : x.status === 'saturated' ? 'saturated' : '—';
    const act = x.kind === 'schedule' && o.scheduleCommand && typeof x.inputs.schedule === 'string'
      ? ` <a class="act" href="${e(o.scheduleCommand(x.inputs.schedule))}" title="Stop this VM outside these hours: shows every change and the saving, and asks first">Schedule Shutdown…</a>` : '';
    return `<tr class="${cls}"><th scope="row"><span class="kind">${e(kindLabels[x.kind])}</span>${e(x.option)}${act}</th><td class="num">${e(usd(x.monthlyCost))}</td><td class="num ${x.monthlySaving < 0 ? 'loss' : 'saving'}">${e(usd(x.monthlySaving))}</td><td class="num">${e(pctText)}</td></tr>`;
  }).join('\n');
  const missing = [
    ...r.missing.map((m) => `<tr class="muted"><th scope="row" colspan="4"><span class="kind">Not estimated</span>${e(m)}</th></tr>`),
    ...(r.ignored ?? []).map((m) => `<tr class="muted ignored"><th scope="row" colspan="4"><span class="kind">Ignored</span>${e(m)}</th></tr>`),
  ].join('\n');
  // the clouds' own recommendations, beside ours: their own saving and source
  const nativeRows = (r.native ?? []).map(({ recommendation: n, comparison }) => `<tr class="native"><th scope="row"><span class="kind">${e(n.source)}</span>${e(nativeTitle(n))}${comparison ? ` <span class="muted">(${comparison.agree ? 'agrees with ours' : 'differs from ours: see below'})</span>` : ''}</th><td class="num">—</td><td class="num saving">${e(n.currency === 'USD' ? usd(n.monthlySaving) : `${n.monthlySaving.toFixed(2)} ${n.currency}`)}</td><td class="num">${e(nativeSourceLine(n))}</td></tr>`).join('\n');
  const nativeDetails = (r.native ?? []).map(({ recommendation: n, comparison }) => `<details open>
<summary><strong>${e(n.source)}</strong>: ${e(nativeTitle(n))}</summary>
<ul><li>${e(nativeBasisLine(n))}</li>${n.details.map((d) => `<li>${e(d)}</li>`).join('')}${comparisonLines(comparison).map((x) => `<li>${e(x)}</li>`).join('')}</ul>
<div class="sources">Source: ${e(nativeSourceLine(n))}</div>
</details>`).join('\n');
  const details = r.options.map((x, i) => `<details${x.kind === 'combined' || i === 0 ? ' open' : ''}>
<summary><strong>${e(kindLabels[x.kind])}</strong>: ${e(x.option)} — ${e(usd(x.monthlyCost))}/month instead of ${e(usd(x.baselineMonthlyCost))}</summary>
<ul>${x.assumptions.map((a) => `<li>${e(a)}</li>`).join('')}</ul>
<div class="sources">Sources: ${x.sources.map((src) => e(sourceLine(src))).join('; ')}</div>
</details>`).join('\n');
  const allSources = uniqueSources([p.onDemand.source, ...r.options.flatMap((x) => x.sources)]);
  const shape = `${s.vcpu} vCPU · ${s.memoryGiB} GiB${s.gpus ? ` · ${s.gpus} × ${s.gpuModel ?? 'GPU'}` : s.gpus === null && s.gpuModel ? ` · part of an ${s.gpuModel}` : ''}`;
  return webviewPage({
    csp: [`style-src 'nonce-${o.nonce}'`, `img-src ${o.cspSource}`],
    title: r.title,
    head: `<style nonce="${e(o.nonce)}">${STYLE}</style>\n`,
    body: `<main>
<h1>${e(r.title)}</h1>
<p class="meta">${e(shape)} · baseline ${e(String(r.hoursPerMonth))} instance-hours a month${r.subject ? ` · ${e(r.subject)}` : ''}</p>
<nav class="toolbar" aria-label="Report actions">
<a class="primary" href="${e(o.copyCommand)}" title="Copy this report to the clipboard as Markdown">Copy as Markdown</a>
<a href="${e(o.markdownCommand)}" title="Open this report as a Markdown document">Open as Markdown</a>
</nav>
${r.warnings.map((w) => `<p class="note" role="note">${e(w)}</p>`).join('\n')}
<h2>Options</h2>
<table>
<caption>Each option estimated alone against on-demand${r.options.some((x) => x.kind === 'combined') ? '; the combined row compounds the ones that stack' : ''}.</caption>
<thead><tr><th scope="col">Option</th><th scope="col" class="num">Cost / month</th><th scope="col" class="num">Saving / month</th><th scope="col" class="num">Saving</th></tr></thead>
<tbody>
${rows}
${nativeRows}
${missing}
</tbody>
</table>
<h2>Assumptions</h2>
${details}
${nativeDetails ? `<h2>The clouds' own recommenders</h2>\n${nativeDetails}` : ''}
<h2>Prices</h2>
<ul>${priceLines(p, r.hoursPerMonth).map((l) => `<li>${e(l)}</li>`).join('')}${p.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>
<h2>Sources</h2>
<ul class="sources">${allSources.map((src) => `<li>${e(sourceLine(src))}${src.url ? ` — ${e(src.url)}` : ''}</li>`).join('')}</ul>
<footer>Generated ${e(r.generatedAt.slice(0, 16).replace('T', ' '))} UTC. Estimates, not quotes: prices change, and taxes and support are not included.</footer>
</main>`,
  });
}
