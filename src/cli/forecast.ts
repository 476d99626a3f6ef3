import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseGroupBy } from '../core/cost/query';
import { FinOpsError } from '../core/errors';
import { forecastDaily, forecastSum, type DailyValue, type Forecast } from '../core/forecast/forecast';
import type { GroupSeries } from '../core/forecast/series';
import { isIsoDate } from '../core/period';
import { formatMoney } from '../shared/format';
import { alignTable, billSeries, cents, csvField, groupLabel, openBill, readPolicyFile } from './bill';
import { billOptions, ExitCode, METRIC_CHOICES, oneOf, usageError, type CliIO, type Subcommand } from './io';

const usage = `Usage: mlfinops forecast (--focus PATH | --series FILE.csv) [options]

Daily spend forecast after the last day of the bill, with 80 % and 95 % prediction intervals, per group.
The forecast is the average of Holt-Winters exponential smoothing (additive, damped trend, weekly
seasonality), simple exponential smoothing and seasonal naive, unless a rolling-origin backtest on the
series finds one model at least 20 % more accurate, which is then used alone. Under 21 days of
history it falls back to simple exponential smoothing, and says so. Credits,
adjustments, one-off purchases and one-time fees are not forecast; those in the forecast days are
added on their day.

Options:
  --focus PATH        a bill: FOCUS or native export file, folder or glob; repeat for more
  --series FILE.csv   a daily series instead: a header "date,cost", then one YYYY-MM-DD,amount row a day
                      (a day missing from the file is unknown, not $0)
  --group-by KEYS     forecast each group: FOCUS dimensions and tags, comma-separated (tag:Team)
                      (default: none, the total)
  --horizon DAYS      days to forecast, 1–1100 (default: 30)
  --metric M          EffectiveCost (amortized), BilledCost or ListCost (default: EffectiveCost)
  --format F          table, json or csv (default: table)
  --policy FILE       the team policy giving tag names per cloud (default: .finops.yaml, if any)

JSON is an array, one entry per group: {"group": {"tag:Team": "nlp"}, "model": "holt-winters",
"points": [{"date": "YYYY-MM-DD", "mean": n, "lo80": n, "hi80": n, "lo95": n, "hi95": n}]}
(amounts rounded to the cent). CSV has the group columns, model, date, mean, lo80, hi80, lo95, hi95.
Why each model was chosen, and any fallback, is written to stderr.

Exit codes: 0 success, 2 usage error or a bill or series that cannot be read, 3 a failure of the
query engine.`;

interface GroupForecast { group: Record<string, string | null>; currency: string; forecast: Forecast }

/** Reads a `date,cost` CSV. */
export async function readSeriesCsv(file: string, cwd: string): Promise<DailyValue[]> {
  const p = path.resolve(cwd, file);
  const text = await fs.readFile(p, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new FinOpsError('input', `Cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}.`, { fix: 'Give a CSV file with a "date,cost" header.' });
  });
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const di = header.indexOf('date');
  const ci = header.indexOf('cost');
  if (di < 0 || ci < 0) throw new FinOpsError('input', `${file}: the first line must name the columns date and cost (found "${lines[0] ?? ''}").`, { fix: 'Start the file with the header "date,cost".' });
  const out: DailyValue[] = [];
  lines.slice(1).forEach((line, i) => {
    if (!line.trim()) return;
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const date = cells[di] ?? '';
    const raw = cells[ci] ?? '';
    const cost = raw === '' ? Number.NaN : Number(raw);
    if (!isIsoDate(date)) throw new FinOpsError('input', `${file}, line ${i + 2}: "${date}" is not a date written YYYY-MM-DD.`, { fix: 'Write each day as YYYY-MM-DD.' });
    if (!Number.isFinite(cost)) throw new FinOpsError('input', `${file}, line ${i + 2}: the cost "${raw}" is not a number.`, { fix: 'Write each cost as a plain number such as 123.45.' });
    out.push({ date, cost });
  });
  return out;
}

function pointJson(f: Forecast) {
  return f.points.map((p) => ({ date: p.date, mean: cents(p.mean), lo80: cents(p.lo80), hi80: cents(p.hi80), lo95: cents(p.lo95), hi95: cents(p.hi95) }));
}

function asCsv(results: GroupForecast[], keys: string[]): string {
  const header = [...keys, 'model', 'date', 'mean', 'lo80', 'hi80', 'lo95', 'hi95'];
  const lines = [header.map(csvField).join(',')];
  for (const r of results) {
    for (const p of pointJson(r.forecast)) {
      lines.push([...keys.map((k) => r.group[k] ?? null), r.forecast.model, p.date, p.mean, p.lo80, p.hi80, p.lo95, p.hi95].map(csvField).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

function asTable(results: GroupForecast[]): string {
  const money = (v: number, c: string) => formatMoney(v, c || undefined, 'en-US');
  return results.map((r) => {
    const f = r.forecast;
    const total = forecastSum(f, f.points[0]!.date, f.points.at(-1)!.date);
    const rows = f.points.map((p) => [p.date, money(p.mean, r.currency), `${money(p.lo80, r.currency)} – ${money(p.hi80, r.currency)}`, `${money(p.lo95, r.currency)} – ${money(p.hi95, r.currency)}`]);
    const table = alignTable([['date', 'expected', '80 % interval', '95 % interval'], null, ...rows, null,
      [`${f.points.length} days`, money(total.mean, r.currency), `${money(total.lo80, r.currency)} – ${money(total.hi80, r.currency)}`, `${money(total.lo95, r.currency)} – ${money(total.hi95, r.currency)}`]], new Set([1, 2, 3]));
    return `${groupLabel(r.group)}: ${f.description}, from ${f.history.days} days (${f.history.start} – ${f.history.end})\n${f.note}\n\n${table}\n`;
  }).join('\n');
}

const forecast: Subcommand = {
  summary: 'daily spend forecast with 80 % / 95 % intervals, per team, project or service',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        ...billOptions('table'),
        series: { type: 'string' },
        'group-by': { type: 'string', default: '' },
        horizon: { type: 'string', default: '30' },
      },
    });
    const format = oneOf('format', values.format, ['table', 'json', 'csv']);
    const horizon = Number(values.horizon);
    if (!/^\d+$/.test(values.horizon) || horizon < 1 || horizon > 1100) throw usageError(`--horizon must be a whole number of days from 1 to 1100 (got "${values.horizon}")`);
    const metric = oneOf('metric', values.metric, METRIC_CHOICES);
    const focus = values.focus ?? [];
    if (values.series !== undefined && focus.length) throw usageError('give either --focus or --series, not both');
    if (values.series === undefined && !focus.length) throw usageError('--focus PATH or --series FILE.csv is required');
    const keys = parseGroupBy(values['group-by']);
    if (values.series !== undefined && keys.length) throw usageError('--group-by needs a bill (--focus): a --series file holds one series');

    let groups: GroupSeries[];
    if (values.series !== undefined) {
      groups = [{ group: {}, currency: '', recurring: await readSeriesCsv(values.series, io.cwd), known: [] }];
    } else {
      const source = openBill(focus, io.cwd, await readPolicyFile(values.policy, io.cwd));
      try {
        const bill = await billSeries(source, keys, metric);
        for (const w of bill.warnings) io.stderr(`mlfinops forecast: note: ${w}\n`);
        groups = bill.series;
      } finally {
        source.dispose();
      }
    }
    const results: GroupForecast[] = [];
    for (const g of groups.sort((a, b) => JSON.stringify(a.group).localeCompare(JSON.stringify(b.group)))) {
      const days = g.recurring.filter((v) => Number.isFinite(v.cost)).length;
      if (days < 2) {
        io.stderr(`mlfinops forecast: note: ${groupLabel(g.group)}: skipped, ${days} day of cost (a forecast needs two)\n`);
        continue;
      }
      const f = forecastDaily(g.recurring, { horizon, known: g.known });
      io.stderr(`mlfinops forecast: ${groupLabel(g.group)}: ${f.model}: ${f.note}\n`);
      results.push({ group: g.group, currency: g.currency, forecast: f });
    }
    if (format === 'json') io.stdout(`${JSON.stringify(results.map((r) => ({ group: r.group, model: r.forecast.model, points: pointJson(r.forecast) })), null, 2)}\n`);
    else if (format === 'csv') io.stdout(asCsv(results, keys));
    else io.stdout(results.length ? asTable(results) : 'Nothing to forecast: no group has two days of cost.\n');
    return ExitCode.ok;
  },
};

export default forecast;
