import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { Commands } from '../../shared/commands';
import type { AnomalyWatch } from '../../platform/anomalyWatch';
import type { Services } from '../../platform/services';
import { ANOMALY_NOTIFIED_KEY, AnomalyAlerts, type ShownAnomaly } from './alerts';

export interface AnomaliesHandle {
  readonly alerts: AnomalyAlerts;
  readonly watch: AnomalyWatch;
  /** Checks the current report with a new notifier on the same states: what a restart would show. */
  checkAsAfterRestart(): Promise<ShownAnomaly[]>;
  /** Forgets which anomalies were notified (they are shown again). */
  forgetNotified(): Promise<void>;
}

/**
 * Anomaly notifications from the anomaly report (one per new event, muted groups left out) and the command that
 * unmutes groups. The report itself (AnomalyWatch) is shared with the dashboard and the Resources view.
 */
export function registerAnomalies(services: Services, watch: AnomalyWatch): { disposables: vscode.Disposable[]; handle: AnomaliesHandle } {
  const { context } = services;
  const openDashboard = () => vscode.commands.executeCommand(Commands.openDashboard);
  const alerts = new AnomalyAlerts(context.globalState, context.workspaceState, openDashboard);
  const disposables: vscode.Disposable[] = [
    watch.onDidChange((report) => {
      if (!services.settings.get('anomalies.notify')) return;
      void alerts.check(report).catch((e) => services.log.error(`Anomaly notifications: ${describeError(e)}`));
    }),
    vscode.commands.registerCommand(Commands.unmuteAnomalyGroups, async (ids?: unknown) => {
      const muted = alerts.muted();
      if (Array.isArray(ids)) {
        await alerts.unmute(ids.filter((i): i is string => typeof i === 'string'));
        return alerts.muted();
      }
      if (!muted.length) {
        void vscode.window.showInformationMessage('No anomaly group is muted. "Mute This Group" on an anomaly notification mutes its group.');
        return muted;
      }
      const picks = await vscode.window.showQuickPick(muted.map((g) => ({ label: g.label, id: g.id, picked: true })), {
        title: 'Unmute anomaly groups', placeHolder: 'The selected groups are notified again', canPickMany: true,
      });
      if (!picks?.length) return muted;
      await alerts.unmute(picks.map((p) => p.id));
      void vscode.window.showInformationMessage(`Anomalies of ${picks.map((p) => p.label).join(', ')} will be notified again.`);
      return alerts.muted();
    }),
  ];
  return {
    disposables,
    handle: {
      alerts,
      watch,
      checkAsAfterRestart: async () => new AnomalyAlerts(context.globalState, context.workspaceState, openDashboard).check(await watch.evaluate()),
      forgetNotified: async () => { await context.globalState.update(ANOMALY_NOTIFIED_KEY, undefined); },
    },
  };
}
