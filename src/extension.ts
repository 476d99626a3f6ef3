import * as vscode from 'vscode';
import { createLogger } from './platform/logger';
import { SettingsService } from './platform/settings';
import type { Services } from './services';
import { register as registerOnboarding } from './features/onboarding/register';
import { register as registerResourcesTree } from './features/resourcesTree/register';

/** What activate() returns: a small, stable surface the extension-host tests (and other extensions) may use. */
export interface MlFinOpsApi {
  readonly settings: SettingsService;
}

/** Composition root: build the services, register each feature, own their disposables. */
export function activate(context: vscode.ExtensionContext): MlFinOpsApi {
  const started = Date.now();
  const output = vscode.window.createOutputChannel('ML FinOps', { log: true });
  const log = createLogger(output);
  const settings = new SettingsService(log);
  const services: Services = { context, output, log, settings };
  context.subscriptions.push(output, settings);
  for (const register of [registerOnboarding, registerResourcesTree]) {
    context.subscriptions.push(...register(services));
  }
  log.info(`ML FinOps ${String(context.extension.packageJSON.version)} activated in ${Date.now() - started} ms`);
  return { settings };
}

export function deactivate(): void {
  // every registration is disposed through context.subscriptions
}
