import * as vscode from 'vscode';
import { createLogger } from './platform/logger';
import { CostView } from './platform/costView';
import type { Services } from './platform/services';
import { SettingsService } from './platform/settings';
import { createSourceRegistry } from './platform/sourceRegistry';
import { cloudSourceFactories } from './providers/cloudSources';
import { demoSourceFactory } from './providers/demo/demoSource';
import { DuckDbEngine } from './providers/focus/duckdb';
import { focusSourceFactory } from './providers/focus/sourceFactory';
import { iacSourceFactory } from './providers/iac/resourceSource';
import { settingsSavingsSources } from './providers/savingsSources';
import { register as registerCloudAccounts } from './features/cloudAccounts/register';
import { registerCostDashboard, type DashboardRegistration } from './features/costDashboard/register';
import { recommendationsFor } from './features/costDashboard/recommendations';
import { register as registerMigrate } from './features/migrate/register';
import { register as registerOnboarding } from './features/onboarding/register';
import { registerResourcesTree, type ResourcesTreeHandle } from './features/resourcesTree/register';
import { SavingsEstimator } from './features/savings/estimator';
import { register as registerSavings } from './features/savings/register';
import { registerStatusBar, type StatusBarHandle } from './features/statusBar/register';
import { register as registerTagDiagnostics } from './features/tagDiagnostics/register';
import { registerBudgets, type BudgetsHandle } from './features/budgets/register';
import { BudgetWatch } from './platform/budgetWatch';
import { budgetPanel } from './features/costDashboard/budgetPanels';
import { dashboardAnomalies } from './features/costDashboard/anomalyList';
import { AnomalyWatch } from './platform/anomalyWatch';
import { registerAnomalies, type AnomaliesHandle } from './features/anomalies/register';
import { registerShowback, type ShowbackHandle } from './features/showback/register';
import { register as registerSpotTraining, type SpotJobsHandle } from './features/spotTraining/register';
import { Confirmations } from './platform/confirmations';
import { register as registerShutdownSchedule } from './features/shutdownSchedule/register';
import { registerApplyTags } from './features/applyTags/register';

/** What activate() returns: a small, stable surface the extension-host tests (and other extensions) may use. */
export interface MlFinOpsApi {
  readonly settings: SettingsService;
  /** The Resources view, the cost dashboard and the status bar (the extension-host tests read them here). */
  readonly costViews: {
    readonly view: CostView;
    readonly tree: ResourcesTreeHandle;
    readonly dashboard: DashboardRegistration['controller'];
    readonly statusBar: StatusBarHandle;
  };
  /** The team's budgets: the report, and the threshold notifications. */
  readonly budgets: BudgetsHandle & { readonly watch: BudgetWatch };
  /** Cost anomalies: the report (dashboard, tree, notifications read it) and the notifications. */
  readonly anomalies: AnomaliesHandle;
  /** The showback report on screen. */
  readonly showback: ShowbackHandle;
  /** Every modal confirmation before spending money (answered by the extension-host tests in Test mode only). */
  readonly confirmations: Confirmations;
  /** The Spot jobs view's model and tree. */
  readonly spotJobs: SpotJobsHandle;
}

/**
 * Composition root: build the services and what features share (the cost view, the savings estimator), register
 * each feature with them, own their disposables. Features never import one another.
 */
export function activate(context: vscode.ExtensionContext): MlFinOpsApi {
  const started = Date.now();
  const output = vscode.window.createOutputChannel('ML FinOps', { log: true });
  const log = createLogger(output);
  const settings = new SettingsService(log);
  // Bill files (FOCUS and native exports) and the demo bill share one in-process DuckDB, loaded on first query.
  const duckdb = new DuckDbEngine({ logger: log });
  context.subscriptions.push({ dispose: () => duckdb.close() });
  // Each kind of source plugs in here (clouds, FOCUS files, IaC): one registry, one cache, one state per source.
  const { registry: sources, disposables: sourceDisposables } = createSourceRegistry({ context, log, settings }, [
    ...cloudSourceFactories(),
    focusSourceFactory({ baseDir: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, copiesDir: vscode.Uri.joinPath(context.globalStorageUri, 'focus-copies').fsPath, engine: duckdb }),
    demoSourceFactory({ extensionRoot: context.extensionPath, engine: duckdb }),
    iacSourceFactory(() => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)),
  ]);
  const savingsSources = settingsSavingsSources({ settings: () => settings.settings, trusted: () => vscode.workspace.isTrusted, storageDir: context.globalStorageUri.fsPath, log });
  const services: Services = { context, output, log, settings, sources, savingsSources };
  context.subscriptions.push(output, settings, ...sourceDisposables);

  // shared by several features: the cost view (sources, period, hierarchy, cached model) and the savings estimator
  const estimator = new SavingsEstimator(services);
  const confirmations = new Confirmations(context.extensionMode);
  context.subscriptions.push(
    ...registerOnboarding(services),
    ...registerCloudAccounts(services),
    ...registerTagDiagnostics(services),
    ...registerSavings(services, estimator),
    ...registerMigrate(services),
  );
  const costView = new CostView(services, sources);
  const budgetWatch = new BudgetWatch(services, costView);
  const anomalyWatch = new AnomalyWatch(services, costView);
  const tree = registerResourcesTree(services, costView, anomalyWatch, {
    native: (signal) => estimator.nativeRecommendations(signal),
    estimate: (request, signal) => estimator.estimate(request, signal),
  });
  const dashboard = registerCostDashboard(services, costView, {
    recommendations: recommendationsFor(costView, (request, signal) => estimator.estimate(request, signal), log, (signal) => estimator.nativeRecommendations(signal)),
    budgets: async () => (await budgetWatch.evaluate()).statuses.map(budgetPanel),
    anomalies: async () => dashboardAnomalies((await anomalyWatch.evaluate()).scan.anomalies),
  });
  const statusBar = registerStatusBar(services, costView, budgetWatch);
  const budgets = registerBudgets(services, costView, budgetWatch, confirmations);
  const anomalies = registerAnomalies(services, anomalyWatch);
  const showback = registerShowback(services, costView);
  const spotTraining = registerSpotTraining(services, confirmations);
  context.subscriptions.push(...registerShutdownSchedule(services, (prices) => estimator.planInput(prices), confirmations));
  context.subscriptions.push(...registerApplyTags(services, tree.handle, confirmations));
  context.subscriptions.push(costView, budgetWatch, anomalyWatch, ...tree.disposables, ...dashboard.disposables, ...statusBar.disposables, ...budgets.disposables, ...anomalies.disposables, ...showback.disposables, ...spotTraining.disposables);
  log.info(`ML FinOps ${String(context.extension.packageJSON.version)} activated in ${Date.now() - started} ms`);
  return { settings, costViews: { view: costView, tree: tree.handle, dashboard: dashboard.controller, statusBar: statusBar.handle }, budgets: { ...budgets.handle, watch: budgetWatch }, anomalies: anomalies.handle, showback: showback.handle, confirmations, spotJobs: spotTraining.handle };
}

export function deactivate(): void {
  // every registration is disposed through context.subscriptions
}
