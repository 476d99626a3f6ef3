import type * as vscode from 'vscode';
import type { Logger } from './core/ports';
import type { SettingsService } from './platform/settings';

/** What every feature's register() receives: built once in extension.ts, never global. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly output: vscode.LogOutputChannel;
  readonly log: Logger;
  readonly settings: SettingsService;
}
