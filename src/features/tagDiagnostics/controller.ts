import * as vscode from 'vscode';
import { describeError, isCancelled } from '../../core/errors';
import type { Finding } from '../../core/iac/model';
import { iacKindOf, IacWorkspace, skippedDirs } from '../../core/iac/workspace';
import { loadDefaultPolicy, loadPolicy } from '../../core/policy/load';
import type { LoadedPolicy } from '../../core/policy/model';
import type { Logger } from '../../core/ports';
import { parseSetting } from '../../core/settings';
import { policyDiagnostic, toDiagnostic } from './convert';

/** Files the scan and the watcher look at; CloudFormation candidates are confirmed by their content. */
export const IAC_GLOB = '**/*.{tf,tf.json,tfvars,tfvars.json,yaml,yml,json,template}';
const DEBOUNCE_MS = 300;
const READ_BATCH = 64;

interface FolderState {
  key: string;
  folder: vscode.WorkspaceFolder | undefined;
  ws: IacWorkspace;
  policyUri: vscode.Uri | undefined;
  loaded: LoadedPolicy;
}

/**
 * The folder's IaC files. Terraform files are found with the default excludes (`files.exclude`); YAML/JSON
 * templates with `files.exclude` plus dependency and cache folders, which hold many JSON files and no templates.
 */
async function findIacFiles(folder: vscode.WorkspaceFolder): Promise<vscode.Uri[]> {
  const filesExclude = vscode.workspace.getConfiguration('files', folder.uri).get<Record<string, unknown>>('exclude') ?? {};
  const excludes = [
    ...Object.entries(filesExclude).filter(([glob, on]) => on === true && !/[{}]/.test(glob)).map(([glob]) => glob),
    ...[...skippedDirs].map((d) => `**/${d}/**`),
  ];
  const [terraform, templates] = await Promise.all([
    vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.{tf,tf.json,tfvars,tfvars.json}'), undefined, 50_000),
    vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.{yaml,yml,json,template}'), new vscode.RelativePattern(folder, `{${excludes.join(',')}}`), 20_000),
  ]);
  return [...terraform, ...templates];
}

function inSkippedDir(uri: vscode.Uri): boolean {
  return uri.path.split('/').some((seg) => skippedDirs.has(seg));
}

/**
 * Tag diagnostics for a workspace: one IaC model per workspace folder (its own `.finops.yaml`), a scan at
 * start, re-checks of open documents as they change (debounced) and of files that change on disk.
 */
export class TagDiagnosticsController implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('mlFinops.tags');
  private readonly policyCollection = vscode.languages.createDiagnosticCollection('mlFinops.policy');
  private readonly folders = new Map<string, FolderState>();
  private readonly findings = new Map<string, Finding[]>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private scanAbort: AbortController | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after diagnostics were (re)published. */
  readonly onDidUpdate = this.changed.event;
  private scanning: Promise<void> | undefined;

  constructor(private readonly log: Logger) {}

  private stateFor(uri: vscode.Uri): FolderState {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const key = folder?.uri.toString() ?? '';
    let state = this.folders.get(key);
    if (!state) {
      const { policyUri, reportUnknown } = this.settingsFor(folder);
      const loaded = loadDefaultPolicy();
      state = { key, folder, policyUri, loaded, ws: new IacWorkspace({ policy: loaded.policy, reportUnknown, ...(folder ? { root: folder.uri.fsPath } : {}) }) };
      this.folders.set(key, state);
    }
    return state;
  }

  private settingsFor(folder: vscode.WorkspaceFolder | undefined): { policyUri: vscode.Uri | undefined; reportUnknown: boolean } {
    const config = vscode.workspace.getConfiguration('mlFinops', folder?.uri);
    const file = parseSetting('tags.policyFile', config.get('tags.policyFile'));
    const unknown = parseSetting('tags.showCannotVerify', config.get('tags.showCannotVerify'));
    return {
      policyUri: folder ? vscode.Uri.joinPath(folder.uri, file.success ? file.data : '.finops.yaml') : undefined,
      reportUnknown: unknown.success ? unknown.data : false,
    };
  }

  /** Reads the folder's policy file (if any) and shows its problems on it. */
  private async loadPolicyFor(state: FolderState): Promise<void> {
    const { policyUri, reportUnknown } = this.settingsFor(state.folder);
    if (state.policyUri && state.policyUri.toString() !== policyUri?.toString()) this.policyCollection.delete(state.policyUri);
    state.policyUri = policyUri;
    let loaded = loadDefaultPolicy();
    if (policyUri) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === policyUri.toString());
      let text: string | undefined = open?.getText();
      if (text === undefined) {
        try {
          text = new TextDecoder().decode(await vscode.workspace.fs.readFile(policyUri));
        } catch {
          text = undefined;
        }
      }
      if (text !== undefined) loaded = loadPolicy(text, policyUri.fsPath);
      this.policyCollection.set(policyUri, loaded.problems.map(policyDiagnostic));
      if (loaded.problems.some((p) => p.severity === 'error')) {
        this.log.warn(`${vscode.workspace.asRelativePath(policyUri)} has errors; its valid parts apply and the rest uses the defaults.`);
      }
    }
    state.loaded = loaded;
    state.ws.setOptions({ policy: loaded.policy, reportUnknown, ...(state.folder ? { root: state.folder.uri.fsPath } : {}) });
  }

  isPolicyFile(uri: vscode.Uri): boolean {
    const state = this.folders.get(vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() ?? '');
    return !!state?.policyUri && state.policyUri.toString() === uri.toString();
  }

  /** Scans every workspace folder: files.exclude honoured, .terraform/ and node_modules/ skipped. */
  scanWorkspace(): Promise<void> {
    this.scanAbort?.abort();
    const abort = new AbortController();
    this.scanAbort = abort;
    this.scanning = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'ML FinOps: checking tags' },
      async (progress) => {
        const started = Date.now();
        for (const folder of vscode.workspace.workspaceFolders ?? []) {
          const state = this.stateFor(folder.uri);
          await this.loadPolicyFor(state);
          const uris = (await findIacFiles(folder))
            .filter((u) => !inSkippedDir(u) && iacKindOf(u.fsPath) !== undefined && !this.isPolicyFile(u));
          state.ws.clear();
          let done = 0;
          for (let i = 0; i < uris.length; i += READ_BATCH) {
            if (abort.signal.aborted) return;
            const batch = uris.slice(i, i + READ_BATCH);
            await Promise.all(batch.map((u) => this.readInto(state, u)));
            done += batch.length;
            progress.report({ message: `${done} of ${uris.length} files` });
          }
          this.publish(state, state.ws.analyze(undefined, abort.signal).findingsByFile, true);
          this.log.info(`Tag check of ${folder.name}: ${uris.length} candidate files in ${Date.now() - started} ms (policy: ${state.loaded.policy.source.kind}).`);
        }
        for (const doc of vscode.workspace.textDocuments) this.onOpen(doc);
      },
    )).catch((e: unknown) => {
      if (isCancelled(e)) return;
      this.log.error(`Tag check failed: ${describeError(e)}`);
    });
    return this.scanning;
  }

  /** Resolves when the current scan (if any) is done. */
  whenScanned(): Promise<void> {
    return this.scanning ?? Promise.resolve();
  }

  private async readInto(state: FolderState, uri: vscode.Uri): Promise<boolean> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return state.ws.upsert(uri.fsPath, open.getText());
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > 4 * 1024 * 1024) {
        if (iacKindOf(uri.fsPath) === 'cloudformation') return false;
        state.ws.upsertSkipped(uri.fsPath, `is ${(stat.size / 1024 / 1024).toFixed(1)} MB; files over 4 MB are not checked (is it generated?)`);
        return true;
      }
      return state.ws.upsert(uri.fsPath, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    } catch {
      state.ws.remove(uri.fsPath);
      return false;
    }
  }

  private publish(state: FolderState, byFile: Map<string, Finding[]>, full: boolean): void {
    if (full) {
      for (const path of [...this.findings.keys()]) {
        if (!byFile.has(path) && this.stateFor(vscode.Uri.file(path)).key === state.key) {
          this.findings.delete(path);
          this.collection.delete(vscode.Uri.file(path));
        }
      }
    }
    for (const [path, list] of byFile) {
      this.findings.set(path, list);
      this.collection.set(vscode.Uri.file(path), list.map(toDiagnostic));
    }
    this.changed.fire();
  }

  /** Findings for a file, with fixes, as last published. */
  findingsFor(uri: vscode.Uri): readonly Finding[] {
    return this.findings.get(uri.fsPath) ?? [];
  }

  /** The text the analysis last saw for a file (offsets in fixes refer to it). */
  textOf(file: string): string | undefined {
    return this.stateFor(vscode.Uri.file(file)).ws.text(file);
  }

  /** Brings the analysis up to date with an open document right now (before computing code actions). */
  syncNow(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file' || iacKindOf(doc.uri.fsPath) === undefined) return;
    const state = this.stateFor(doc.uri);
    if (state.ws.text(doc.uri.fsPath) === doc.getText()) return;
    this.cancelTimer(doc.uri.fsPath);
    this.recheck(state, doc.uri.fsPath, doc.getText());
  }

  private recheck(state: FolderState, path: string, text: string | undefined): void {
    const known = text === undefined ? false : state.ws.upsert(path, text);
    if (!known) state.ws.remove(path);
    const result = state.ws.analyze([path]);
    if (!known) {
      result.findingsByFile.delete(path);
      this.findings.delete(path);
      this.collection.delete(vscode.Uri.file(path));
    }
    this.publish(state, result.findingsByFile, false);
  }

  private cancelTimer(path: string): void {
    const t = this.timers.get(path);
    if (t) clearTimeout(t);
    this.timers.delete(path);
  }

  onOpen(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file') return;
    if (this.isPolicyFile(doc.uri)) return;
    if (iacKindOf(doc.uri.fsPath) === undefined || inSkippedDir(doc.uri)) return;
    const state = this.stateFor(doc.uri);
    if (state.ws.text(doc.uri.fsPath) === doc.getText()) return;
    this.recheck(state, doc.uri.fsPath, doc.getText());
  }

  /** As you type: re-check after a pause. The policy file itself reloads the policy for its folder. */
  onChange(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file') return;
    const path = doc.uri.fsPath;
    const policy = this.isPolicyFile(doc.uri);
    if (!policy && (iacKindOf(path) === undefined || inSkippedDir(doc.uri))) return;
    this.cancelTimer(path);
    this.timers.set(path, setTimeout(() => {
      this.timers.delete(path);
      if (policy) void this.reloadPolicy(doc.uri);
      else this.recheck(this.stateFor(doc.uri), path, doc.getText());
    }, DEBOUNCE_MS));
  }

  /** On close, results from unsaved text are dropped: the file is checked as saved on disk (or cleared if gone). */
  async onClose(doc: vscode.TextDocument): Promise<void> {
    if (doc.uri.scheme !== 'file' || iacKindOf(doc.uri.fsPath) === undefined || this.isPolicyFile(doc.uri)) return;
    this.cancelTimer(doc.uri.fsPath);
    const state = this.stateFor(doc.uri);
    let disk: string | undefined;
    try {
      disk = new TextDecoder().decode(await vscode.workspace.fs.readFile(doc.uri));
    } catch {
      disk = undefined;
    }
    if (disk === undefined || disk !== state.ws.text(doc.uri.fsPath)) this.recheck(state, doc.uri.fsPath, disk);
  }

  /** A file changed, appeared or vanished on disk: re-check it (its folder) unless an editor holds newer text. */
  async onDiskChange(uri: vscode.Uri, deleted: boolean): Promise<void> {
    if (uri.scheme !== 'file' || inSkippedDir(uri)) return;
    if (this.isPolicyFile(uri)) {
      await this.reloadPolicy(uri);
      return;
    }
    if (iacKindOf(uri.fsPath) === undefined) return;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open && !deleted) return;
    const state = this.stateFor(uri);
    if (deleted) {
      this.recheck(state, uri.fsPath, undefined);
      return;
    }
    let text: string | undefined;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      text = undefined;
    }
    if (text !== undefined && text === state.ws.text(uri.fsPath)) return;
    this.recheck(state, uri.fsPath, text);
  }

  /** The policy (file or settings) changed: reload it and re-check the folder. */
  async reloadPolicy(uri?: vscode.Uri): Promise<void> {
    const states = uri ? [this.stateFor(uri)] : [...this.folders.values()];
    for (const state of states) {
      await this.loadPolicyFor(state);
      this.publish(state, state.ws.analyze().findingsByFile, true);
    }
  }

  dispose(): void {
    this.scanAbort?.abort();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.collection.dispose();
    this.policyCollection.dispose();
    this.changed.dispose();
  }
}
