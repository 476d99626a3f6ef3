import * as vscode from 'vscode';
import { describeError, isCancelled, isFinOpsError } from '../../core/errors';
import { defaultRegions, searchByGpu } from '../../core/pricing/catalogue';
import { providerLabels } from '../../core/pricing/model';
import { perHour } from '../../core/savings/estimate';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import { kindLabels, type SavingsReport } from '../../core/savings/report';
import type { SavingsKind } from '../../core/savings/estimate';
import { Commands } from '../../shared/commands';
import type { Services } from '../../platform/services';
import { findComputeResources } from './computeResources';
import type { EstimateRequest, SavingsEstimator } from './estimator';
import { withCancellableProgress } from '../../platform/cancellation';
import { SavingsLensProvider } from './lenses';
import { requestFor, siblingTexts } from './requests';
import { SavingsReportPanel } from './reportPanel';
import { DeclaredSizes, RightSizeActions } from './rightsize';

/** Reads an estimate request from a command argument: a lens's request, or a resource with a size (tree, dashboard). */
function requestFromArgument(arg: unknown): EstimateRequest | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const instanceType = str(a.instanceType) ?? str(a.size);
  if (!instanceType) return undefined;
  const region = str(a.region);
  const subject = str(a.subject) ?? str(a.name);
  const resourceId = str(a.resourceId) ?? str(a.id);
  const notes = Array.isArray(a.notes) ? a.notes.filter((n): n is string => typeof n === 'string') : undefined;
  const ignore = a.ignore && typeof a.ignore === 'object'
    ? Object.fromEntries(Object.entries(a.ignore as Record<string, unknown>).filter((e): e is [SavingsKind, string] => e[0] in kindLabels && typeof e[1] === 'string'))
    : {};
  return {
    instanceType, ...(region ? { region } : {}), ...(subject ? { subject } : {}), ...(resourceId ? { resourceId } : {}), ...(notes?.length ? { notes } : {}),
    ...(Object.keys(ignore).length ? { ignore } : {}),
  };
}

type PickItem = vscode.QuickPickItem & { request?: EstimateRequest; typed?: string };

/** What the picker remembers between runs: the text last typed, shown again (selected) the next time. */
interface PickerMemory { typed: string }

/** Items for what is typed: the types carrying a GPU named ("H100", "A100 80GB", "L4"), or the typed instance type. */
function typedItems(text: string, services: Services): PickItem[] {
  const v = text.trim();
  if (!v) return [];
  const catalogue = shippedCatalogue();
  const found = searchByGpu(catalogue, v, { aws: services.settings.get('aws.region') });
  if (found) {
    const items: PickItem[] = [{ label: `${found.query.text}: ${found.matches.length} instance types on AWS, Google Cloud and Azure`, kind: vscode.QuickPickItemKind.Separator }];
    for (const m of found.matches) {
      items.push({
        label: m.instanceType,
        description: `${m.gpus === null ? `part of an ${m.gpuModel}` : `${m.gpus} × ${m.gpuModel}`} · ${perHour(m.onDemandHourly)}${m.perGpuHourly !== null && (m.gpus ?? 0) > 1 ? ` · ${perHour(m.perGpuHourly)} per GPU` : ''}`,
        detail: `${providerLabels[m.provider]} · ${m.region} · ${m.vcpu} vCPU, ${m.memoryGiB} GiB${m.spotHourly !== undefined ? ` · spot ${perHour(m.spotHourly)}` : ''}`,
        alwaysShow: true,
        request: { instanceType: m.instanceType, region: m.region },
      });
    }
    for (const n of [...(found.query.note ? [found.query.note] : []), ...found.none]) items.push({ label: n, kind: vscode.QuickPickItemKind.Separator });
    return items;
  }
  const entry = catalogue.find(v);
  const close = entry ? [] : catalogue.closeMatches(v);
  return [
    { label: `$(edit) ${entry?.instanceType ?? v}`, description: entry ? `${providerLabels[entry.provider]} · priced in ${Object.keys(entry.regions).length} regions` : 'not in the price snapshot: live prices are tried when turned on', alwaysShow: true, typed: entry?.instanceType ?? v },
    ...close.map((c): PickItem => ({ label: `$(lightbulb) ${c}`, description: `Did you mean ${c}?`, alwaysShow: true, typed: c })),
  ];
}

/**
 * Terraform resources of the open file (the one under the cursor first), or what is typed: an instance type, or a
 * GPU name that lists every type carrying it on the three clouds with prices. The typed text is kept: it stays in
 * the box while choosing, and comes back the next time.
 */
async function pickRequest(services: Services, memory: PickerMemory): Promise<EstimateRequest | undefined> {
  const resources: PickItem[] = [];
  const editor = vscode.window.activeTextEditor;
  if (editor && /\.tf$/.test(editor.document.uri.path)) {
    const doc = editor.document;
    const found = findComputeResources(doc.uri.fsPath, doc.getText(), await siblingTexts(doc));
    const line = editor.selection.active.line;
    const underCursor = [...found].reverse().find((r) => r.range.start.line <= line);
    const ordered = underCursor ? [underCursor, ...found.filter((r) => r !== underCursor)] : found;
    if (ordered.length) resources.push({ label: 'Terraform resources', kind: vscode.QuickPickItemKind.Separator });
    for (const r of ordered) {
      const request = requestFor(r, doc.uri.fsPath, services.settings.get('aws.region'));
      resources.push({
        label: `$(server) ${r.address}`,
        description: `${r.size} · ${request.region ?? ''}`,
        ...(r === underCursor ? { detail: 'Under the cursor' } : {}),
        request,
      });
    }
  }
  const qp = vscode.window.createQuickPick<PickItem>();
  qp.title = 'Estimate Savings';
  qp.placeholder = 'A Terraform resource, an instance type (p3.2xlarge) or a GPU (H100, A100 80GB, L4, T4, V100, A10G)';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  const update = () => { qp.items = [...typedItems(qp.value, services), ...resources]; };
  const subscriptions = [qp.onDidChangeValue(() => { memory.typed = qp.value; update(); })];
  qp.value = memory.typed;
  update();
  const picked = await new Promise<PickItem | undefined>((resolve) => {
    subscriptions.push(
      qp.onDidAccept(() => resolve(qp.selectedItems[0] ?? qp.activeItems[0] ?? (qp.value.trim() ? { label: qp.value, typed: qp.value.trim() } : undefined))),
      qp.onDidHide(() => resolve(undefined)),
    );
    qp.show();
  });
  subscriptions.forEach((d) => d.dispose());
  qp.dispose();
  if (!picked) return undefined;
  if (picked.request) return picked.request;
  return picked.typed ? withRegion(picked.typed, services) : undefined;
}

/** A typed instance type with its region: asked for when the snapshot prices the type in more than one. */
async function withRegion(type: string, services: Services): Promise<EstimateRequest | undefined> {
  const entry = shippedCatalogue().find(type);
  const regions = entry ? Object.keys(entry.regions) : [];
  if (regions.length <= 1) return { instanceType: entry?.instanceType ?? type, ...(regions[0] ? { region: regions[0] } : {}) };
  const provider = entry?.provider;
  const preferred = provider === 'aws' ? services.settings.get('aws.region') : provider ? defaultRegions[provider] : undefined;
  const ordered = [...regions].sort((a, b) => Number(b === preferred) - Number(a === preferred));
  const region = await vscode.window.showQuickPick(ordered.map((r) => ({ label: r, description: r === preferred ? 'default' : '' })), { title: `Estimate Savings: region for ${entry?.instanceType}`, placeHolder: 'Region' });
  return region ? { instanceType: entry?.instanceType ?? type, region: region.label } : undefined;
}

export function register(services: Services, estimator: SavingsEstimator): vscode.Disposable[] {
  const panel = new SavingsReportPanel();
  const sizes = new DeclaredSizes(services, estimator);
  const lenses = new SavingsLensProvider(services.settings, estimator, services.log, sizes);
  const iacFiles: vscode.DocumentSelector = [
    { language: 'terraform' }, { scheme: 'file', pattern: '**/*.tf' },
    { scheme: 'file', pattern: '**/*.{yaml,yml,json,template}' },
  ];

  const memory: PickerMemory = { typed: '' };
  const estimate = async (arg?: unknown): Promise<SavingsReport | undefined> => {
    const request = requestFromArgument(arg) ?? await pickRequest(services, memory);
    if (!request) return undefined;
    try {
      const report = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `Estimating savings for ${request.instanceType}` },
        (progress, signal) => estimator.estimate(request, signal, progress));
      panel.show(report, request.resourceId);
      return report;
    } catch (e) {
      if (isCancelled(e)) return undefined;
      services.log.warn(`Estimate savings for ${request.instanceType}: ${describeError(e)}`);
      const close = isFinOpsError(e, 'input') && e.code === 'unknownInstanceType' ? shippedCatalogue().closeMatches(request.instanceType, 2) : [];
      const actions = [...close.map((c) => `Use ${c}`), 'Show Logs'];
      void vscode.window.showErrorMessage(`ML FinOps: ${describeError(e)}`, ...actions).then((choice) => {
        if (choice === 'Show Logs') void vscode.commands.executeCommand(Commands.showLogs);
        else if (choice?.startsWith('Use ')) void vscode.commands.executeCommand(Commands.estimateSavings, { ...request, instanceType: choice.slice(4) });
      });
      return undefined;
    }
  };

  return [
    panel,
    lenses,
    sizes,
    vscode.languages.registerCodeLensProvider(iacFiles, lenses),
    vscode.languages.registerCodeActionsProvider(iacFiles, new RightSizeActions(sizes), { providedCodeActionKinds: RightSizeActions.kinds }),
    vscode.commands.registerCommand(Commands.estimateSavings, estimate),
    vscode.commands.registerCommand(Commands.copySavingsReport, async () => {
      const md = panel.markdown();
      if (!md) {
        void vscode.window.showInformationMessage('ML FinOps: no savings report is open. Run "Estimate Savings…" first.');
        return undefined;
      }
      await vscode.env.clipboard.writeText(md);
      void vscode.window.setStatusBarMessage('$(check) Savings report copied as Markdown', 3000);
      return md;
    }),
    vscode.commands.registerCommand(Commands.openSavingsReportMarkdown, async () => {
      const md = panel.markdown();
      if (!md) return undefined;
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: md });
      await vscode.window.showTextDocument(doc, { preview: false });
      return doc.uri.toString();
    }),
  ];
}
