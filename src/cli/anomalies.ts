import { parseArgs } from 'node:util';
import { ANOMALY_DEFAULTS, parseSince } from '../core/anomaly/detect';
import { ANOMALY_HISTORY_DAYS, DEFAULT_ANOMALY_KEYS, scanAnomalies, type FoundAnomaly } from '../core/anomaly/scan';
import { parseGroupBy } from '../core/cost/query';
import { FinOpsError } from '../core/errors';
import { isIsoDate } from '../core/period';
import { formatMoney } from '../shared/format';
import { alignTable, cents, groupLabel, lastCoveredDay, openBill, readPolicyFile } from './bill';
import { billOptions, ExitCode, METRIC_CHOICES, oneOf, usageError, type CliIO, type Subcommand } from './io';

const usage = `Usage: mlfinops anomalies --focus PATH [options]

Days whose cost for a team, service or account is outside the 95 % band of a forecast fitted on the
${ANOMALY_HISTORY_DAYS} days before them (exponential smoothing with weekly seasonality, the model chosen by the
forecast's backtest), by at least --min-amount and --min-percent of the expected cost, and higher
than any day of the group's four weeks before; with the amount above expected and the resources and
SKUs that grew most against their usual daily cost over the week before. One-off charges
(purchases, credits, adjustments, one-time fees) are not examined. The VS Code extension shows the
same anomalies (dashboard, Resources view, notifications).

Options:
  --focus PATH        a bill: FOCUS or native export file, folder or glob; repeat for more (required)
  --since S           the first day examined: 14d (the bill's last 14 days, the default) or YYYY-MM-DD
  --until DAY         the last day examined, YYYY-MM-DD (default: the bill's last day)
  --group-by KEYS     one key per pass, comma-separated (default: ${DEFAULT_ANOMALY_KEYS.join(',')})
  --min-amount N      smallest difference from expected reported, in the bill's currency (default ${ANOMALY_DEFAULTS.minAmount})
  --min-percent P     smallest difference from expected reported, in percent of it (default ${ANOMALY_DEFAULTS.minPercent})
  --below             also report days below the band (spend that stopped)
  --metric M          EffectiveCost, BilledCost or ListCost (default: EffectiveCost)
  --format F          table or json (default: table)
  --policy FILE       the team policy giving tag names per cloud (default: .finops.yaml, if any)

JSON is an array, one object per anomalous day and group: group ({"tag:Team": "recsys"}), date,
actual, expected, lo95, hi95, aboveExpected (actual − expected), direction (above / below), model,
currency and contributors (up to 5: resourceId, skuId, cost, usual, increase). Amounts to the cent.

Exit codes: 0 success (with or without anomalies), 2 usage error or a bill that cannot be read,
3 a failure of the query engine.`;

function threshold(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw usageError(`--${name} must be a number of 0 or more (got "${text}")`);
  return n;
}

const anomalies: Subcommand = {
  summary: 'days outside the 95 % forecast band per team, service or account, with what grew',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        ...billOptions('table'),
        since: { type: 'string', default: '14d' },
        until: { type: 'string' },
        'group-by': { type: 'string', default: DEFAULT_ANOMALY_KEYS.join(',') },
        'min-amount': { type: 'string' },
        'min-percent': { type: 'string' },
        below: { type: 'boolean', default: false },
      },
    });
    const format = oneOf('format', values.format, ['table', 'json']);
    const metric = oneOf('metric', values.metric, METRIC_CHOICES);
    const keys = parseGroupBy(values['group-by']);
    if (!keys.length) throw usageError('--group-by needs at least one key');
    if (values.until !== undefined && !isIsoDate(values.until)) throw usageError(`--until must be a day written YYYY-MM-DD (got "${values.until}")`);
    const minAmount = threshold(values['min-amount'], 'min-amount');
    const minPercent = threshold(values['min-percent'], 'min-percent');
    const source = openBill(values.focus ?? [], io.cwd, await readPolicyFile(values.policy, io.cwd));
    let found: FoundAnomaly[];
    let since: string;
    try {
      const covered = await source.coverage();
      if (!covered) throw new FinOpsError('input', 'The bill has no cost rows.', { fix: 'Point --focus at a bill with at least three weeks of cost.' });
      const lastDay = lastCoveredDay(covered);
      since = parseSince(values.since, lastDay);
      const until = values.until ?? lastDay;
      if (until < since) throw usageError(`--until ${until} is before the first day examined (${since})`);
      const scan = await scanAnomalies((q, signal) => source.query(q, signal), {
        keys, metric, since, until, includeBelow: values.below,
        ...(minAmount !== undefined ? { minAmount } : {}), ...(minPercent !== undefined ? { minPercent } : {}),
      });
      for (const w of scan.warnings) io.stderr(`mlfinops anomalies: note: ${w}\n`);
      found = scan.anomalies;
      since = scan.since;
    } finally {
      source.dispose();
    }
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

/** The last segment of an ARN or resource path: what a table has room for (JSON keeps the full id). */
function shortId(id: string | null): string {
  if (!id) return '(none)';
  return id.split(/[/:]/).filter(Boolean).at(-1) ?? id;
}

function asTable(found: FoundAnomaly[], since: string): string {
  if (!found.length) return `No anomaly since ${since}.\n`;
  const money = (v: number, c: string) => formatMoney(v, c || undefined, 'en-US');
  const rows = found.map((a) => [a.date, groupLabel(a.group), money(a.actual, a.currency), money(a.expected, a.currency), `${money(a.lo95, a.currency)} – ${money(a.hi95, a.currency)}`, `${a.difference >= 0 ? '+' : ''}${money(a.difference, a.currency)}`,
    a.contributors.slice(0, 2).map((c) => `${shortId(c.resourceId ?? c.skuId)} +${money(c.increase, a.currency)}`).join('; ')]);
  return `Anomalies since ${since} (outside the 95 % forecast band)\n\n${alignTable([['date', 'group', 'actual', 'expected', '95 % band', 'vs expected', 'top contributors'], null, ...rows], new Set([2, 3, 4, 5]))}\n`;
}

export default anomalies;
