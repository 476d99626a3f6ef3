import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { describeError, isFinOpsError } from '../../core/errors';
import { defaultRegions, normalizeRegion, unknownTypeMessage } from '../../core/pricing/catalogue';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import { perHour, usd } from '../../core/savings/estimate';
import { headlineCommitment, lensTitle, sourceLine } from '../../core/savings/report';
import type { Logger } from '../../core/ports';
import type { SettingsService } from '../../platform/settings';
import { Commands } from '../../shared/commands';
import { findComputeResources, type ComputeResource } from './computeResources';
import type { EstimateRequest, SavingsEstimator } from './estimator';

const MAX_SIBLINGS = 50;
const MAX_SIBLING_BYTES = 512 * 1024;

/** The other Terraform files of a document's folder (open editors first, then disk), for variables and providers. */
export async function siblingTexts(doc: vscode.TextDocument): Promise<Array<{ path: string; text: string }>> {
  if (doc.uri.scheme !== 'file') return [];
  const dir = vscode.Uri.file(nodePath.dirname(doc.uri.fsPath));
  let entries: [string, vscode.FileType][] = [];
  try {
    entries = await vscode.workspace.fs.readDirectory(dir);
  } catch {
    return [];
  }
  const out: Array<{ path: string; text: string }> = [];
  const names = entries.filter(([n, k]) => k === vscode.FileType.File && /\.(tf|tfvars)$/.test(n)).map(([n]) => n).slice(0, MAX_SIBLINGS);
  for (const name of names) {
    const uri = vscode.Uri.joinPath(dir, name);
    if (uri.fsPath === doc.uri.fsPath) continue;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) { out.push({ path: uri.fsPath, text: open.getText() }); continue; }
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_SIBLING_BYTES) continue;
      out.push({ path: uri.fsPath, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) });
    } catch {
      // unreadable: skip it
    }
  }
  return out;
}

/** The estimate a compute resource asks for, with its region (the provider's default when Terraform does not say). */
export function requestFor(r: ComputeResource, file: string, awsRegion: string): EstimateRequest {
  // one spelling per region ("East US" is "eastus"), so the lens, the report and the CLI name the same region
  const region = normalizeRegion(r.provider, r.region ?? (r.provider === 'aws' ? awsRegion : defaultRegions[r.provider]));
  return {
    instanceType: r.priceAs,
    region,
    subject: `${nodePath.basename(file)}: ${r.address}`,
    notes: [
      ...(r.sagemaker ? [`${r.size} is a SageMaker type, priced here as EC2 ${r.priceAs}; SageMaker's own price is higher.`] : []),
      ...(r.region ? [] : [`${r.address} does not set a region: priced in ${region}.`]),
    ],
  };
}

/**
 * Code lenses over Terraform compute resources: `≈ $2,234/mo on-demand · spot ≈ $231 · 1-yr ≈ $1,519` from
 * the shipped catalogue (instant and offline); the tooltip names every price's source and date; a click opens
 * the full report.
 */
export class SavingsLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly settings: SettingsService, private readonly estimator: SavingsEstimator, private readonly log: Logger) {
    this.subscription = settings.onDidChange((e) => {
      if (e.affects('savings.codeLens') || e.affects('savings.hoursPerMonth') || e.affects('savings.schedule') || e.affects('savings.spotInterruptionsPerDay')
        || e.affects('savings.checkpointIntervalMinutes') || e.affects('savings.checkpointWriteMinutes') || e.affects('aws.region')) this.emitter.fire();
    });
  }

  async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.settings.get('savings.codeLens')) return [];
    const siblings = await siblingTexts(doc);
    if (token.isCancellationRequested) return [];
    let resources: ComputeResource[];
    try {
      resources = findComputeResources(doc.uri.fsPath, doc.getText(), siblings);
    } catch (e) {
      this.log.warn(`Savings lenses: ${doc.uri.fsPath} could not be read: ${describeError(e)}`);
      return [];
    }
    const catalogue = shippedCatalogue();
    const live = this.settings.get('savings.livePrices') && vscode.workspace.isTrusted;
    // A type outside the GPU / ML catalogue with no close match (t3.micro) gets no lens unless live prices can price it.
    const shown = resources.filter((r) => catalogue.find(r.priceAs) || live || catalogue.closeMatches(r.priceAs).length > 0);
    return shown.map((r) => {
      const request = requestFor(r, doc.uri.fsPath, this.settings.get('aws.region'));
      const range = new vscode.Range(r.range.start.line, 0, r.range.start.line, 0);
      try {
        // the same plan as the report this lens opens: one baseline, one set of assumptions, the same figures
        const { prices: p, summary } = this.estimator.catalogueSummary(r.priceAs, request.region);
        const c1 = headlineCommitment(p, 1);
        const tooltip = [
          `${r.address}: ${r.size} in ${p.region}, ${summary.hoursPerMonth} h a month`,
          `On-demand ${perHour(p.onDemand.hourly)} — ${sourceLine(p.onDemand.source)}`,
          ...(p.spot ? [`Spot ${perHour(p.spot.hourly)}${summary.spotMonthly !== undefined ? ' (monthly figure includes checkpoint and interruption overhead)' : ''} — ${sourceLine(p.spot.source)}`] : []),
          ...(c1 ? [`1-yr ${perHour(c1.effectiveHourly)} — ${sourceLine(c1.source)}`] : []),
          ...(summary.best ? [`Best option: ${summary.best.option}, saves ${usd(summary.best.monthlySaving)} a month`] : []),
          ...(request.notes ?? []),
          'Click for every option with its assumptions.',
        ].join('\n');
        const title = `${r.sagemaker ? `EC2 ${r.priceAs} ` : ''}${lensTitle(summary)}`;
        return new vscode.CodeLens(range, { title, tooltip, command: Commands.estimateSavings, arguments: [request] });
      } catch (e) {
        // an unknown type reads "Unknown instance type … Did you mean …?" (the error's list of families is for the report)
        const headline = isFinOpsError(e, 'input') ? (e.code === 'unknownInstanceType' ? unknownTypeMessage(r.priceAs, catalogue.closeMatches(r.priceAs)) : e.message) : undefined;
        const title = headline !== undefined
          ? `$(info) ${headline}${live && !catalogue.find(r.priceAs) ? ' Click to price it live.' : ''}`
          : `$(warning) ${describeError(e)}`;
        return new vscode.CodeLens(range, { title, tooltip: describeError(e), command: Commands.estimateSavings, arguments: [request] });
      }
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
