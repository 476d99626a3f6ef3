import * as vscode from 'vscode';
import type { AnomalyQuery } from '../../core/anomaly/scan';
import { mergeAnswers } from '../../core/anomaly/scan';
import { FOCUS_DIMENSIONS, type CostMetric, type GroupKey } from '../../core/cost/model';
import { parseGroupBy } from '../../core/cost/query';
import { describeError, isCancelled } from '../../core/errors';
import { addDays, todayUtc } from '../../core/period';
import { monthlyShowback } from '../../core/showback/monthly';
import { showbackCsv, showbackHtml, showbackMarkdown, type ShowbackReport } from '../../core/showback/report';
import { Commands } from '../../shared/commands';
import type { CostView } from '../../platform/costView';
import type { Services } from '../../platform/services';
import { escapeHtml } from '../../platform/webviewHtml';

const VIEW_TYPE = 'mlFinops.showbackReport';
const CONTEXT_KEY = 'mlFinops.showbackReportOpen';
/** Who is charged and which cost: the same defaults as `mlfinops report --by` and `--metric`. */
const DEFAULT_BY: GroupKey = 'tag:Team';
const DEFAULT_METRIC: CostMetric = 'EffectiveCost';
/** The choices of the last report, offered first next time (per workspace). */
const LAST_BY_KEY = 'mlFinops.showback.by';
const LAST_METRIC_KEY = 'mlFinops.showback.metric';

/** The metrics of `mlfinops report --metric`, in the words of the `mlFinops.cost.metric` setting. */
const METRICS: readonly { metric: CostMetric; detail: string }[] = [
  { metric: 'EffectiveCost', detail: 'amortized: commitments spread over their term, after discounts' },
  { metric: 'BilledCost', detail: 'as invoiced: commitments on the day they were bought' },
  { metric: 'ListCost', detail: 'at public prices, before any discount' },
];
/** FOCUS dimensions worth charging by, offered after the policy's tags (any other works as an argument). */
const OFFERED_DIMENSIONS: readonly GroupKey[] = ['SubAccountName', 'SubAccountId', 'ProviderName', 'ServiceCategory', 'ServiceName'];

/**
 * What "Showback Report…" may be given, as `mlfinops report` takes it: `month` (YYYY-MM), `by` (`--by`: a tag written
 * tag:Team or a FOCUS dimension) and `metric` (`--metric`). A month given as a string means the CLI's defaults for
 * the others; in an object, what is missing is asked (a quick pick each).
 */
export interface ShowbackArgs {
  month?: string;
  by?: string;
  metric?: string;
}

export interface ShowbackHandle {
  /** The report on screen (undefined when the panel is closed). */
  readonly report: ShowbackReport | undefined;
  /** Its metric (the report itself names who is charged, `report.by`). */
  readonly metric: CostMetric | undefined;
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
  let currentMetric: CostMetric | undefined;

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

  const show = (report: ShowbackReport, metric: CostMetric): void => {
    current = report;
    currentMetric = metric;
    if (!panel) {
      panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Showback', { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        enableScripts: false,
        enableCommandUris: [Commands.copyShowbackMarkdown, Commands.exportShowbackCsv, Commands.showbackReport],
        localResourceRoots: [],
        enableFindWidget: true,
      });
      panel.onDidDispose(() => {
        panel = undefined;
        current = undefined;
        currentMetric = undefined;
        void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
      });
    }
    panel.title = `Showback ${report.month}`;
    // the report's own page (no script, every value escaped), with what it counts and the actions as command links
    const change = `command:${Commands.showbackReport}?${encodeURIComponent(JSON.stringify([{ month: report.month }]))}`;
    const choice = `${escapeHtml(report.by)} · ${escapeHtml(metric)}`;
    const tools = `<p class="tools">By ${choice} (<code>mlfinops report --month ${escapeHtml(report.month)} --by ${escapeHtml(report.by)} --metric ${escapeHtml(metric)}</code>) · <a href="${change}">Change Grouping or Metric…</a> · <a href="command:${Commands.copyShowbackMarkdown}">Copy as Markdown</a> · <a href="command:${Commands.exportShowbackCsv}">Export CSV</a></p>`;
    panel.webview.html = showbackHtml(report).replace('<body>\n', `<body>\n${tools}\n`);
    panel.reveal(panel.viewColumn ?? vscode.ViewColumn.Active, false);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, true);
  };

  /** Who is charged: the policy's tags (Team first, the last choice before it), then a few FOCUS dimensions. */
  const pickBy = async (month: string): Promise<GroupKey | undefined> => {
    const last = services.context.workspaceState.get<string>(LAST_BY_KEY);
    const keys = [...new Set<string>([...(last ? [last] : []), DEFAULT_BY, ...view.policyTagKeys.map((k) => `tag:${k}`), ...OFFERED_DIMENSIONS])];
    const pick = await vscode.window.showQuickPick(keys.map((k) => ({
      label: k.startsWith('tag:') ? `$(tag) ${k.slice(4)}` : k,
      description: [k === DEFAULT_BY ? 'the default of mlfinops report' : '', k === last ? 'last used' : ''].filter(Boolean).join(', ') || undefined,
      detail: `--by ${k}`,
      key: k,
    })), { title: `Showback ${month}: charge by which tag or dimension?`, placeHolder: 'Who is charged: each value of this key gets its own share' });
    return pick ? (pick.key as GroupKey) : undefined;
  };
  const pickMetric = async (month: string): Promise<CostMetric | undefined> => {
    const last = services.context.workspaceState.get<string>(LAST_METRIC_KEY) ?? view.metric;
    const ordered = [...METRICS].sort((a, b) => Number(b.metric === last) - Number(a.metric === last));
    const pick = await vscode.window.showQuickPick(ordered.map((m) => ({
      label: m.metric,
      description: [m.metric === DEFAULT_METRIC ? 'the default of mlfinops report' : '', m.metric === last ? 'last used' : ''].filter(Boolean).join(', ') || undefined,
      detail: `${m.detail} (--metric ${m.metric})`,
      metric: m.metric,
    })), { title: `Showback ${month}: which cost?` });
    return pick?.metric;
  };

  const open = async (arg?: unknown): Promise<ShowbackReport | undefined> => {
    const args: ShowbackArgs = typeof arg === 'string' ? { month: arg } : arg !== null && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as ShowbackArgs) : {};
    // given a month alone, the CLI's defaults; otherwise what is not given is asked
    let by: GroupKey | undefined;
    let metric: CostMetric | undefined;
    if (args.by !== undefined) {
      try {
        const keys = parseGroupBy(String(args.by));
        if (keys.length !== 1) throw new Error('one key');
        by = keys[0];
      } catch {
        void vscode.window.showErrorMessage(`Showback report: "${String(args.by)}" is not a key to charge by. Use a tag written tag:Team or a FOCUS dimension (${FOCUS_DIMENSIONS.slice(0, 6).join(', ')}, …), as mlfinops report --by takes.`);
        return undefined;
      }
    }
    if (args.metric !== undefined) {
      if (!METRICS.some((m) => m.metric === args.metric)) {
        void vscode.window.showErrorMessage(`Showback report: "${String(args.metric)}" is not a cost metric. Use EffectiveCost, BilledCost or ListCost, as mlfinops report --metric takes.`);
        return undefined;
      }
      metric = args.metric as CostMetric;
    }
    if (args.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(String(args.month))) {
      void vscode.window.showErrorMessage(`Showback report: "${String(args.month)}" is not a month. Write it YYYY-MM, such as 2026-10.`);
      return undefined;
    }
    await view.readPolicy();
    const anchor = await view.ensureAnchor();
    const today = todayUtc();
    const lastDay = anchor < today ? anchor : addDays(today, -1);
    let month = args.month;
    if (!month) {
      const months = recentMonths(lastDay);
      const pick = await vscode.window.showQuickPick(months.map((m, i) => ({ label: monthName(m), description: i === 0 ? `to ${lastDay}` : undefined, month: m })), {
        title: 'Showback report: which month?', placeHolder: 'What each team owes, shared cost allocated as .finops.yaml says',
      });
      month = pick?.month;
    }
    if (!month) return undefined;
    if (typeof arg === 'string') {
      by ??= DEFAULT_BY;
      metric ??= DEFAULT_METRIC;
    }
    by ??= await pickBy(month);
    if (!by) return undefined;
    metric ??= await pickMetric(month);
    if (!metric) return undefined;
    await services.context.workspaceState.update(LAST_BY_KEY, by);
    await services.context.workspaceState.update(LAST_METRIC_KEY, metric);
    const chosenBy = by;
    const chosenMetric = metric;
    const chosen = month;
    try {
      const { report, notes } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Showback ${chosen}…`, cancellable: false }, () =>
        monthlyShowback(query, { month: chosen, by: chosenBy, metric: chosenMetric, settings: view.showback ?? { allocation: 'proportional' }, budgets: view.budgets, lastDay }));
      for (const n of notes) services.log.info(`Showback: ${n}`);
      show(report, chosenMetric);
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
  return { disposables, handle: { get report() { return current; }, get metric() { return currentMetric; } } };
}
