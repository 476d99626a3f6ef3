import * as path from 'node:path';
import * as vscode from 'vscode';
import { DiskCache } from '../providers/diskCache';
import { RequestMeter } from '../core/cache/requestMeter';
import { tagAliasesFromPolicy, type TagAliases } from '../core/cost/tags';
import { describeError } from '../core/errors';
import { loadPolicy } from '../core/policy/load';
import type { Logger } from '../core/ports';
import { SourceRegistry, type SourceFactory } from '../providers/registry';
import type { SettingsService } from './settings';

/**
 * Builds the one source registry the views share: the factories given (clouds, FOCUS files, IaC …), the cost
 * cache in the extension's global storage (TTL from "mlFinops.cost.cacheTtlHours"), the billable-request
 * meter on the log, Workspace Trust, and the team policy's per-cloud tag names (`Team` → GCP label `team`).
 * Rebuilt when settings change, the workspace becomes trusted, or the policy file changes.
 */
export function createSourceRegistry(
  deps: { context: vscode.ExtensionContext; log: Logger; settings: SettingsService },
  factories: readonly SourceFactory[],
): { registry: SourceRegistry; disposables: vscode.Disposable[] } {
  const { context, log, settings } = deps;
  const meter = new RequestMeter(log);
  const cacheDir = path.join(context.globalStorageUri.fsPath, 'cost-cache');
  const cacheFor = () => new DiskCache({ dir: cacheDir, ttlMs: settings.get('cost.cacheTtlHours') * 3600_000, log });
  let tagAliases: TagAliases | undefined;
  const registry = new SourceRegistry(factories, { log, meter, cache: cacheFor(), trusted: vscode.workspace.isTrusted });
  const rebuild = () => registry.configure(settings.settings, { cache: cacheFor(), trusted: vscode.workspace.isTrusted, tagAliases });

  const policyUri = (): vscode.Uri | undefined => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? vscode.Uri.joinPath(folder.uri, settings.get('tags.policyFile')) : undefined;
  };
  const readPolicy = async () => {
    const uri = policyUri();
    let next: TagAliases | undefined;
    if (uri) {
      try {
        const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
        next = tagAliasesFromPolicy(loadPolicy(text, vscode.workspace.asRelativePath(uri)).policy);
      } catch (e) {
        if (!(e instanceof vscode.FileSystemError)) log.warn(`Tag names for cost queries: could not read the policy: ${describeError(e)}`);
      }
    }
    tagAliases = next;
    rebuild();
  };

  rebuild();
  void readPolicy();
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml,json}');
  const onPolicy = (uri: vscode.Uri) => { if (uri.toString() === policyUri()?.toString()) void readPolicy(); };
  return {
    registry,
    disposables: [
      settings.onDidChange((e) => (e.affects('tags.policyFile') ? void readPolicy() : rebuild())),
      vscode.workspace.onDidGrantWorkspaceTrust(() => rebuild()),
      watcher, watcher.onDidChange(onPolicy), watcher.onDidCreate(onPolicy), watcher.onDidDelete(onPolicy),
    ],
  };
}
