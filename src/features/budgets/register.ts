import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { Commands } from '../../shared/commands';
import type { Services } from '../../platform/services';
import type { CostView } from '../../platform/costView';
import type { BudgetWatch } from '../../platform/budgetWatch';
import type { Confirmations } from '../../platform/confirmations';
import { BudgetAlerts, NOTIFIED_KEY, type ShownAlert } from './alerts';
import { createCloudBudget, importCloudBudgets } from './cloudBudgetCommands';

export interface BudgetsHandle {
  readonly alerts: BudgetAlerts;
  /** Checks the current report with a new notifier on the same global state: what a restart would show. */
  checkAsAfterRestart(): Promise<ShownAlert[]>;
  /** Forgets which thresholds were notified (they are shown again when still crossed). */
  forgetNotified(): Promise<void>;
}

/**
 * Budgets: threshold notifications from the budget report (once per threshold per period), and the two cloud
 * budget commands. The report itself (BudgetWatch) is shared with the dashboard and the status bar.
 */
export function registerBudgets(services: Services, view: CostView, watch: BudgetWatch, confirmations: Confirmations): { disposables: vscode.Disposable[]; handle: BudgetsHandle } {
  const openDashboard = () => vscode.commands.executeCommand(Commands.openDashboard);
  const alerts = new BudgetAlerts(services.context.globalState, openDashboard);
  const disposables: vscode.Disposable[] = [
    watch.onDidChange((report) => { void alerts.check(report).catch((e) => services.log.error(`Budget alerts: ${describeError(e)}`)); }),
    vscode.commands.registerCommand(Commands.createCloudBudget, (arg?: unknown) => createCloudBudget(services, view, confirmations, arg)),
    vscode.commands.registerCommand(Commands.importCloudBudgets, (arg?: unknown) => importCloudBudgets(services, view, arg)),
  ];
  return {
    disposables,
    handle: {
      alerts,
      checkAsAfterRestart: async () => new BudgetAlerts(services.context.globalState, openDashboard).check(await watch.evaluate()),
      forgetNotified: async () => { await services.context.globalState.update(NOTIFIED_KEY, undefined); },
    },
  };
}
