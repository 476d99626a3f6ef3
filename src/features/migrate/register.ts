import * as vscode from 'vscode';
import type { CostFilter } from '../../core/cost/model';
import { describeError, FinOpsError, isCancelled, isFinOpsError } from '../../core/errors';
import { IacWorkspace } from '../../core/iac/workspace';
import { estimateMigration, type MigrationRequest } from '../../core/migrate/estimate';
import { isBillWorkloadSource, lastFullMonth, monthPeriod, workloadFromBill } from '../../core/migrate/fromBill';
import { workloadFromDeclared } from '../../core/migrate/fromIac';
import { estimateToMarkdown } from '../../core/migrate/report';
import { describeSelector } from '../../core/migrate/selector';
import { shippedTransferPrices } from '../../core/migrate/shippedTransferPrices';
import { loadDefaultPolicy } from '../../core/policy/load';
import { providerLabels, type CloudProvider } from '../../core/pricing/model';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import type { Resource } from '../../core/sources';
import { withCancellableProgress } from '../../platform/cancellation';
import type { Services } from '../../platform/services';
import { Commands } from '../../shared/commands';

/** What the Resources view passes for a group or a resource. */
interface TreeSelection { sourceId: string; filters: CostFilter[]; resources: Resource[]; subject: string; target?: CloudProvider }
/** An IaC file (Explorer, editor title), optionally with the target (tests, scripts). */
interface FileSelection { uri: vscode.Uri; target?: CloudProvider }

const TARGETS: CloudProvider[] = ['gcp', 'azure', 'aws'];
const IAC_FILE = /\.(tf|tf\.json)$|(\.template|\.(template|cfn)\.(ya?ml|json)|(^|[\\/])template\.ya?ml)$/i;

function isTreeSelection(x: unknown): x is TreeSelection {
  return typeof x === 'object' && x !== null && typeof (x as TreeSelection).sourceId === 'string' && Array.isArray((x as TreeSelection).filters);
}

async function pickTarget(exclude: readonly string[]): Promise<CloudProvider | undefined> {
  const items = TARGETS.map((t) => ({ label: providerLabels[t], description: exclude.includes(t) ? 'where most of it runs now' : '', target: t }));
  const pick = await vscode.window.showQuickPick(items, { title: 'Estimate moving to another cloud', placeHolder: 'Which cloud?' });
  return pick?.target;
}

/** Compute resources declared in one IaC file (its folder's other files resolve variables and providers). */
async function declaredIn(uri: vscode.Uri): Promise<Resource[]> {
  const ws = new IacWorkspace({ policy: loadDefaultPolicy().policy, reportUnknown: false, details: true });
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  if (!ws.upsert(uri.fsPath, text)) return [];
  const dir = vscode.Uri.joinPath(uri, '..');
  for (const [name, type] of await vscode.workspace.fs.readDirectory(dir)) {
    const sibling = vscode.Uri.joinPath(dir, name);
    if (type !== vscode.FileType.File || sibling.fsPath === uri.fsPath || !IAC_FILE.test(name)) continue;
    ws.upsert(sibling.fsPath, new TextDecoder().decode(await vscode.workspace.fs.readFile(sibling)));
  }
  return ws.analyze([uri.fsPath]).resources
    .filter((r) => r.file === uri.fsPath && r.size)
    .map((r) => ({ provider: r.cloud, id: r.address, name: r.address, type: r.type, tags: r.tags, ...(r.size ? { size: r.size } : {}), ...(r.region ? { region: r.region } : {}) }));
}

async function openMarkdown(content: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/**
 * "Estimate Moving to Another Cloud…": on a group or resource of the Resources view (from the bill when its source is a
 * bill, else from the declared sizes) or on a Terraform file; opens the estimate and its checklist as Markdown.
 */
export function register(services: Services): vscode.Disposable[] {
  const catalogue = () => shippedCatalogue();
  const run = async (arg: unknown): Promise<vscode.TextDocument | undefined> => {
    try {
      let request: Omit<MigrationRequest, 'target'> | undefined;
      let selection = '';
      let target: CloudProvider | undefined;
      if (isTreeSelection(arg)) {
        target = arg.target;
        const source = services.sources.current().find((s) => s.id === arg.sourceId)?.cost;
        if (isBillWorkloadSource(source)) {
          target ??= await pickTarget([]);
          if (!target) return undefined;
          const chosen = target;
          request = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `Estimating ${arg.subject} on ${providerLabels[chosen]}…` }, async (_progress, signal) => {
            const covered = await source.coverage(signal);
            const month = covered ? lastFullMonth(covered) : undefined;
            if (!month) throw new FinOpsError('input', 'The bill holds no whole calendar month to estimate from.', { fix: 'Add a bill that covers at least one whole month.' });
            const { period, label } = monthPeriod(month);
            return { basis: label, ...workloadFromBill(await source.workload(arg.filters, period, signal)) };
          });
          selection = `${arg.subject} (${describeSelector(arg.filters)})`;
        } else {
          request = { basis: 'declared sizes, running around the clock (730 h a month) at on-demand prices', compute: workloadFromDeclared(arg.resources, catalogue()), storage: [] };
          selection = arg.subject;
        }
      } else {
        const uri = arg instanceof vscode.Uri ? arg : (arg as FileSelection | undefined)?.uri ?? vscode.window.activeTextEditor?.document.uri;
        target = (arg as FileSelection | undefined)?.target;
        if (!uri || !IAC_FILE.test(uri.path)) {
          void vscode.window.showInformationMessage('ML FinOps: open a Terraform file, or pick a group or resource in the Resources view, to estimate moving it to another cloud.');
          return undefined;
        }
        const resources = await declaredIn(uri);
        const compute = workloadFromDeclared(resources, catalogue());
        if (!compute.length) {
          void vscode.window.showInformationMessage(`ML FinOps: ${vscode.workspace.asRelativePath(uri)} declares no machine with an instance type, machine type or VM size.`);
          return undefined;
        }
        request = { basis: `${vscode.workspace.asRelativePath(uri)}, running around the clock (730 h a month) at on-demand prices`, compute, storage: [] };
        selection = `the machines declared in ${vscode.workspace.asRelativePath(uri)}`;
      }
      target ??= await pickTarget([...new Set(request.compute.map((c) => c.provider))]);
      if (!target) return undefined;
      const estimate = estimateMigration({ ...request, target }, catalogue(), shippedTransferPrices());
      return await openMarkdown(estimateToMarkdown(estimate, { selection, generatedOn: new Date().toISOString().slice(0, 10) }));
    } catch (e) {
      if (isCancelled(e)) return undefined;
      services.log.warn(`Migration estimate: ${describeError(e)}`);
      const message = isFinOpsError(e) ? `${e.message} ${e.fix}` : describeError(e);
      void vscode.window.showErrorMessage(`ML FinOps: ${message}`, 'Show Logs').then((c) => { if (c) void vscode.commands.executeCommand(Commands.showLogs); });
      return undefined;
    }
  };
  return [vscode.commands.registerCommand(Commands.estimateMigration, run)];
}
