import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { HOURS_PER_MONTH } from '../core/pricing/model';
import { parseMonth } from '../core/savings/calendar';
import { usd } from '../core/savings/estimate';
import { planSavings } from '../core/savings/plan';
import { buildReport, estimateToJson, kindLabels, notEstimated, percent, reportToMarkdown, sourceLine, type SavingsSummary } from '../core/savings/report';
import { searchByGpu } from '../core/pricing/catalogue';
import { shippedCatalogue } from '../core/pricing/shippedCatalogue';
import { gpuSearchExamples } from '../core/pricing/gpuModels';
import { perHour } from '../core/savings/estimate';
import { providerLabels } from '../core/pricing/model';
import type { UtilisationSeries } from '../core/sources';
import { parseSchedule } from '../core/savings/schedule';
import { createSavingsSources } from '../providers/savingsSources';
import { ExitCode, printable, usageError, type CliIO, type Subcommand } from './io';
import { compareWithOurs, nativeMarkdown, ourRightSizingOf, type NativeRow } from '../core/savings/native';
import { createNativeRecommenders, recommendationsFor, type NativeRecommenderOptions } from '../providers/nativeRecommenders';
import type { SavingsPlan } from '../core/savings/plan';

/** Days of CloudWatch metrics --instance-id reads (CloudWatchMetrics' default). */
const CLI_LOOKBACK_DAYS = 14;

const usage = `Usage: mlfinops savings --instance-type TYPE [options]
       mlfinops savings --gpu NAME [--region REGION] [--format table|json]

Savings options for one instance type, from the bundled price snapshot (or live prices): reservations and
savings plans (1 and 3 years, no / partial / all upfront), spot, an auto-shutdown schedule, right-sizing
from CloudWatch, and the combined saving (compounded, not added).

--gpu lists the instance types on AWS, Google Cloud and Azure that carry a GPU, with their prices:
H100, H200, A100 80GB, A100, L40S, L4, A10G, T4, V100 …

Options:
  --instance-type TYPE      p3.2xlarge, a2-highgpu-1g, Standard_NC24ads_A100_v4 … (or --gpu)
  --gpu NAME                every type with this GPU on the three clouds, priced (see above)
  --region REGION           the type's region (default: us-east-1, us-central1 or eastus by cloud)
  --hours-per-month N       instance-hours used a month (default: 730, one instance around the clock);
                            the one baseline of every figure
  --schedule TEXT           running hours, e.g. "Mon-Fri 08:00-19:00 America/Los_Angeles"
  --month YYYY-MM           calendar month for the schedule's hours (default: this month)
  --instance-id ID          right-size this EC2 instance from 14 days of hourly CloudWatch metrics
  --interruptions-per-day N expected spot interruptions a day (default: 1)
  --checkpoint-minutes N    minutes between checkpoints (default: 60)
  --checkpoint-write-minutes N  minutes one checkpoint takes to write (default: 1); when it fits in the
                            cloud's notice (AWS 2 min, Google Cloud / Azure 30 s) interruptions lose no work
  --restart-minutes N       minutes from an interruption to training again (default: 10)
  --usage-drop SHARE        share of usage that might go away, for the commitment risk (default: 0.3)
  --live                    use live prices: AWS Price List + spot history, Azure Retail Prices, GCP
                            Cloud Billing Catalog (cached for 24 h in the user cache folder)
  --profile NAME            AWS profile for --live and --instance-id (default: the SDK chain)
  --endpoint URL            AWS endpoint override; --azure-prices-endpoint URL, --gcp-endpoint URL likewise
  --gcp-project ID          project for the Cloud Billing Catalog calls
  --native                  also the type's cloud's own recommendations, beside ours: AWS Compute Optimizer
                            (the SDK chain, --profile, --region), Google Recommender (with --gcp-project and
                            --gcp-zone ZONE, repeatable) or Azure Advisor (with --azure-scope
                            /subscriptions/ID; DefaultAzureCredential, AZURE_TENANT_ID); each with its own
                            saving, source and date, and with --instance-id the reasons it differs from ours
                            (lookback, metrics, prices, type)
  --compute-optimizer-endpoint URL, --azure-endpoint URL   endpoint overrides for --native
  --format F                table, json or markdown (default: table)

JSON output is an array, one object per option:
  {"kind": "rightsizing"|"reservation"|"savingsPlan"|"schedule"|"spot"|"combined", "option": "…",
   "monthlyCost": n, "monthlySaving": n, "savingFraction": 0..1, "assumptions": […],
   "sources": [{"name": "…", "capturedAt": "YYYY-MM-DD"}]}
With --native, each of the clouds' recommendations is one more object: {"kind": "native", "source", "resourceId",
"currentType", "recommendedType", "monthlySaving", "currency", "lookbackDays", "priceBasis", "refreshedAt",
"comparison": {"agree", "reasons"}}. A recommender that fails is named on stderr with its fix; the rest still print.
Options that would cost more than on-demand are left out of the JSON and named on stderr, as are options
that cannot be estimated (no price in the snapshot), with the reason.
With --gpu, JSON is an array of {"provider", "instanceType", "region", "gpus", "gpuModel", "vcpu",
"memoryGiB", "onDemandHourly", "perGpuHourly", "spotHourly", "source": {"name", "capturedAt"}}.

Exit codes: 0 success, 2 usage error or unknown instance type, 3 a failed cloud call.`;

export function numberOption(value: string | undefined, name: string, min: number, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw usageError(`--${name} must be a number from ${min}${Number.isFinite(max) ? ` to ${max}` : ''} (got "${value}").`);
  return n;
}

export function cacheDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mlfinops', 'prices');
}

const command: Subcommand = {
  summary: 'savings options for an instance type: reservations, savings plans, spot, schedules, right-sizing',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        'instance-type': { type: 'string' },
        region: { type: 'string' },
        'hours-per-month': { type: 'string' },
        schedule: { type: 'string' },
        month: { type: 'string' },
        'instance-id': { type: 'string' },
        'interruptions-per-day': { type: 'string' },
        'checkpoint-minutes': { type: 'string' },
        'checkpoint-write-minutes': { type: 'string' },
        gpu: { type: 'string' },
        'restart-minutes': { type: 'string' },
        'usage-drop': { type: 'string' },
        live: { type: 'boolean', default: false },
        profile: { type: 'string' },
        endpoint: { type: 'string' },
        'azure-prices-endpoint': { type: 'string' },
        'gcp-endpoint': { type: 'string' },
        'gcp-project': { type: 'string' },
        native: { type: 'boolean', default: false },
        'compute-optimizer-endpoint': { type: 'string' },
        'gcp-zone': { type: 'string', multiple: true },
        'azure-scope': { type: 'string' },
        'azure-endpoint': { type: 'string' },
        format: { type: 'string', default: 'table' },
      },
      allowPositionals: false,
      strict: true,
    });
    const type = values['instance-type'];
    const format = values.format ?? 'table';
    if (!['table', 'json', 'markdown'].includes(format)) throw usageError(`--format must be table, json or markdown (got "${format}").`);
    if (values.gpu !== undefined) {
      if (type) throw usageError('Use --instance-type or --gpu, not both.');
      return gpuSearch(values.gpu, values.region, format, io);
    }
    if (!type) throw usageError('--instance-type (or --gpu) is required.');
    const hours = numberOption(values['hours-per-month'], 'hours-per-month', 0, 1_000_000) ?? HOURS_PER_MONTH;
    const perDay = numberOption(values['interruptions-per-day'], 'interruptions-per-day', 0);
    const checkpoint = numberOption(values['checkpoint-minutes'], 'checkpoint-minutes', 0.1);
    const write = numberOption(values['checkpoint-write-minutes'], 'checkpoint-write-minutes', 0, 1440);
    const restart = numberOption(values['restart-minutes'], 'restart-minutes', 0);
    const drop = numberOption(values['usage-drop'], 'usage-drop', 0, 1);

    const schedule = values.schedule !== undefined ? parseSchedule(values.schedule) : undefined;
    const now = new Date();
    const month = values.month !== undefined ? parseMonth(values.month) : { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1 };
    const aws = { profile: values.profile ?? '', region: values.region ?? io.env.AWS_REGION ?? 'us-east-1', endpoint: values.endpoint ?? '' };
    const sources = createSavingsSources({
      live: values.live ?? false,
      aws,
      azure: { retailPricesEndpoint: values['azure-prices-endpoint'] ?? '' },
      gcp: { projectId: values['gcp-project'] ?? io.env.GOOGLE_CLOUD_PROJECT ?? '', endpoint: values['gcp-endpoint'] ?? '' },
      cacheDir: cacheDir(io.env),
    });
    const catalogue = sources.resolver.catalogue;
    const { prices, warnings } = await sources.resolver.resolve(type, values.region, { live: sources.live });

    let metrics: (UtilisationSeries & { source: string }) | undefined;
    if (values['instance-id']) {
      const metricSource = sources.metrics(prices.provider, prices.region);
      if (metricSource?.kind !== 'ready') throw usageError('--instance-id reads CloudWatch: it works with AWS instance types only.');
      metrics = await metricSource.source.getUtilisation(values['instance-id']);
    }
    const plan = planSavings({
      prices, candidates: catalogue.pricedIn(prices.provider, prices.region), hoursPerMonth: hours, month,
      ...(metrics ? { metrics, metricsSource: metrics.source } : {}), ...(schedule ? { schedule } : {}),
      spot: {
        ...(perDay !== undefined ? { interruptionsPerHour: perDay / 24 } : {}),
        ...(checkpoint !== undefined ? { checkpointIntervalHours: checkpoint / 60 } : {}),
        ...(write !== undefined ? { checkpointWriteHours: write / 60 } : {}),
        ...(restart !== undefined ? { restartHours: restart / 60 } : {}),
      },
      ...(drop !== undefined ? { usageDropShare: drop } : {}),
    });
    const native = values.native ? await nativeRows({
      aws: { ...aws, computeOptimizerEndpoint: values['compute-optimizer-endpoint'] ?? '' },
      gcpProject: values['gcp-project'] ?? io.env.GOOGLE_CLOUD_PROJECT ?? '', gcpZones: values['gcp-zone'] ?? [], gcpEndpoint: values['gcp-endpoint'] ?? '',
      ...(values['azure-scope'] ? { azure: { scope: values['azure-scope'], endpoint: values['azure-endpoint'] ?? '', tenantId: io.env.AZURE_TENANT_ID ?? '' } } : {}),
    }, plan, values['instance-id'], io) : [];
    for (const w of warnings) io.stderr(`mlfinops savings: note: ${w}\n`);
    for (const m of notEstimated(prices)) io.stderr(`mlfinops savings: not estimated: ${m}\n`);
    if (format === 'json') {
      const shown = plan.options.filter((o) => o.savingFraction >= 0);
      for (const o of plan.options.filter((x) => x.savingFraction < 0)) io.stderr(`mlfinops savings: note: left out "${o.option}": it would cost ${usd(-o.monthlySaving)} a month more than on-demand at ${hours} h.\n`);
      io.stdout(`${JSON.stringify([...shown.map(estimateToJson), ...native.map(nativeToJson)], null, 2)}\n`);
      return ExitCode.ok;
    }
    const report = buildReport(plan, { warnings, ...(native.length ? { native } : {}) });
    if (format === 'markdown') {
      io.stdout(reportToMarkdown(report));
      return ExitCode.ok;
    }
    io.stdout(renderTable(report.title, plan.options, report.summary));
    if (native.length) io.stdout(`${nativeMarkdown(native, printable).join('\n')}\n`);
    else if (values.native) io.stdout('The clouds\' own recommenders have nothing for this type.\n');
    return ExitCode.ok;
  },
};

function renderTable(title: string, options: ReturnType<typeof planSavings>['options'], summary: SavingsSummary): string {
  const rows = options.map((o) => [kindLabels[o.kind], o.option, usd(o.monthlyCost), usd(o.monthlySaving), o.status === 'ok' ? percent(o.savingFraction) : o.status]);
  const head = ['Kind', 'Option', 'Monthly cost', 'Saving/mo', 'Saving'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  const sources = [...new Set(options.flatMap((o) => o.sources.map(sourceLine)))];
  return [
    title,
    `Baseline: ${usd(summary.onDemandMonthly)} a month on-demand (${summary.hoursPerMonth} h), the same for every option.`,
    ...(summary.best ? [`Best option: ${summary.best.option}, saves ${usd(summary.best.monthlySaving)} a month.`] : []),
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'Sources:',
    ...sources.map((s) => `  ${s}`),
    '',
    'Use --format markdown for every assumption, or --format json.',
    '',
  ].join('\n');
}

/** The clouds' own recommendations for this type (or, with --instance-id, that instance), compared with ours. */
async function nativeRows(
  o: { aws: NativeRecommenderOptions['aws']; gcpProject: string; gcpZones: string[]; gcpEndpoint: string; azure?: NativeRecommenderOptions['azure'] },
  plan: SavingsPlan, instanceId: string | undefined, io: CliIO,
): Promise<NativeRow[]> {
  // only the type's own cloud: the rows shown are those of this type (or instance)
  const cloud = plan.prices.provider;
  const needs = cloud === 'gcp' && !(o.gcpProject && o.gcpZones.length) ? 'Google Recommender needs --gcp-project ID and --gcp-zone ZONE (repeatable) to be asked.'
    : cloud === 'azure' && !o.azure ? 'Azure Advisor needs --azure-scope /subscriptions/ID to be asked.' : undefined;
  if (needs) io.stderr(`mlfinops savings: note: ${needs}\n`);
  const recommenders = createNativeRecommenders({
    ...(cloud === 'aws' && o.aws ? { aws: o.aws } : {}),
    ...(cloud === 'gcp' && o.gcpProject && o.gcpZones.length ? { gcp: { projectId: o.gcpProject, zones: o.gcpZones, endpoint: o.gcpEndpoint } } : {}),
    ...(cloud === 'azure' && o.azure ? { azure: o.azure } : {}),
  });
  const results = await recommenders.list();
  for (const p of results.problems) io.stderr(`mlfinops savings: note: ${printable(`${p.source}: ${p.message}${p.fix ? ` ${p.fix}` : ''}`)}\n`);
  const mine = instanceId ? recommendationsFor(results.recommendations, instanceId) : results.recommendations.filter((r) => r.currentType === plan.prices.instanceType);
  const ours = plan.options.find((x) => x.kind === 'rightsizing');
  return mine.map((recommendation) => ({
    recommendation,
    ...(ours ? { comparison: compareWithOurs(recommendation, ourRightSizingOf(ours, CLI_LOOKBACK_DAYS, plan.hoursPerMonth)) } : {}),
  }));
}

function nativeToJson({ recommendation: r, comparison }: NativeRow): Record<string, unknown> {
  return {
    kind: 'native', source: r.source, resourceId: r.resourceId, currentType: r.currentType ?? null, recommendedType: r.recommendedType ?? null,
    monthlySaving: r.monthlySaving, currency: r.currency, lookbackDays: r.lookbackDays ?? null, priceBasis: r.priceBasis, refreshedAt: r.refreshedAt ?? null,
    comparison: comparison ?? null,
  };
}

/** `mlfinops savings --gpu H100`: every type with that GPU on the three clouds, priced from the shipped catalogue. */
function gpuSearch(name: string, region: string | undefined, format: string, io: CliIO): number {
  const found = searchByGpu(shippedCatalogue(), name, region ? { aws: region, gcp: region, azure: region } : {});
  if (!found) throw usageError(`"${name}" is not a GPU the price catalogue knows. Try ${gpuSearchExamples.join(', ')}.`);
  if (format === 'json') {
    io.stdout(`${JSON.stringify(found.matches.map((m) => ({
      provider: m.provider, instanceType: m.instanceType, region: m.region, gpus: m.gpus, gpuModel: m.gpuModel, vcpu: m.vcpu, memoryGiB: m.memoryGiB,
      onDemandHourly: m.onDemandHourly, perGpuHourly: m.perGpuHourly, spotHourly: m.spotHourly ?? null,
      source: { name: m.source.name, capturedAt: m.source.capturedAt },
    })), null, 2)}\n`);
    for (const n of found.none) io.stderr(`mlfinops savings: note: ${n}\n`);
    return ExitCode.ok;
  }
  const head = ['Cloud', 'Instance type', 'Region', 'GPUs', 'vCPU', 'Memory', 'On-demand', 'Per GPU-hour', 'Spot'];
  const rows = found.matches.map((m) => [
    providerLabels[m.provider], m.instanceType, m.region, m.gpus === null ? `part of ${m.gpuModel}` : `${m.gpus} × ${m.gpuModel}`, String(m.vcpu), `${m.memoryGiB} GiB`,
    perHour(m.onDemandHourly), m.perGpuHourly === null ? '—' : perHour(m.perGpuHourly), m.spotHourly === undefined ? '—' : perHour(m.spotHourly),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 6 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const sources = [...new Set(found.matches.map((m) => sourceLine(m.source)))];
  io.stdout([
    `Instance types with ${found.query.text} GPUs (${found.matches.length}), Linux on-demand in each type's region:`,
    ...(found.query.note ? [found.query.note] : []),
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(found.none.length ? ['', ...found.none] : []),
    '',
    'Sources:',
    ...sources.map((x) => `  ${x}`),
    '',
    'Estimate one: mlfinops savings --instance-type TYPE --region REGION',
    '',
  ].join('\n'));
  return ExitCode.ok;
}

export default command;
