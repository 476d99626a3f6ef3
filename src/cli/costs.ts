import { parseArgs } from 'node:util';
import { costRowsAsCsv, costRowsAsObjects, hasGpuHours, totalsByCurrency } from '../core/cost/format';
import type { CostQuery, CostResult, Granularity, Period } from '../core/cost/model';
import { ALL_TIME, addDays, describeDates, isIsoDate } from '../core/period';
import { parseCostQuery, parseGroupBy } from '../core/cost/query';
import { tagAliasesFromPolicy } from '../core/cost/tags';
import { GPU_KEY, regroupByGpu } from '../core/cost/gpu';
import { shippedCatalogue } from '../core/pricing/shippedCatalogue';
import { FocusFileSource } from '../providers/focus/focusFileSource';
import { formatMoney, NO_GPU_LABEL, UNTAGGED_LABEL } from '../shared/format';
import { billOptions, ExitCode, METRIC_CHOICES, oneOf, requiredFocus, usageError, type CliIO, type Subcommand } from './io';
import { readWorkspace } from './workspace';

const usage = `Usage: mlfinops costs --focus PATH [options]

Cost from FOCUS bill files (FOCUS 1.0–1.2 CSV, CSV.gz or Parquet), queried in place with DuckDB.
Native exports are recognised and converted to FOCUS: AWS Cost and Usage Report (legacy or CUR 2.0
names), Azure cost details (EA / MCA, actual or amortized), Google Cloud billing export rows.

Options:
  --focus PATH             a file, a folder or a glob; repeat for more (required)
  --group-by KEYS          FOCUS dimensions and tags, comma-separated: ProviderName,tag:Team
                           (default: none, one row per period and currency); gpu groups by
                           accelerator model × count (from the instance type and the price
                           catalogue) and adds GPU-hours and cost per GPU-hour: gpu,tag:Team
  --granularity G          daily, monthly or total (default: monthly)
  --metric M               EffectiveCost (amortized), BilledCost (invoiced) or ListCost (default: EffectiveCost)
  --from YYYY-MM-DD        first day (default: the first day in the files)
  --to YYYY-MM-DD          day after the last one: the period is [from, to) (default: after the last day)
  --format F               table, json or csv (default: table)
  --policy FILE            the team policy giving tag names per cloud (Team is the GCP label team)
                           (default: the workspace's, as VS Code reads it: from the current folder up to
                           the repository root, the first .finops.yaml or mlFinops.tags.policyFile in
                           .vscode/settings.json)

JSON output is an array of objects: one key per --group-by column (tags as "tag:Team", a missing
tag is null), "period" (ISO date of the period start), "cost" (number) and "currency".
Costs are never added across currencies. A tag key follows each cloud's rule (AWS exact, Azure in
any case, Google Cloud label forms: tag:CostCenter is also cost_center, costcenter, cost-center).
CSV bills may be UTF-8, UTF-16 or Windows-1252, with any line endings. In a folder, files that are
not bills are skipped with a note. Notes go to stderr.

Exit codes: 0 success, 2 usage error, or a bill that cannot be read correctly (a NaN or
non-numeric cost, a broken row: the message names the file, row and column), 3 a failure of the
query engine.`;

/** Aligned columns; a `null` row is a rule across every column. */
function pad(cells: (string[] | null)[], rightAligned: Set<number>): string {
  const rows = cells.filter((r): r is string[] => r !== null);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return cells.map((r) => (r === null
    ? widths.map((w) => '-'.repeat(w)).join('  ')
    : r.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())).join('\n');
}

function formatTable(result: CostResult, fromFiles: string): string {
  const q = result.query;
  const title = `${q.metric} by ${[...q.groupBy, q.granularity === 'total' ? '' : q.granularity === 'daily' ? 'day' : 'month'].filter(Boolean).join(', ') || 'total'}, ${describeDates(q.period)}, from ${fromFiles}`;
  if (!result.rows.length) return `${title}\n\nNo cost in this period.\n`;
  const gpu = hasGpuHours(result);
  const header = [...q.groupBy, 'period', 'cost', ...(gpu ? ['GPU-hours', 'per GPU-hour'] : [])];
  const objects = costRowsAsObjects(result);
  const body = result.rows.map((r, i) => [
    ...q.groupBy.map((k) => r.groups[k] ?? (k.startsWith('tag:') ? UNTAGGED_LABEL : (k as string) === GPU_KEY ? NO_GPU_LABEL : '—')),
    r.period,
    formatMoney(r.cost, r.currency || undefined, 'en-US') + (r.currency ? '' : ' (no currency)'),
    ...(gpu ? [gpuHoursText(objects[i]!.gpuHours), objects[i]!.costPerGpuHour === null ? '—' : formatMoney(Number(objects[i]!.costPerGpuHour), r.currency || undefined, 'en-US')] : []),
  ]);
  const totals = [...totalsByCurrency(result)].map(([currency, total]) => [
    ...q.groupBy.map((_, i) => (i === 0 ? 'Total' : '')), q.groupBy.length ? '' : 'Total', formatMoney(total, currency || undefined, 'en-US'), ...(gpu ? ['', ''] : []),
  ]);
  const right = new Set([q.groupBy.length + 1, ...(gpu ? [q.groupBy.length + 2, q.groupBy.length + 3] : [])]);
  const table = pad([header, null, ...body, null, ...totals], right);
  return `${title}\n\n${table}\n`;
}

const costs: Subcommand = {
  summary: 'cost from FOCUS or native bill files, grouped by dimensions and tags',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        ...billOptions('table'),
        'group-by': { type: 'string', default: '' },
        granularity: { type: 'string', default: 'monthly' },
        from: { type: 'string' },
        to: { type: 'string' },
      },
    });
    const focus = requiredFocus(values.focus);
    const format = oneOf('format', values.format, ['table', 'json', 'csv']);
    const granularity = oneOf<Granularity>('granularity', values.granularity, ['daily', 'monthly', 'total']);
    const metric = oneOf('metric', values.metric, METRIC_CHOICES);
    for (const flag of ['from', 'to'] as const) {
      const v = values[flag];
      if (v !== undefined && !isIsoDate(v)) throw usageError(`--${flag} must be a date written YYYY-MM-DD (got "${v}")`);
    }
    const period: Period = { start: values.from ?? ALL_TIME.start, end: values.to ?? ALL_TIME.end };
    if (period.start >= period.end) throw usageError(`--to (${period.end}) must be after --from (${period.start}); the period is [from, to)`);

    // `gpu` is asked of the bill as its instance type and grouped again by the catalogue's GPU model × count
    const asked = values['group-by'].split(',').map((k) => k.trim());
    const byGpu = asked.includes(GPU_KEY);
    const query: CostQuery = parseCostQuery({ period, granularity, groupBy: parseGroupBy(asked.map((k) => (k === GPU_KEY ? 'x_InstanceType' : k)).join(',')), metric, ...(byGpu ? { usageHours: true } : {}) });
    const shown: CostQuery = byGpu ? { ...query, groupBy: query.groupBy.map((k) => (k === 'x_InstanceType' ? GPU_KEY : k)) as CostQuery['groupBy'] } : query;
    const source = new FocusFileSource({ paths: focus, baseDir: io.cwd, tagAliases: tagAliasesFromPolicy((await readWorkspace(io.cwd, values.policy)).loaded.policy) });
    try {
      let result = await source.query(query);
      if (byGpu) result = regroupByGpu(result, shippedCatalogue(), shown);
      if (granularity === 'total' && period.start === ALL_TIME.start) {
        // "total" over the whole file: report the first day the files hold, not 1970.
        const covered = await source.coverage();
        if (covered) result = { ...result, rows: result.rows.map((r) => ({ ...r, period: covered.start })), query: { ...result.query, period: { start: covered.start, end: values.to ?? covered.end } } };
      } else if (period.start === ALL_TIME.start || period.end === ALL_TIME.end) {
        const days = result.rows.map((r) => r.period).sort();
        if (days.length) result = { ...result, query: { ...result.query, period: { start: values.from ?? days[0]!, end: values.to ?? addDays(lastDayOf(days.at(-1)!, granularity), 1) } } };
      }
      for (const w of result.warnings ?? []) io.stderr(`mlfinops costs: note: ${w}\n`);
      if (format === 'json') io.stdout(`${JSON.stringify(costRowsAsObjects(result), null, 2)}\n`);
      else if (format === 'csv') io.stdout(costRowsAsCsv(result));
      else io.stdout(formatTable(result, focus.join(', ')));
      return ExitCode.ok;
    } finally {
      source.dispose();
    }
  },
};

function gpuHoursText(v: string | number | null | undefined): string {
  return typeof v === 'number' ? Math.round(v).toLocaleString('en-US') : '—';
}

/** The last day of the period that starts on `start`. */
function lastDayOf(start: string, granularity: Granularity): string {
  if (granularity !== 'monthly') return start;
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}

export default costs;
