import * as vscode from 'vscode';
import { createLogger } from './platform/logger';
import { SettingsService } from './platform/settings';
import type { Services } from './services';
import { register as registerOnboarding } from './features/onboarding/register';
import { register as registerCloudAccounts } from './features/cloudAccounts/register';
import { createSourceRegistry } from './features/cloudAccounts/sources';
import { cloudSourceFactories } from './providers/cloudSources';
import { iacSourceFactory } from './providers/iac/resourceSource';
import { DuckDbEngine } from './providers/focus/duckdb';
import { focusSourceFactory } from './providers/focus/sourceFactory';
import { demoSourceFactory } from './providers/demo/demoSource';
import { register as registerTagDiagnostics } from './features/tagDiagnostics/register';
import { register as registerSavings } from './features/savings/register';
import { registerCostViews, type CostViewsApi } from './features/resourcesTree/costViews';

/** What activate() returns: a small, stable surface the extension-host tests (and other extensions) may use. */
export interface MlFinOpsApi {
  readonly settings: SettingsService;
  /** The Resources view, the cost dashboard and the status bar (the extension-host tests read them here). */
  readonly costViews: CostViewsApi;
}

/** Composition root: build the services, register each feature, own their disposables. */
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
  const services: Services = { context, output, log, settings, sources };
  context.subscriptions.push(output, settings, ...sourceDisposables);
  for (const register of [registerOnboarding, registerCloudAccounts, registerTagDiagnostics, registerSavings]) {
    context.subscriptions.push(...register(services));
  }
  const costViews = registerCostViews(services, { sources: services.sources });
  context.subscriptions.push(...costViews.disposables);
  log.info(`ML FinOps ${String(context.extension.packageJSON.version)} activated in ${Date.now() - started} ms`);
  return { settings, costViews: costViews.api };
}

export function deactivate(): void {
  // every registration is disposed through context.subscriptions
}
