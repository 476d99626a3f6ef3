import * as vscode from 'vscode';
import type { AnomalyQuery } from '../../core/anomaly/scan';
import { mergeAnswers } from '../../core/anomaly/scan';
import type { GroupKey } from '../../core/cost/model';
import { describeError, isCancelled } from '../../core/errors';
import { addDays, todayUtc } from '../../core/period';
import { monthlyShowback } from '../../core/showback/monthly';
import { showbackCsv, showbackHtml, showbackMarkdown, type ShowbackReport } from '../../core/showback/report';
import { Commands } from '../../shared/commands';
import type { CostView } from '../../platform/costView';
import type { Services } from '../../platform/services';

const VIEW_TYPE = 'mlFinops.showbackReport';
const CONTEXT_KEY = 'mlFinops.showbackReportOpen';
/** Who is charged: the same default as `mlfinops report --by`. */
const BY: GroupKey = 'tag:Team';

export interface ShowbackHandle {
  /** The report on screen (undefined when the panel is closed). */
  readonly report: ShowbackReport | undefined;
}

/** The months offered: the month of the last billed day and the eleven before it, newest first. */
function recentMonths(lastDay: string): string[] {
  const out: string[] = [];
  let y = Number(lastDay.slice(0, 4));
  let m = Number(lastDay.slice(5, 7));
  for (let i = 0; i < 12; i++) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m -= 1;
    if (m === 0) { m = 12; y -= 1; }
  }
  return out;
}

function monthName(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/**
 * "ML FinOps: Showback Report…": what each team owes for a month, from `monthlyShowback` (the function behind
 * `mlfinops report`) over the configured cost sources, shown in a webview without scripts; **Copy as Markdown** and
 * **Export CSV** (the CSV writer that keeps spreadsheet formulas inert) in the page and the editor title.
 */
export function registerShowback(services: Services, view: CostView): { disposables: vscode.Disposable[]; handle: ShowbackHandle } {
  let panel: vscode.WebviewPanel | undefined;
  let current: ShowbackReport | undefined;

  const query: AnomalyQuery = async (q, signal) => {
    const sources = view.sources.filter((s) => s.cost && s.state.kind !== 'notConfigured');
    const answers = await Promise.all(sources.map(async (s) => {
      try {
        return await s.cost!.query(q, signal);
      } catch (e) {
        if (isCancelled(e)) throw e;
        throw new Error(`${s.label}: ${describeError(e)}`);
      }
    }));
    return mergeAnswers(answers);
  };

  const show = (report: ShowbackReport): void => {
    current = report;
    if (!panel) {
      panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Showback', { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        enableScripts: false,
        enableCommandUris: [Commands.copyShowbackMarkdown, Commands.exportShowbackCsv],
        localResourceRoots: [],
        enableFindWidget: true,
      });
      panel.onDidDispose(() => {
        panel = undefined;
        current = undefined;
        void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
      });
    }
    panel.title = `Showback ${report.month}`;
    // the report's own page (no script, every value escaped), with the two actions as command links
    const tools = `<p class="tools"><a href="command:${Commands.copyShowbackMarkdown}">Copy as Markdown</a> · <a href="command:${Commands.exportShowbackCsv}">Export CSV</a></p>`;
    panel.webview.html = showbackHtml(report).replace('<body>\n', `<body>\n${tools}\n`);
    panel.reveal(panel.viewColumn ?? vscode.ViewColumn.Active, false);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, true);
  };

  const open = async (monthArg?: unknown): Promise<ShowbackReport | undefined> => {
    await view.readPolicy();
    const anchor = await view.ensureAnchor();
    const today = todayUtc();
    const lastDay = anchor < today ? anchor : addDays(today, -1);
    let month = typeof monthArg === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(monthArg) ? monthArg : undefined;
    if (!month) {
      const months = recentMonths(lastDay);
      const pick = await vscode.window.showQuickPick(months.map((m, i) => ({ label: monthName(m), description: i === 0 ? `to ${lastDay}` : undefined, month: m })), {
        title: 'Showback report: which month?', placeHolder: 'What each team owes, shared cost allocated as .finops.yaml says',
      });
      month = pick?.month;
    }
    if (!month) return undefined;
    const chosen = month;
    try {
      const { report, notes } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Showback ${chosen}…`, cancellable: false }, () =>
        monthlyShowback(query, { month: chosen, by: BY, metric: view.metric, settings: view.showback ?? { allocation: 'proportional' }, budgets: view.budgets, lastDay }));
      for (const n of notes) services.log.info(`Showback: ${n}`);
      show(report);
      return report;
    } catch (e) {
      services.log.error(`Showback: ${describeError(e)}`);
      void vscode.window.showErrorMessage(`Showback report for ${chosen}: ${describeError(e)}`, 'Show Logs').then((c) => { if (c) services.output.show(true); });
      return undefined;
    }
  };

  const disposables: vscode.Disposable[] = [
    vscode.commands.registerCommand(Commands.showbackReport, open),
    vscode.commands.registerCommand(Commands.copyShowbackMarkdown, async () => {
      if (!current) { void vscode.window.showInformationMessage('Open a showback report first (ML FinOps: Showback Report…).'); return undefined; }
      const text = showbackMarkdown(current);
      await vscode.env.clipboard.writeText(text);
      vscode.window.setStatusBarMessage(`Copied the showback report of ${current.month} as Markdown`, 3000);
      return text;
    }),
    vscode.commands.registerCommand(Commands.exportShowbackCsv, async (target?: unknown) => {
      if (!current) { void vscode.window.showInformationMessage('Open a showback report first (ML FinOps: Showback Report…).'); return undefined; }
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = `showback-${current.month}.csv`;
      const uri = typeof target === 'string' ? vscode.Uri.file(target) : target instanceof vscode.Uri ? target : await vscode.window.showSaveDialog({
        title: `Export the showback report of ${current.month} as CSV`, filters: { CSV: ['csv'] }, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      });
      if (!uri) return undefined;
      await vscode.workspace.fs.writeFile(uri, Buffer.from(showbackCsv(current), 'utf8'));
      vscode.window.setStatusBarMessage(`Saved ${vscode.workspace.asRelativePath(uri)}`, 3000);
      return uri;
    }),
    { dispose: () => panel?.dispose() },
  ];
  return { disposables, handle: { get report() { return current; } } };
}
