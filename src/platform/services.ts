import type * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import type { SourceRegistry } from '../providers/registry';
import type { SavingsSources } from '../providers/savingsSources';
import type { SettingsService } from './settings';

/** What every feature's register() receives: built once in extension.ts, never global. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly output: vscode.LogOutputChannel;
  readonly log: Logger;
  readonly settings: SettingsService;
  /** The configured cost and resource sources with their states (clouds, FOCUS files, IaC), shared by every view. */
  readonly sources: SourceRegistry;
  /** Prices and metrics for savings estimates, for the current settings and Workspace Trust. */
  savingsSources(): SavingsSources;
}
