import * as vscode from 'vscode';
import { reportToMarkdown, type SavingsReport } from '../../core/savings/report';
import { Commands } from '../../shared/commands';
import { reportHtml } from './reportHtml';
import { createNonce } from '../../platform/webviewHtml';
import { parseVmRef } from '../../core/act/target';

function isVmId(id: string): boolean {
  try { parseVmRef(id); return true; } catch { return false; }
}

const REPORT_VIEW_TYPE = 'mlFinops.savingsReport';
const CONTEXT_KEY = 'mlFinops.savingsReportOpen';

/** The one savings report panel: shown, updated in place for the next estimate, and copied as Markdown. */
export class SavingsReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private current: SavingsReport | undefined;

  get report(): SavingsReport | undefined {
    return this.current;
  }

  /** `resourceId`: the running VM the report is for, when it is one (its auto-shutdown row then offers Schedule Shutdown…). */
  show(report: SavingsReport, resourceId?: string): void {
    this.current = report;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, 'Savings Report', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
        enableScripts: false,
        enableCommandUris: [Commands.copySavingsReport, Commands.openSavingsReportMarkdown, Commands.scheduleShutdown],
        localResourceRoots: [],
        enableFindWidget: true,
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.current = undefined;
        void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
      });
    }
    this.panel.title = `Savings: ${report.prices.instanceType}`;
    this.panel.webview.html = reportHtml(report, {
      nonce: createNonce(),
      cspSource: this.panel.webview.cspSource,
      copyCommand: `command:${Commands.copySavingsReport}`,
      markdownCommand: `command:${Commands.openSavingsReportMarkdown}`,
      ...(resourceId && isVmId(resourceId) ? { scheduleCommand: (schedule: string) => `command:${Commands.scheduleShutdown}?${encodeURIComponent(JSON.stringify([{ resourceId, schedule }]))}` } : {}),
    });
    this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, false);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, true);
  }

  markdown(): string | undefined {
    return this.current ? reportToMarkdown(this.current) : undefined;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
