import type * as vscode from 'vscode';
import type { Services } from '../../services';
import { registerCostDashboard } from '../costDashboard/register';
import type { DashboardController, DashboardExtras } from '../costDashboard/panel';
import { recommendationsFor } from '../costDashboard/recommendations';
import { registerStatusBar, type MonthBudget, type StatusBarHandle } from '../statusBar/register';
import { CostView, type SourceList } from './costView';
import { registerResourcesTree, type ResourcesTreeHandle } from './register';

/** What the cost views expose to the extension's API (the extension-host tests read the tree through it). */
export interface CostViewsApi {
  readonly view: CostView;
  readonly tree: ResourcesTreeHandle;
  readonly dashboard: DashboardController;
  readonly statusBar: StatusBarHandle;
}

export interface CostViewsOptions {
  sources: SourceList;
  dashboard?: DashboardExtras;
  budget?: () => MonthBudget | undefined;
}

/**
 * The Resources view, the cost dashboard and the status bar, over one shared CostView (sources, period,
 * hierarchy, cached model). Registering does no I/O: the model loads when the view is shown or a command runs.
 */
export function registerCostViews(services: Services, options: CostViewsOptions): { disposables: vscode.Disposable[]; api: CostViewsApi } {
  const view = new CostView(services, options.sources);
  const tree = registerResourcesTree(services, view);
  const dashboard = registerCostDashboard(services, view, options.dashboard ?? { recommendations: recommendationsFor(services, view) });
  const statusBar = registerStatusBar(services, view, options.budget);
  return {
    disposables: [view, ...tree.disposables, ...dashboard.disposables, ...statusBar.disposables],
    api: { view, tree: tree.handle, dashboard: dashboard.controller, statusBar: statusBar.handle },
  };
}
