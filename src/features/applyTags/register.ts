import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, isCancelled } from '../../core/errors';
import { loadDefaultPolicy, loadPolicy } from '../../core/policy/load';
import type { TagPolicy } from '../../core/policy/model';
import { tagValueProblem } from '../../core/policy/evaluate';
import type { Resource } from '../../core/sources';
import { linkToIac } from '../../core/tagging/iacLink';
import {
  cloudChanges, formatOutcomes, formatPlan, keysToSet, planTags, suggestValues, tagTarget, targetLabel,
  type IacLocation, type Suggestion, type TagOutcome, type TagPlan, type TagTarget,
} from '../../core/tagging/plan';
import { iacDeclarations, tagWriterFor } from '../../providers/tagWriters';
import type { Confirmations } from '../../platform/confirmations';
import type { Services } from '../../platform/services';
import { refuseUntrusted } from '../../platform/workspaceTrust';
import { Commands } from '../../shared/commands';

/** What "Apply Tags…" did: for the extension-host tests and any caller. */
export interface ApplyTagsOutcome {
  outcome: 'refused' | 'nothing' | 'cancelled' | 'applied' | 'routed';
  message: string;
  plan?: TagPlan;
  outcomes?: TagOutcome[];
  /** Declarations the user was sent to (resources managed by IaC). */
  routed?: IacLocation[];
}

/**
 * How the command is called without a tree node: the resources (and their neighbours) given directly, and the values
 * chosen (then no quick pick is shown). A menu passes a tree node instead.
 */
interface ApplyTagsRequest {
  /** A Resources view node. */
  node?: unknown;
  resources?: Resource[];
  neighbours?: Resource[];
  values?: Record<string, string>;
}

function folders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
}

/** The team policy of the first workspace folder (`mlFinops.tags.policyFile`), or the default policy. */
async function readPolicy(services: Services): Promise<TagPolicy> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return loadDefaultPolicy().policy;
  const uri = vscode.Uri.joinPath(folder.uri, services.settings.get('tags.policyFile'));
  try {
    return loadPolicy(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), uri.fsPath).policy;
  } catch {
    return loadDefaultPolicy().policy;
  }
}

/** The Resources view's side of the command: the resources behind a node (or the selection) and their neighbours. */
export interface ResourcesAt {
  resourcesAt(arg: unknown): { resources: Resource[]; neighbours: Resource[] } | undefined;
}

/** One quick pick per key: suggestions first (with their reasons), any other value typed; Escape skips the rest. */
async function pickValues(policy: TagPolicy, targets: readonly TagTarget[], neighbours: readonly TagTarget[]): Promise<Record<string, string> | undefined> {
  const keys = [...new Set(targets.flatMap((t) => keysToSet(policy, t).map((k) => k.key)))];
  if (!keys.length) return {};
  const values: Record<string, string> = {};
  for (const [i, key] of keys.entries()) {
    // the best suggestion per value across the resources lacking the key
    const best = new Map<string, Suggestion>();
    const lackingTargets = targets.filter((t) => keysToSet(policy, t).some((k) => k.key === key));
    for (const t of lackingTargets) {
      for (const s of suggestValues(policy, t, key, neighbours)) {
        // one value goes to every resource: only those every one of them accepts (a GCP label is lowercase)
        if (!best.has(s.value) && lackingTargets.every((o) => !tagValueProblem(policy, o.cloud, key, s.value))) best.set(s.value, s);
      }
    }
    const chosen = await new Promise<string | null | undefined>((resolve) => {
      const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value?: string; skip?: boolean }>();
      qp.title = `Apply tags (${i + 1}/${keys.length}): ${key} for ${lackingTargets.length} resource${lackingTargets.length === 1 ? '' : 's'}`;
      qp.placeholder = `A value for ${key}: pick a suggestion or type one`;
      const base = [...[...best.values()].map((s) => ({ label: s.value, description: s.reason, value: s.value })), { label: `Skip ${key}`, description: 'leave it as it is', skip: true }];
      qp.items = base;
      qp.onDidChangeValue((typed) => {
        qp.items = typed && !best.has(typed) ? [{ label: typed, description: 'the value typed', value: typed }, ...base] : base;
      });
      let done = false;
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0];
        done = true;
        resolve(item?.skip ? null : item?.value ?? (qp.value || null));
        qp.hide();
      });
      qp.onDidHide(() => { if (!done) resolve(undefined); qp.dispose(); });
      qp.show();
    });
    if (chosen === undefined) return undefined;
    if (chosen !== null) values[key] = chosen;
  }
  return values;
}

/**
 * The missing-tag diagnostic of a declaration (the tag checks publish it once they have read the file), waited for
 * up to `timeoutMs` through the diagnostics event; undefined when the declaration lacks no tag.
 */
function missingTagDiagnostic(uri: vscode.Uri, address: string, timeoutMs: number): Promise<vscode.Diagnostic | undefined> {
  const bare = address.replace(/ \(.*\)$/, '');
  const find = () => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'missing-tag' && d.message.startsWith(`${bare} `));
  const now = find();
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { sub.dispose(); resolve(undefined); }, timeoutMs);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const d = find();
      if (d) { clearTimeout(timer); sub.dispose(); resolve(d); }
    });
  });
}

/** Opens a declaration at its missing-tag problem and offers the quick fix there (else at the declaration). */
async function openDeclaration(loc: IacLocation): Promise<void> {
  const uri = path.isAbsolute(loc.file) || !vscode.workspace.workspaceFolders?.length ? vscode.Uri.file(loc.file) : vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0]!.uri, loc.file);
  const header = new vscode.Range(loc.range.startLine - 1, loc.range.startColumn - 1, loc.range.endLine - 1, loc.range.endColumn - 1);
  const editor = await vscode.window.showTextDocument(uri, { selection: header, preview: false });
  const problem = await missingTagDiagnostic(uri, loc.address, 5_000);
  if (!problem) return;
  editor.selection = new vscode.Selection(problem.range.start, problem.range.start);
  editor.revealRange(problem.range);
  await vscode.commands.executeCommand('editor.action.quickFix');
}

export function registerApplyTags(services: Services, tree: ResourcesAt, confirmations: Confirmations): vscode.Disposable[] {
  const { log } = services;

  const run = async (arg: unknown): Promise<ApplyTagsOutcome> => {
    const done = (outcome: ApplyTagsOutcome['outcome'], message: string, extra: Partial<ApplyTagsOutcome> = {}): ApplyTagsOutcome => ({ outcome, message, ...extra });
    const untrusted = refuseUntrusted('apply tags');
    if (untrusted) return done('refused', untrusted);
    const request: ApplyTagsRequest = arg && typeof arg === 'object' && 'kind' in arg ? { node: arg } : (arg as ApplyTagsRequest | undefined) ?? {};
    const atNode = request.resources ? undefined : tree.resourcesAt(request.node);
    const resources = atNode?.resources ?? request.resources ?? [];
    const neighbours = atNode?.neighbours ?? request.neighbours ?? [];
    const targets = resources.map(tagTarget).filter((t): t is TagTarget => !!t);
    if (!targets.length) {
      const message = resources.length ? 'These resources belong to no cloud ML FinOps can tag (AWS, Google Cloud, Azure).' : 'Select a resource or a group in the Resources view to apply tags to.';
      void vscode.window.showInformationMessage(message);
      return done('nothing', message);
    }
    const policy = await readPolicy(services);
    const neighbourTargets = neighbours.map(tagTarget).filter((t): t is TagTarget => !!t);
    const values = request.values ?? await pickValues(policy, targets, neighbourTargets);
    if (values === undefined) return done('cancelled', 'Cancelled.');
    const roots = folders();
    const { declared, state } = await iacDeclarations(roots);
    const plan = planTags(policy, targets, values, (t) => {
      const found = linkToIac(t, declared, state);
      const root = roots.find((x) => found?.file.startsWith(x + path.sep));
      return found && root ? { ...found, file: path.relative(root, found.file).split(path.sep).join('/') } : found;
    });
    // a declaration gets its values from the quick fix: only what would be written to a cloud is judged here
    const refused = plan.resources.filter((r) => r.route === 'cloud' && r.problems.length);
    if (refused.length) {
      const message = `${plan.policySource} refuses ${refused.flatMap((r) => r.problems).join('; ')}. Nothing was changed.`;
      void vscode.window.showErrorMessage(message);
      return done('refused', message, { plan });
    }
    const routed = plan.resources.filter((r) => r.route === 'iac').map((r) => r.iac!);
    const toWrite = cloudChanges(plan);
    if (!toWrite.length && !routed.length) {
      const message = Object.keys(values).length ? 'Every resource already holds these values: nothing to change.' : 'No tag to set: every required key is there, or each one was skipped.';
      void vscode.window.showInformationMessage(message);
      return done('nothing', message, { plan });
    }
    let outcomes: TagOutcome[] = [];
    if (toWrite.length) {
      const ok = await confirmations.confirm({
        message: `Apply tags to ${toWrite.length} running resource${toWrite.length === 1 ? '' : 's'}?`,
        detail: formatPlan(plan),
        action: 'Apply Tags',
      });
      if (!ok) return done('cancelled', 'Nothing was changed.', { plan });
      try {
        outcomes = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'ML FinOps: applying tags', cancellable: true }, async (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          const s = services.settings;
          const settings = {
            aws: { profile: s.get('aws.profile'), region: s.get('aws.region'), endpoint: s.get('aws.endpoint') },
            gcp: { endpoint: s.get('gcp.endpoint') },
            azure: { endpoint: s.get('azure.endpoint'), tenantId: s.get('azure.tenantId') },
            log,
          };
          const out: TagOutcome[] = [];
          for (const cloud of ['aws', 'gcp', 'azure'] as const) {
            const mine = toWrite.filter((r) => r.target.cloud === cloud);
            if (!mine.length) continue;
            progress.report({ message: `${mine.length} resource${mine.length === 1 ? '' : 's'} on ${cloud === 'aws' ? 'AWS' : cloud === 'gcp' ? 'Google Cloud' : 'Azure'}` });
            const writer = await tagWriterFor(cloud, settings);
            out.push(...await writer.write(mine.map((r) => ({ id: r.target.id, tags: Object.fromEntries(r.changes.map((c) => [c.writtenKey, c.value])) })), controller.signal));
          }
          return out;
        });
      } catch (e) {
        if (isCancelled(e)) return done('cancelled', 'Cancelled; resources tagged before the cancel keep their tags.', { plan });
        const message = `Applying tags failed: ${describeError(e)}`;
        log.error(message);
        void vscode.window.showErrorMessage(message, 'Show Logs').then((c) => { if (c) services.output.show(true); });
        return done('refused', message, { plan });
      }
      const summary = formatOutcomes(outcomes);
      log.info(`Apply tags: ${summary}`);
      const failed = outcomes.filter((o) => !o.ok);
      if (failed.length) {
        void vscode.window.showWarningMessage(`${summary.split('\n')[0]} Not tagged: ${failed.map((o) => `${targetLabel(plan.resources.find((r) => r.target.id === o.id)?.target ?? { cloud: 'aws', id: o.id, tags: {} })} (${o.error ?? 'failed'})`).join('; ')}`, 'Show Logs')
          .then((c) => { if (c) services.output.show(true); });
      } else {
        void vscode.window.showInformationMessage(summary);
      }
      void vscode.commands.executeCommand(Commands.refresh);
    }
    if (routed.length) {
      const first = routed[0]!;
      void vscode.window.showInformationMessage(`${routed.length === 1 ? `${first.address} is` : `${routed.length} resources are`} declared in IaC (${first.file}:${first.range.startLine}, ${first.how}), so ${routed.length === 1 ? 'it was' : 'they were'} not tagged in the cloud: the next apply would revert it. Add the tags in the code with the quick fix.`);
      await openDeclaration(first).catch((e: unknown) => log.warn(`Apply tags: could not open ${first.file}: ${describeError(e)}`));
    }
    return done(toWrite.length ? 'applied' : 'routed', toWrite.length ? formatOutcomes(outcomes) : `Sent to ${routed.map((r) => `${r.address} (${r.file}:${r.range.startLine})`).join(', ')}.`, { plan, outcomes, routed });
  };

  return [vscode.commands.registerCommand(Commands.applyTags, (arg: unknown) => run(arg).catch((e: unknown) => {
    const message = describeError(e);
    log.error(`Apply tags: ${message}`);
    void vscode.window.showErrorMessage(`Applying tags failed: ${message}`);
    return { outcome: 'refused', message } satisfies ApplyTagsOutcome;
  }))];
}

