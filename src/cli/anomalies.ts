import { parseArgs } from 'node:util';
import { detectAnomalies, groupFilters, parseSince, topContributors, type Anomaly, type Contributor } from '../core/anomaly/detect';
import type { CostMetric, CostQuery, CostRow, GroupKey } from '../core/cost/model';
import { parseCostQuery, parseGroupBy } from '../core/cost/query';
import { addDays } from '../core/period';
import { formatMoney } from '../shared/format';
import { alignTable, billSeries, cents, groupLabel, lastCoveredDay, openBill, readPolicyFile } from './bill';
import { ExitCode, usageError, type CliIO, type Subcommand } from './io';

const usage = `Usage: mlfinops anomalies --focus PATH [options]

Days whose cost for a team, service or account is outside the 95 % band of a forecast fitted on the
days before it (the model is chosen by the forecast's backtest), with the amount above expected and
the resources and SKUs that grew most against their usual daily cost over the week before.
One-off charges (purchases, credits, adjustments, one-time fees) are not examined.

Options:
  --focus PATH        a bill: FOCUS or native export file, folder or glob; repeat for more (required)
  --since S           the days examined: 14d (the bill's last 14 days, the default) or YYYY-MM-DD
  --group-by KEYS     one key per pass, comma-separated (default: tag:Team,ServiceName,SubAccountId)
  --below             also report days below the band (spend that stopped)
  --metric M          EffectiveCost, BilledCost or ListCost (default: EffectiveCost)
  --format F          table or json (default: table)
  --policy FILE       the team policy giving tag names per cloud (default: .finops.yaml, if any)

JSON is an array, one object per anomalous day and group: group ({"tag:Team": "recsys"}), date,
actual, expected, lo95, hi95, aboveExpected (actual − expected), direction (above / below), model,
currency and contributors (up to 5: resourceId, skuId, cost, usual, increase). Amounts to the cent.

Exit codes: 0 success (with or without anomalies), 2 usage error or a bill that cannot be read,
3 a failure of the query engine.`;

interface Found extends Anomaly { currency: string; contributors: Contributor[] }

const anomalies: Subcommand = {
  summary: 'days outside the 95 % forecast band per team, service or account, with what grew',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        focus: { type: 'string', multiple: true },
        since: { type: 'string', default: '14d' },
        'group-by': { type: 'string', default: 'tag:Team,ServiceName,SubAccountId' },
        below: { type: 'boolean', default: false },
        metric: { type: 'string', default: 'EffectiveCost' },
        format: { type: 'string', default: 'table' },
        policy: { type: 'string' },
      },
    });
    const format = values.format;
    if (format !== 'table' && format !== 'json') throw usageError(`--format must be table or json (got "${format}")`);
    const metric = values.metric as CostMetric;
    if (!['EffectiveCost', 'BilledCost', 'ListCost'].includes(metric)) throw usageError(`--metric must be EffectiveCost, BilledCost or ListCost (got "${metric}")`);
    const keys = parseGroupBy(values['group-by']);
    if (!keys.length) throw usageError('--group-by needs at least one key');
    const source = openBill(values.focus ?? [], io.cwd, await readPolicyFile(values.policy, io.cwd));
    const found: Found[] = [];
    let since = '';
    try {
      for (const key of keys) {
        const bill = await billSeries(source, [key], metric);
        since = parseSince(values.since, lastCoveredDay(bill.coverage));
        for (const w of bill.warnings) io.stderr(`mlfinops anomalies: note: ${w}\n`);
        for (const g of bill.series) {
          for (const a of detectAnomalies(g.group, g.recurring, { since, includeBelow: values.below })) {
            found.push({ ...a, currency: g.currency, contributors: await contributors(source, a, metric) });
          }
        }
      }
    } finally {
      source.dispose();
    }
    found.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) || b.difference - a.difference);
    if (format === 'json') {
      io.stdout(`${JSON.stringify(found.map((a) => ({
        group: a.group, date: a.date, actual: cents(a.actual), expected: cents(a.expected), lo95: cents(a.lo95), hi95: cents(a.hi95),
        aboveExpected: cents(a.difference), direction: a.direction, model: a.model, currency: a.currency,
        contributors: a.contributors.map((c) => ({ resourceId: c.resourceId, skuId: c.skuId, cost: cents(c.cost), usual: cents(c.usual), increase: cents(c.increase) })),
      })), null, 2)}\n`);
    } else {
      io.stdout(asTable(found, since));
    }
    return ExitCode.ok;
  },
};

/** The top resources and SKUs of an anomalous day, against the week before. */
async function contributors(source: { query: (q: CostQuery) => Promise<{ rows: CostRow[] }> }, a: Anomaly, metric: CostMetric): Promise<Contributor[]> {
  const query = parseCostQuery({
    period: { start: addDays(a.date, -7), end: addDays(a.date, 1) },
    granularity: 'daily',
    groupBy: ['ResourceId', 'SkuId'] as GroupKey[],
    filters: groupFilters(a.group),
    metric,
  });
  const result = await source.query(query);
  return topContributors(result.rows, a.date, 7);
}

/** The last segment of an ARN or resource path: what a table has room for (JSON keeps the full id). */
function shortId(id: string | null): string {
  if (!id) return '(none)';
  return id.split(/[/:]/).filter(Boolean).at(-1) ?? id;
}

function asTable(found: Found[], since: string): string {
  if (!found.length) return `No anomaly since ${since}.\n`;
  const money = (v: number, c: string) => formatMoney(v, c || undefined, 'en-US');
  const rows = found.map((a) => [a.date, groupLabel(a.group), money(a.actual, a.currency), money(a.expected, a.currency), `${money(a.lo95, a.currency)} – ${money(a.hi95, a.currency)}`, `${a.difference >= 0 ? '+' : ''}${money(a.difference, a.currency)}`,
    a.contributors.slice(0, 2).map((c) => `${shortId(c.resourceId ?? c.skuId)} +${money(c.increase, a.currency)}`).join('; ')]);
  return `Anomalies since ${since} (outside the 95 % forecast band)\n\n${alignTable([['date', 'group', 'actual', 'expected', '95 % band', 'vs expected', 'top contributors'], null, ...rows], new Set([2, 3, 4, 5]))}\n`;
}

export default anomalies;
