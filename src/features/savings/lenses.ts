import * as vscode from 'vscode';
import { describeError, isFinOpsError } from '../../core/errors';
import { unknownTypeMessage } from '../../core/pricing/catalogue';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import { perHour, usd } from '../../core/savings/estimate';
import { headlineCommitment, lensTitle, sourceLine } from '../../core/savings/report';
import type { Logger } from '../../core/ports';
import type { SettingsService } from '../../platform/settings';
import { Commands } from '../../shared/commands';
import { findComputeResources, type ComputeResource } from './computeResources';
import type { SavingsEstimator } from './estimator';
import type { DeclaredSize, DeclaredSizes } from './rightsize';
import { requestFor, siblingTexts } from './requests';

/**
 * Code lenses over Terraform compute resources: `≈ $2,234/mo on-demand · spot ≈ $231 · 1-yr ≈ $1,519` from
 * the shipped catalogue (instant and offline); the tooltip names every price's source and date; a click opens
 * the full report.
 */
export class SavingsLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscription: vscode.Disposable;
  private readonly sizesSubscription: vscode.Disposable;

  constructor(private readonly settings: SettingsService, private readonly estimator: SavingsEstimator, private readonly log: Logger, private readonly sizes: DeclaredSizes) {
    this.subscription = settings.onDidChange((e) => {
      if (e.affects('savings.codeLens') || e.affects('savings.hoursPerMonth') || e.affects('savings.schedule') || e.affects('savings.spotInterruptionsPerDay')
        || e.affects('savings.checkpointIntervalMinutes') || e.affects('savings.checkpointWriteMinutes') || e.affects('aws.region')
        || e.affects('aws.enabled') || e.affects('aws.profile') || e.affects('aws.endpoint') || e.affects('savings.lookbackDays')) this.emitter.fire();
    });
    this.sizesSubscription = sizes.onDidChange(() => this.emitter.fire());
  }

  async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.settings.get('savings.codeLens')) return [];
    const siblings = await siblingTexts(doc);
    if (token.isCancellationRequested) return [];
    let resources: ComputeResource[];
    try {
      resources = /\.tf$/i.test(doc.uri.path) ? findComputeResources(doc.uri.fsPath, doc.getText(), siblings) : [];
    } catch (e) {
      this.log.warn(`Savings lenses: ${doc.uri.fsPath} could not be read: ${describeError(e)}`);
      return [];
    }
    // declared sizes tied to a running instance carry its estimate (with right-sizing); CloudFormation's come from here only
    const declared = await this.sizes.forDocument(doc, token);
    if (token.isCancellationRequested) return [];
    const byAddress = new Map<string, DeclaredSize>(declared.map((d) => [d.decl.address, d]));
    if (!/\.tf$/i.test(doc.uri.path)) {
      resources = declared.map((d) => d.resource);
    }
    const catalogue = shippedCatalogue();
    const live = this.settings.get('savings.livePrices') && vscode.workspace.isTrusted;
    // A type outside the GPU / ML catalogue with no close match (t3.micro) gets no lens unless live prices can price it.
    const shown = resources.filter((r) => catalogue.find(r.priceAs) || live || catalogue.closeMatches(r.priceAs).length > 0);
    return shown.map((r) => {
      const entry = byAddress.get(r.address);
      const request = entry?.request ?? requestFor(r, doc.uri.fsPath, this.settings.get('aws.region'));
      const range = new vscode.Range(r.range.start.line, 0, r.range.start.line, 0);
      const ignoredNote = entry?.ignored ? ' · right-sizing ignored' : '';
      if (entry?.report) {
        // the estimate with the running instance's metrics: the very report this lens opens, and the code action quotes
        const report = entry.report;
        const tooltip = [
          `${r.address}: ${r.size} in ${report.prices.region}, sized from ${entry.link?.resourceId} (found through ${entry.link?.via})`,
          ...(report.summary.best ? [`Best option: ${report.summary.best.option}, saves ${usd(report.summary.best.monthlySaving)} a month`] : []),
          ...(report.ignored ?? []),
          ...report.warnings,
          'Click for every option with its assumptions.',
        ].join('\n');
        return new vscode.CodeLens(range, { title: `${lensTitle(report.summary)}${ignoredNote}`, tooltip, command: Commands.estimateSavings, arguments: [request] });
      }
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
          ...(r.instances === 'unknown' ? [`${r.address} sets count or for_each to a value not known before terraform plan: the figures are per instance.`]
            : r.instances !== undefined && r.instances !== 1 ? [`${r.address} declares ${r.instances} machines: the figures are for all of them; the report prices one.`] : []),
          'Click for every option with its assumptions.',
        ].join('\n');
        const title = `${r.sagemaker ? `EC2 ${r.priceAs} ` : ''}${lensTitle(summary, r.instances)}${ignoredNote}`;
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
    this.sizesSubscription.dispose();
    this.emitter.dispose();
  }
}
