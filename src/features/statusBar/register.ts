import * as vscode from 'vscode';
import type { BudgetStatus } from '../../core/budgets/evaluate';
import type { CostResult } from '../../core/cost/model';
import { resolvePeriod } from '../../core/period';
import { describeError, isCancelled } from '../../core/errors';
import { formatAge, formatMoney, formatPercent } from '../../shared/format';
import { Commands } from '../../shared/commands';
import type { Services } from '../../platform/services';
import type { CostView } from '../../platform/costView';

/** The team's budgets as the status bar reads them (src/platform/budgetWatch.ts). */
interface BudgetSignal {
  /** The worst budget when one is at risk or over. */
  worstAtRisk(): BudgetStatus | undefined;
  /** Every budget, worst first. */
  readonly report: { statuses: readonly BudgetStatus[] } | undefined;
  readonly onDidChange: vscode.Event<unknown>;
}

export interface StatusBarHandle {
  readonly item: vscode.StatusBarItem;
  /** Recomputes month-to-date spend from the (cached) sources. */
  update(): Promise<void>;
}

/**
 * One status bar item: month-to-date spend, and the worst budget when one is at risk (else the share of a monthly
 * budget on all spend), refreshed whenever
 * the cost model is (re)loaded; click opens the dashboard; the tooltip names the sources and their freshness.
 * Nothing is queried before a view, the dashboard or a command has loaded costs.
 */
export function registerStatusBar(services: Services, view: CostView, budgets?: BudgetSignal): { disposables: vscode.Disposable[]; handle: StatusBarHandle } {
  const item = vscode.window.createStatusBarItem('mlFinops.spend', vscode.StatusBarAlignment.Right, 100);
  item.name = 'ML FinOps: month-to-date spend';
  item.command = Commands.openDashboard;
  let running: AbortController | undefined;

  const placeholder = (): void => {
    const costSources = view.sources.filter((s) => s.cost);
    if (costSources.length === 0) { item.hide(); return; }
    item.text = '$(graph) Costs';
    item.tooltip = new vscode.MarkdownString(`Cost sources: ${costSources.map((s) => s.label).join(', ')}\n\nClick to open the cost dashboard.`);
    item.show();
  };

  const update = async (): Promise<void> => {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    const sources = view.sources.filter((s) => s.cost && s.state.kind !== 'notConfigured');
    if (sources.length === 0) { placeholder(); return; }
    const anchor = await view.ensureAnchor(controller.signal);
    const period = resolvePeriod({ preset: 'monthToDate' }, anchor);
    const results = await Promise.all(sources.map(async (s) => {
      try {
        return { s, r: await s.cost!.query({ period, granularity: 'total', groupBy: [], metric: view.metric }, controller.signal) as CostResult };
      } catch (e) {
        if (isCancelled(e)) throw e;
        return { s, error: describeError(e) };
      }
    })).catch(() => undefined);
    if (!results || controller.signal.aborted) return;
    const totals = new Map<string, number>();
    for (const x of results) for (const row of x.r?.rows ?? []) totals.set(row.currency, (totals.get(row.currency) ?? 0) + row.cost);
    const [currency, spent] = [...totals].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))[0] ?? ['USD', 0];
    const risk = budgets?.worstAtRisk();
    // no budget at risk: the share of the month's budget on all spend, when there is one
    const whole = risk ? undefined : budgets?.report?.statuses.find((s) => Object.keys(s.scope).length === 0 && s.period.start === period.start);
    const share = whole && whole.currency === currency && whole.amount > 0 ? whole.actual / whole.amount : undefined;
    const b = whole;
    const month = new Date(`${period.start}T00:00:00Z`).toLocaleString('en', { month: 'short', year: 'numeric', timeZone: 'UTC' });
    const stale = anchor !== new Date().toISOString().slice(0, 10);
    const riskText = risk ? ` · $(warning) ${risk.name} ${formatPercent((risk.status === 'over' ? risk.percent : risk.forecastPercent) / 100, vscode.env.language)} of budget` : '';
    item.text = `$(graph) ${formatMoney(spent, currency, vscode.env.language)} MTD${share !== undefined ? ` · ${formatPercent(share, vscode.env.language)} of budget` : ''}${riskText}`;
    item.backgroundColor = risk ? new vscode.ThemeColor(risk.status === 'over' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground') : undefined;
    const lines = [
      `**Month to date${stale ? ` (${month}, the last month with data)` : ''}: ${formatMoney(spent, currency, vscode.env.language)}**`,
      ...(share !== undefined && b ? [``, `${formatPercent(share)} of the ${formatMoney(b.amount, b.currency)} budget`] : []),
      ...(risk ? [``, `**Budget ${escapeMd(risk.name)} (${escapeMd(risk.periodLabel)}) is ${risk.status === 'over' ? 'over' : 'at risk'}:** ${formatMoney(risk.actual, risk.currency)} spent of ${formatMoney(risk.amount, risk.currency)}; forecast ${formatMoney(risk.forecast, risk.currency)} (${formatPercent(risk.forecastPercent / 100)})${risk.crossesOn ? `, crossing on ${risk.crossesOn}` : ''}.`] : []),
      '',
      'Sources:',
      ...results.map((x) => `- ${escapeMd(x.s.label)}: ${x.r ? `updated ${formatAge(x.r.fetchedAt)}${x.r.fromCache ? ' (cached)' : ''}` : `failed: ${escapeMd(x.error ?? '')}`}`),
      ...view.sources.filter((s) => s.cost && s.state.kind === 'notConfigured').map((s) => `- ${escapeMd(s.label)}: not configured`),
      '',
      'Click to open the cost dashboard.',
    ];
    const tip = new vscode.MarkdownString(lines.join('\n'));
    tip.isTrusted = false;
    item.tooltip = tip;
    item.accessibilityInformation = { label: `Month-to-date cloud spend ${formatMoney(spent, currency)}${share !== undefined ? `, ${formatPercent(share)} of budget` : ''}${risk ? `; budget ${risk.name} is ${risk.status === 'over' ? 'over' : 'at risk'}, forecast ${formatPercent(risk.forecastPercent / 100)} of it` : ''}. Open the cost dashboard.` };
    item.show();
  };

  // several sources finish one after the other: recompute once they have settled
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = undefined; void update(); }, 250);
  };
  placeholder();
  const onLoaded = view.onDidLoad(() => schedule());
  const onChange = view.onDidChange(() => { if (view.loadedAt) schedule(); else placeholder(); });
  const onBudgets = budgets?.onDidChange(() => schedule());
  return {
    disposables: [item, new vscode.Disposable(() => { onLoaded.dispose(); onChange.dispose(); onBudgets?.dispose(); running?.abort(); if (timer) clearTimeout(timer); })],
    handle: { item, update },
  };
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}
