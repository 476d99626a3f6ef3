import * as vscode from 'vscode';
import { describeError, isCancelled, isFinOpsError } from '../../core/errors';
import { detectProvider, defaultRegions } from '../../core/pricing/catalogue';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import type { SavingsReport } from '../../core/savings/report';
import { Commands } from '../../shared/commands';
import type { Services } from '../../platform/services';
import { findComputeResources } from './computeResources';
import type { EstimateRequest, SavingsEstimator } from './estimator';
import { withCancellableProgress } from '../../platform/cancellation';
import { requestFor, SavingsLensProvider, siblingTexts } from './lenses';
import { SavingsReportPanel } from './reportPanel';

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
  return { instanceType, ...(region ? { region } : {}), ...(subject ? { subject } : {}), ...(resourceId ? { resourceId } : {}), ...(notes?.length ? { notes } : {}) };
}

type PickItem = vscode.QuickPickItem & { request?: EstimateRequest; typeIt?: true };

/** Terraform resource under the cursor (first), the file's other compute resources, or "type an instance type". */
async function pickRequest(services: Services): Promise<EstimateRequest | undefined> {
  const items: PickItem[] = [];
  const editor = vscode.window.activeTextEditor;
  if (editor && /\.tf$/.test(editor.document.uri.path)) {
    const doc = editor.document;
    const resources = findComputeResources(doc.uri.fsPath, doc.getText(), await siblingTexts(doc));
    const line = editor.selection.active.line;
    const underCursor = [...resources].reverse().find((r) => r.range.start.line <= line);
    const ordered = underCursor ? [underCursor, ...resources.filter((r) => r !== underCursor)] : resources;
    for (const r of ordered) {
      const request = requestFor(r, doc.uri.fsPath, services.settings.get('aws.region'));
      items.push({
        label: `$(server) ${r.address}`,
        description: `${r.size} · ${request.region ?? ''}`,
        ...(r === underCursor ? { detail: 'Under the cursor' } : {}),
        request,
      });
    }
    if (items.length) items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  }
  items.push({ label: '$(edit) Type an instance type…', description: 'p3.2xlarge, a2-highgpu-1g, Standard_NC24ads_A100_v4 …', typeIt: true });
  const picked = await vscode.window.showQuickPick(items, { title: 'Estimate Savings', placeHolder: 'A Terraform resource, or an instance type', matchOnDescription: true });
  if (!picked) return undefined;
  if (picked.request) return picked.request;
  return typeInstanceType(services);
}

async function typeInstanceType(services: Services): Promise<EstimateRequest | undefined> {
  const catalogue = shippedCatalogue();
  const live = services.settings.get('savings.livePrices') && vscode.workspace.isTrusted;
  const type = await vscode.window.showInputBox({
    title: 'Estimate Savings: instance type',
    prompt: 'An AWS instance type, a Google Cloud machine type or an Azure VM size',
    placeHolder: 'p3.2xlarge',
    validateInput: (value) => {
      const v = value.trim();
      if (!v || catalogue.find(v)) return undefined;
      const close = catalogue.closeMatches(v);
      const text = `"${v}" is not in the price snapshot.${close.length ? ` Did you mean ${close.join(', ')}?` : ''}`;
      return live && detectProvider(v) ? { message: `${text} Live prices will be tried.`, severity: vscode.InputBoxValidationSeverity.Warning } : text;
    },
  });
  if (!type?.trim()) return undefined;
  const entry = catalogue.find(type.trim());
  const regions = entry ? Object.keys(entry.regions) : [];
  if (regions.length <= 1) return { instanceType: type.trim(), ...(regions[0] ? { region: regions[0] } : {}) };
  const provider = entry?.provider;
  const preferred = provider === 'aws' ? services.settings.get('aws.region') : provider ? defaultRegions[provider] : undefined;
  const ordered = [...regions].sort((a, b) => Number(b === preferred) - Number(a === preferred));
  const region = await vscode.window.showQuickPick(ordered.map((r) => ({ label: r, description: r === preferred ? 'default' : '' })), { title: `Estimate Savings: region for ${entry?.instanceType}`, placeHolder: 'Region' });
  return region ? { instanceType: entry?.instanceType ?? type.trim(), region: region.label } : undefined;
}

export function register(services: Services, estimator: SavingsEstimator): vscode.Disposable[] {
  const panel = new SavingsReportPanel();
  const lenses = new SavingsLensProvider(services.settings, services.log);

  const estimate = async (arg?: unknown): Promise<SavingsReport | undefined> => {
    const request = requestFromArgument(arg) ?? await pickRequest(services);
    if (!request) return undefined;
    try {
      const report = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `Estimating savings for ${request.instanceType}` },
        (progress, signal) => estimator.estimate(request, signal, progress));
      panel.show(report);
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
    vscode.languages.registerCodeLensProvider([{ language: 'terraform' }, { scheme: 'file', pattern: '**/*.tf' }], lenses),
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
