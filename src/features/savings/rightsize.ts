import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { describeError, isCancelled } from '../../core/errors';
import { describeIgnore, findIgnore, ignoreEdit, type IgnoreDirective } from '../../core/iac/ignoreComments';
import { findSizeDeclarations, type SizeDeclaration } from '../../core/iac/sizeDeclarations';
import { parseTerraformState } from '../../core/iac/terraformState';
import { priceAs } from '../../core/savings/declared';
import { usd } from '../../core/savings/estimate';
import type { SavingsReport } from '../../core/savings/report';
import type { Logger } from '../../core/ports';
import type { Services } from '../../platform/services';
import { findComputeResources, type ComputeResource } from './computeResources';
import type { EstimateRequest, SavingsEstimator } from './estimator';
import { requestFor, siblingTexts } from './requests';

export const RIGHTSIZING_RULE = 'rightsizing';

/** A declared size, what it is priced as, whether it is silenced, and (when the running machine is known) its estimate. */
export interface DeclaredSize {
  decl: SizeDeclaration;
  /** The declaration as the savings lens prices it (the Terraform analysis's region when it has one). */
  resource: ComputeResource;
  /** The same request the lens opens the report with. */
  request: EstimateRequest;
  ignored?: IgnoreDirective;
  /** The running machine whose metrics size it, and how it was found. */
  link?: { resourceId: string; via: string };
  /** The estimate with metrics (the report the lens opens); set when linked. */
  report?: SavingsReport;
}

/** How long a DescribeInstances answer for a template's logical ids is reused. */
const LOOKUP_TTL_MS = 5 * 60_000;

/**
 * Declared instance types of a Terraform or CloudFormation document, tied to what runs: a Terraform local state
 * (`terraform.tfstate` next to the file) names each resource's instance id; CloudFormation tags the instances it
 * creates with their logical id. A tied AWS instance is sized from its CloudWatch metrics by the savings estimator,
 * the one estimate the code lens, the right-size code action and the savings report quote.
 */
export class DeclaredSizes implements vscode.Disposable {
  private readonly lookups = new Map<string, { at: number; value: Promise<Map<string, string[]>> }>();
  /** Estimates that have settled (the estimator hands out one promise per request for ten minutes). */
  private readonly settled = new WeakMap<Promise<SavingsReport>, { report?: SavingsReport }>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when an estimate with metrics arrives: lenses and code actions have more to show. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly services: Pick<Services, 'settings' | 'savingsSources' | 'log'>, private readonly estimator: SavingsEstimator) {}

  private get settings() {
    return this.services.settings;
  }

  private get log(): Logger {
    return this.services.log;
  }

  /** AWS is asked only when it is turned on in a trusted workspace (the savings sources then have it). */
  private awsOn(): boolean {
    return this.settings.get('aws.enabled') && vscode.workspace.isTrusted;
  }

  /** Instance ids by address: from terraform.tfstate (Terraform) or the CloudFormation logical-id tag. */
  private async links(doc: vscode.TextDocument, decls: readonly SizeDeclaration[]): Promise<Map<string, { ids: string[]; via: string }>> {
    const out = new Map<string, { ids: string[]; via: string }>();
    if (!this.awsOn() || doc.uri.scheme !== 'file') return out;
    const awsDecls = decls.filter((d) => d.provider === 'aws');
    if (awsDecls.length === 0) return out;
    if (awsDecls[0]!.format === 'hcl') {
      const stateUri = vscode.Uri.file(nodePath.join(nodePath.dirname(doc.uri.fsPath), 'terraform.tfstate'));
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(stateUri));
      } catch {
        return out; // no local state: nothing deployed from here (or a remote backend)
      }
      try {
        for (const [address, inst] of parseTerraformState(text)) out.set(address, { ids: [inst.id], via: `${nodePath.basename(stateUri.fsPath)}` });
      } catch (e) {
        this.log.warn(`Right-sizing: ${stateUri.fsPath} is not read: ${describeError(e)}`);
      }
      return out;
    }
    const sources = this.services.savingsSources();
    const lookup = sources.stackInstances;
    if (!lookup) return out;
    const ids = awsDecls.map((d) => d.address).sort();
    const key = JSON.stringify([ids, this.settings.get('aws.profile'), this.settings.get('aws.region'), this.settings.get('aws.endpoint')]);
    const now = Date.now();
    let hit = this.lookups.get(key);
    if (!hit || now - hit.at > LOOKUP_TTL_MS) {
      const value = lookup(ids).then((m) => new Map([...m].map(([k, v]) => [k, v.map((i) => i.instanceId)])));
      hit = { at: now, value };
      this.lookups.set(key, hit);
      value.catch(() => { if (this.lookups.get(key)?.value === value) this.lookups.delete(key); });
    }
    try {
      for (const [id, instances] of await hit.value) out.set(id, { ids: instances, via: 'the aws:cloudformation:logical-id tag' });
    } catch (e) {
      this.log.warn(`Right-sizing: the instances of ${nodePath.basename(doc.uri.fsPath)} could not be looked up: ${describeError(e)}`);
    }
    return out;
  }

  /** Every declared size of the document, with its request, ignore directive and (when tied to an instance) estimate. */
  async forDocument(doc: vscode.TextDocument, token?: vscode.CancellationToken): Promise<DeclaredSize[]> {
    const text = doc.getText();
    let decls: SizeDeclaration[];
    try {
      decls = findSizeDeclarations(doc.uri.fsPath, text);
    } catch (e) {
      this.log.warn(`Right-sizing: ${doc.uri.fsPath} could not be read: ${describeError(e)}`);
      return [];
    }
    if (decls.length === 0) return [];
    const links = await this.links(doc, decls);
    // Terraform: the analysis resolves each resource's region (the provider block, variables in sibling files)
    let analysed = new Map<string, ComputeResource>();
    if (decls[0]!.format === 'hcl') {
      try {
        analysed = new Map(findComputeResources(doc.uri.fsPath, text, await siblingTexts(doc)).map((r) => [r.address, r]));
      } catch (e) {
        this.log.warn(`Right-sizing: ${doc.uri.fsPath} could not be analysed: ${describeError(e)}`);
      }
    }
    const lines = text.split('\n');
    const file = nodePath.basename(doc.uri.fsPath);
    const out: DeclaredSize[] = [];
    for (const decl of decls) {
      if (token?.isCancellationRequested) return [];
      const ignored = findIgnore(text, { ...decl, valueEnd: decl.value.end }, RIGHTSIZING_RULE, lines);
      const priced = priceAs(decl.provider, decl.size, decl.resourceType);
      const asResource: ComputeResource = analysed.get(decl.address) ?? {
        address: decl.address, type: decl.resourceType, provider: decl.provider, size: decl.size, priceAs: priced.priceAs,
        range: { start: { line: decl.resourceLine, character: 0 }, end: { line: decl.resourceLine, character: 0 } }, sagemaker: priced.sagemaker,
      };
      const base = requestFor(asResource, doc.uri.fsPath, this.settings.get('aws.region'));
      const found = links.get(decl.address);
      const notes = [...(base.notes ?? [])];
      if (found && found.ids.length > 1) notes.push(`${found.ids.length} running instances carry ${decl.address} (${found.ids.join(', ')}): not right-sized from one of them.`);
      const metrics = this.services.savingsSources().metrics(decl.provider, base.region ?? this.settings.get('aws.region'));
      const resourceId = found?.ids.length === 1 && metrics?.kind === 'ready' && metrics.covers(found.ids[0]!) ? found.ids[0] : undefined;
      const request: EstimateRequest = {
        ...base,
        ...(resourceId ? { resourceId } : {}),
        ...(notes.length ? { notes } : {}),
        ...(ignored ? { ignore: { rightsizing: describeIgnore(file, ignored) } } : {}),
      };
      const entry: DeclaredSize = { decl, resource: asResource, request, ...(ignored ? { ignored } : {}), ...(resourceId && found ? { link: { resourceId, via: found.via } } : {}) };
      if (resourceId) {
        // reading a month of metrics takes seconds: never wait for it here; show it when it arrives
        const pending = this.estimator.estimate(request);
        const done = this.settled.get(pending);
        if (done?.report) entry.report = done.report;
        else if (!done) {
          this.settled.set(pending, {});
          pending.then((report) => {
            this.settled.set(pending, { report });
            this.emitter.fire();
          }, (e: unknown) => {
            if (!isCancelled(e)) this.log.warn(`Right-sizing ${decl.address} (${resourceId}): ${describeError(e)}`);
          });
        }
      }
      out.push(entry);
    }
    return out;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/** The right-size action's title: the report's right-sizing saving to the cent, with its price source and date. */
export function rightSizeTitle(report: SavingsReport): string | undefined {
  const rs = report.summary.rightSizing;
  if (!rs) return undefined;
  const src = rs.sources[rs.sources.length - 1] ?? report.prices.onDemand.source;
  return `Right-size to ${rs.recommendedType} — saves ${usd(rs.monthlySaving)}/mo (${src.name}, ${src.capturedAt})`;
}

/**
 * Code actions on a declared instance type with a right-sizing recommendation: rewrite the value to the recommended
 * type (only the token: quotes and formatting stay), or silence it with `# finops:ignore rightsizing` (CloudFormation
 * JSON: a `Metadata` entry, as JSON has no comments).
 */
export class RightSizeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.RefactorRewrite, vscode.CodeActionKind.QuickFix];

  constructor(private readonly sizes: DeclaredSizes) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, _context: vscode.CodeActionContext, token: vscode.CancellationToken): Promise<vscode.CodeAction[]> {
    const all = await this.sizes.forDocument(doc, token);
    const out: vscode.CodeAction[] = [];
    for (const entry of all) {
      const { decl, report } = entry;
      const first = Math.min(decl.attributeLine, decl.valueRange.start.line);
      if (range.end.line < first || range.start.line > decl.valueRange.end.line) continue;
      if (entry.ignored || !report) continue;
      const title = rightSizeTitle(report);
      const rs = report.summary.rightSizing;
      if (!title || !rs) continue;
      const newType = decl.size.startsWith('ml.') ? `ml.${rs.recommendedType}` : rs.recommendedType;
      const rewrite = new vscode.CodeAction(title, vscode.CodeActionKind.RefactorRewrite);
      rewrite.edit = new vscode.WorkspaceEdit();
      rewrite.edit.replace(doc.uri, new vscode.Range(decl.valueRange.start.line, decl.valueRange.start.character, decl.valueRange.end.line, decl.valueRange.end.character), newType);
      rewrite.isPreferred = true;
      out.push(rewrite);
      const edit = ignoreEdit(doc.getText(), decl, RIGHTSIZING_RULE);
      if (edit) {
        const ignore = new vscode.CodeAction(
          decl.format === 'json' ? `Ignore right-sizing for ${decl.address} (Metadata finops.ignore)` : `Ignore right-sizing for ${decl.address} (# finops:ignore ${RIGHTSIZING_RULE})`,
          vscode.CodeActionKind.QuickFix,
        );
        ignore.edit = new vscode.WorkspaceEdit();
        ignore.edit.replace(doc.uri, new vscode.Range(doc.positionAt(edit.start), doc.positionAt(edit.end)), edit.newText);
        out.push(ignore);
      }
    }
    return out;
  }
}
