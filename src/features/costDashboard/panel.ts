import * as vscode from 'vscode';
import { z } from 'zod';
import type { CostFilter, GroupKey } from '../../core/cost/model';
import { toCsv } from '../../core/allocation/csv';
import { describeError, isCancelled } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { CHART_TITLES, chartTable } from '../../shared/dashboardTables';
import {
  dashboardStateSchema, describeInvalid, filterSchema, pageMessageSchema,
  type ChartId, type DashboardData, type HostMessage, type PageMessage,
} from '../../shared/protocol';
import { Commands } from '../../shared/commands';
import type { CostView } from '../../platform/costView';
import { buildDashboardData, tagValues, type DashboardSource } from './dashboardData';
import { dashboardHtml } from './html';
import { createNonce } from '../../platform/webviewHtml';

export const VIEW_TYPE = 'mlFinops.costDashboard';

/** Arguments `mlFinops.openDashboard` accepts (from the tree's "Filter Dashboard to This"). */
const openArgsSchema = z.object({ filters: z.array(filterSchema).max(20).optional() }).optional();

/** Extra panels the dashboard shows once other features provide them (savings, budgets). */
export interface DashboardExtras {
  recommendations?(signal: AbortSignal): Promise<DashboardData['recommendations']>;
  /** The team's budgets, worst first (the budget panel). */
  budgets?(signal: AbortSignal): Promise<DashboardData['budgets']>;
  /** Anomalous days (markers and the list). */
  anomalies?(signal: AbortSignal): Promise<DashboardData['anomalies']>;
}

/**
 * The one cost dashboard panel: a static page (no data in its HTML) that says `ready`, then gets the data
 * as a typed message; every message from the page is validated before anything acts on it. Filters live
 * here and in the page's state, so a restored panel comes back filtered as it was.
 */
export class DashboardController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private filters: CostFilter[] = [];
  private data: DashboardData | undefined;
  private running: AbortController | undefined;
  private idle: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];
  /** Messages received from the page and rejected, for the logs and tests. */
  rejected = 0;
  ready = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly view: CostView,
    private readonly log: Logger,
    private readonly extras: DashboardExtras = {},
  ) {
    this.disposables.push(view.onDidChange(() => { if (this.panel && this.ready) void this.refresh(); }));
  }

  /** The data last sent to the page. */
  get lastData(): DashboardData | undefined {
    return this.data;
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get currentFilters(): readonly CostFilter[] {
    return this.filters;
  }

  whenIdle(): Promise<void> {
    return this.idle;
  }

  /** Opens (or reveals) the panel, optionally filtered. */
  open(args?: unknown): void {
    const parsed = openArgsSchema.safeParse(args);
    if (parsed.success && parsed.data?.filters) this.filters = parsed.data.filters.map((f) => ({ key: f.key as GroupKey, values: f.values }));
    if (this.panel) {
      this.panel.reveal(undefined, false);
      if (this.ready) void this.refresh();
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Cost Dashboard', vscode.ViewColumn.Active, this.webviewOptions());
    this.attach(panel);
  }

  webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
      retainContextWhenHidden: false,
    };
  }

  /** Takes over a panel: a new one, or one VS Code restores after a reload (with the page's saved state). */
  attach(panel: vscode.WebviewPanel, savedState?: unknown): void {
    this.detach();
    this.panel = panel;
    this.ready = false;
    const saved = dashboardStateSchema.safeParse(savedState);
    if (saved.success) this.filters = saved.data.filters.map((f) => ({ key: f.key as GroupKey, values: f.values }));
    panel.webview.options = this.webviewOptions();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'activitybar.svg');
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    panel.webview.html = dashboardHtml({
      cspSource: panel.webview.cspSource,
      nonce: createNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'dashboard.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'dashboard.css')).toString(),
    });
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => { void this.receive(m); }),
      // the data was the page's: a closed panel has none (a new one waits for its own)
      panel.onDidDispose(() => { this.panel = undefined; this.data = undefined; this.detach(); }),
    );
  }

  private detach(): void {
    this.running?.abort();
    for (const d of this.panelDisposables) d.dispose();
    this.panelDisposables = [];
    this.ready = false;
  }

  private post(message: HostMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  /** Handles one message from the page, after validating it. */
  async receive(raw: unknown): Promise<void> {
    const parsed = pageMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.rejected += 1;
      this.log.warn(`Cost dashboard: ignored an invalid message from the page (${describeInvalid(parsed.error)})`);
      return;
    }
    const m: PageMessage = parsed.data;
    try {
      switch (m.type) {
        case 'ready': {
          // the page keeps its state itself: a state that is not one (another version, edited) is ignored
          const state = m.state === undefined ? undefined : dashboardStateSchema.safeParse(m.state);
          if (state && !state.success) this.log.warn(`Cost dashboard: ignored the page's saved state (${describeInvalid(state.error)})`);
          this.log.info(`Cost dashboard: the page is ready${state?.success ? ' (restored state)' : ''}`);
          this.ready = true;
          if (state?.success && this.filters.length === 0) this.filters = state.data.filters.map((f) => ({ key: f.key as GroupKey, values: f.values }));
          await this.refresh();
          break;
        }
        case 'setPeriod':
          await this.view.setPeriod(m.period); // the view's change event refreshes
          break;
        case 'setFilter':
          this.filters = [...this.filters.filter((f) => f.key !== m.filter.key), { key: m.filter.key as GroupKey, values: m.filter.values }];
          await this.refresh();
          break;
        case 'removeFilter':
          this.filters = this.filters.filter((f) => f.key !== m.key);
          await this.refresh();
          break;
        case 'clearFilters':
          this.filters = [];
          await this.refresh();
          break;
        case 'requestTagValues': {
          const p = this.view.resolvedPeriod();
          const values = await tagValues(this.costSources(), m.key as GroupKey, p.period, this.view.metric);
          this.post({ type: 'tagValues', key: m.key, values, requestId: m.requestId });
          break;
        }
        case 'exportCsv':
          await this.exportCsv(m.chart);
          break;
        case 'savePng':
          await this.savePng(m.chart, m.dataUrl);
          break;
        case 'refresh':
          await this.view.load({ refresh: true });
          await this.refresh();
          break;
        case 'runCommand':
          await vscode.commands.executeCommand(m.command === 'configureAccounts' ? Commands.configureAccounts : Commands.showLogs);
          break;
      }
    } catch (e) {
      this.log.error(`Cost dashboard: ${describeError(e)}`);
      this.post({ type: 'notice', level: 'error', message: describeError(e) });
    }
  }

  private costSources(): DashboardSource[] {
    // every source that can be asked (its state is how its last call went: ask again)
    return this.view.sources.filter((s) => s.state.kind !== 'notConfigured' && s.cost).map((s) => ({ id: s.id, label: s.label, cost: s.cost! }));
  }

  /** Queries the sources for the current period and filters and sends the result to the page. */
  refresh(): Promise<void> {
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    const run = (async () => {
      if (!this.panel) return;
      this.post({ type: 'loading', message: 'Loading costs…' });
      await this.view.readPolicy();
      await this.view.ensureAnchor(controller.signal);
      const sources = this.costSources();
      const others = this.view.sources.filter((s) => s.cost && s.state.kind === 'notConfigured').map((s) => ({
        label: s.label,
        state: 'notConfigured' as const,
        ...(s.state.kind === 'notConfigured' ? { message: s.state.fix } : {}),
      }));
      if (sources.length === 0) {
        this.data = undefined;
        this.post({
          type: 'empty',
          message: others.length ? 'No cost source can be read right now.' : 'No cost source is configured.',
          fix: others.length ? 'Fix the sources listed below, or open the demo workspace.' : 'Point ML FinOps at a FOCUS file or a cloud account, or open the demo workspace.',
          sources: others,
        });
        return;
      }
      const p = this.view.resolvedPeriod();
      // costs, recommendations, budgets and anomalies are asked side by side
      const [recommendations, budgets, anomalies, built] = await Promise.all([
        this.extras.recommendations?.(controller.signal).catch((e) => { this.log.warn(`Cost dashboard: recommendations: ${describeError(e)}`); return []; }),
        this.extras.budgets?.(controller.signal).catch((e) => { this.log.warn(`Cost dashboard: budgets: ${describeError(e)}`); return []; }),
        this.extras.anomalies?.(controller.signal).catch((e) => { this.log.warn(`Cost dashboard: anomalies: ${describeError(e)}`); return []; }),
        buildDashboardData({
          sources, choice: p.choice, period: p.period, metric: this.view.metric, filters: this.filters,
          hierarchy: this.view.hierarchy.keys, tagKeys: this.view.policyTagKeys, otherSources: others, signal: controller.signal,
        }),
      ]);
      const { failures } = built;
      const data = { ...built.data, ...(recommendations ? { recommendations } : {}), ...(budgets ? { budgets } : {}), ...(anomalies ? { anomalies } : {}) };
      for (const f of failures) this.log.warn(`Cost dashboard: ${f.source.label}: ${describeError(f.error)}`);
      if (controller.signal.aborted) return;
      if (failures.length === sources.length) {
        this.data = undefined;
        this.post({ type: 'empty', message: 'No cost source can be read right now.', fix: 'See each source\'s message below.', sources: data.sources });
        return;
      }
      this.data = data;
      this.post({ type: 'data', data });
    })().catch((e) => {
      if (isCancelled(e) || controller.signal.aborted) return;
      this.log.error(`Cost dashboard: ${describeError(e)}`);
      this.post({ type: 'notice', level: 'error', message: describeError(e) });
    });
    this.idle = run;
    return run;
  }

  private defaultUri(name: string): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return folder ? vscode.Uri.joinPath(folder, name) : undefined;
  }

  private fileStem(chart: ChartId): string {
    const p = this.data?.period;
    return `ml-finops-${chart}${p ? `-${p.start}-to-${p.end}` : ''}`;
  }

  /** Writes a chart's table as CSV: to `target` when given, else where the user picks in a save dialog. */
  async exportCsv(chart: ChartId, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (!this.data) {
      void vscode.window.showWarningMessage('The cost dashboard has no data to export yet. Open it and wait for the charts.');
      return undefined;
    }
    const uri = target ?? await vscode.window.showSaveDialog({
      title: `Export "${CHART_TITLES[chart]}" as CSV`,
      filters: { CSV: ['csv'] },
      ...(this.defaultUri(`${this.fileStem(chart)}.csv`) ? { defaultUri: this.defaultUri(`${this.fileStem(chart)}.csv`)! } : {}),
    });
    if (!uri) return undefined;
    const t = chartTable(this.data, chart);
    const currency = this.data.currency ? ` (${this.data.currency})` : '';
    const header = t.header.map((h, i) => (t.moneyColumns.includes(i) ? `${h}${currency}` : h));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(toCsv(header, t.rows), 'utf8'));
    this.post({ type: 'notice', level: 'info', message: `Saved ${vscode.workspace.asRelativePath(uri)}` });
    this.log.info(`Cost dashboard: exported ${chart} to ${uri.fsPath}`);
    return uri;
  }

  private async savePng(chart: ChartId, dataUrl: string): Promise<void> {
    const uri = await vscode.window.showSaveDialog({
      title: `Save "${CHART_TITLES[chart]}" as PNG`,
      filters: { PNG: ['png'] },
      ...(this.defaultUri(`${this.fileStem(chart)}.png`) ? { defaultUri: this.defaultUri(`${this.fileStem(chart)}.png`)! } : {}),
    });
    if (!uri) return;
    const bytes = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    // a PNG starts with its 8-byte signature; anything else is refused
    if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x89504e47) throw new Error('The chart image is not a PNG.');
    await vscode.workspace.fs.writeFile(uri, bytes);
    this.post({ type: 'notice', level: 'info', message: `Saved ${vscode.workspace.asRelativePath(uri)}` });
  }

  dispose(): void {
    this.detach();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
