import * as vscode from 'vscode';
import { chartIdSchema, type ChartId } from '../../shared/protocol';
import { CHART_TITLES } from '../../shared/dashboardTables';
import { Commands } from '../../shared/commands';
import type { Services } from '../../platform/services';
import type { CostView } from '../../platform/costView';
import { DashboardController, VIEW_TYPE, type DashboardExtras } from './panel';

/**
 * The cost dashboard: `mlFinops.openDashboard` (palette, the Resources view's title, the status bar),
 * `mlFinops.exportDashboardCsv`, and the serializer that brings the panel back after a reload.
 */
export interface DashboardRegistration {
  disposables: vscode.Disposable[];
  controller: DashboardController;
}

export function registerCostDashboard(services: Services, view: CostView, extras: DashboardExtras = {}): DashboardRegistration {
  const controller = new DashboardController(services.context.extensionUri, view, services.log, extras);
  const disposables: vscode.Disposable[] = [
    controller,
    vscode.commands.registerCommand(Commands.openDashboard, (args?: unknown) => controller.open(args)),
    vscode.commands.registerCommand(Commands.exportDashboardCsv, async (chartArg?: unknown, targetArg?: unknown) => {
      let chart: ChartId | undefined = chartIdSchema.safeParse(chartArg).success ? chartArg as ChartId : undefined;
      if (!chart) {
        const pick = await vscode.window.showQuickPick(
          (Object.keys(CHART_TITLES) as ChartId[]).filter((c) => (c !== 'recommendations' || (controller.lastData?.recommendations.length ?? 0) > 0) && (c !== 'gpu' || (controller.lastData?.gpus?.length ?? 0) > 0)).map((c) => ({ label: CHART_TITLES[c], chart: c })),
          { title: 'Export which chart as CSV?' });
        chart = pick?.chart;
      }
      if (!chart) return undefined;
      if (!controller.lastData) {
        controller.open();
        await waitForData(controller);
      }
      const target = typeof targetArg === 'string' ? vscode.Uri.file(targetArg) : targetArg instanceof vscode.Uri ? targetArg : undefined;
      return controller.exportCsv(chart, target);
    }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        controller.attach(panel, state);
      },
    }),
  ];
  return { disposables, controller };
}

/** Waits (up to a minute) for the page to say ready and the first data to be sent. */
async function waitForData(controller: DashboardController): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!controller.lastData && controller.isOpen && Date.now() < deadline) {
    await controller.whenIdle();
    if (!controller.lastData) await new Promise((r) => setTimeout(r, 100));
  }
}
