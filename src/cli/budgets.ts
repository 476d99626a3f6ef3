import { parseArgs } from 'node:util';
import { describeScope, type BudgetStatus } from '../core/budgets/evaluate';
import type { Budget } from '../core/budgets/schema';
import { FinOpsError } from '../core/errors';
import { addDays } from '../core/period';
import { formatMoney } from '../shared/format';
import { alignTable, cents, openBill, readPolicyFile, refuseSectionErrors } from './bill';
import { ExitCode, monthOption, oneOf, requiredFocus, type CliIO, type Subcommand } from './io';
import { evaluateBudgetsAsOf } from '../core/showback/monthly';
import type { FocusFileSource } from '../providers/focus/focusFileSource';

const usage = `Usage: mlfinops budgets --focus PATH [options]

The budgets of .finops.yaml against a bill: spend to date, the forecast at the end of each budget's
period (month, quarter or year), the percentage used and a status: ok, at-risk (the forecast is above
the amount, or an alert threshold is crossed) or over (spend to date is above the amount).
The last day of the bill is "today": later days of the period are forecast.

Options:
  --focus PATH          a bill: FOCUS or native export file, folder or glob; repeat for more (required)
  --policy FILE         the policy file with the budgets (default: .finops.yaml)
  --month YYYY-MM       evaluate the period holding this month (default: the month of the bill's last day)
  --format F            table or json (default: table)
  --fail-on WHAT        exit 1 when a budget is over on its forecast (forecast) or on spend to date (actual)

JSON is an array, one object per budget: name, period, actual, forecast, forecastLow/forecastHigh
(the 80 % interval of the period total), amount, currency, percent (actual / amount × 100),
forecastPercent, status (ok, at-risk, over), crossesOn (the day the amount was or is expected to be
crossed, or null), alerts (each {at, on, threshold, crossed, crossesOn, expected}), model and note.
Amounts are rounded to the cent, percentages to 0.1. A budget in another currency than the bill is
refused: amounts are never converted.

Exit codes: 0 success, 1 a budget over at --fail-on, 2 usage error or a policy or bill that cannot be
read, 3 a failure of the query engine.`;

function statusJson(s: BudgetStatus) {
  return {
    name: s.name,
    scope: describeScope(s.scope),
    period: s.periodLabel,
    asOf: s.asOf,
    actual: cents(s.actual),
    forecast: cents(s.forecast),
    forecastLow: cents(s.forecastLo80),
    forecastHigh: cents(s.forecastHi80),
    amount: s.amount,
    currency: s.currency,
    percent: Math.round(s.percent * 10) / 10,
    forecastPercent: Math.round(s.forecastPercent * 10) / 10,
    status: s.status,
    crossesOn: s.crossesOn,
    alerts: s.alerts.map((a) => ({ at: a.at, on: a.on, threshold: cents(a.threshold), crossed: a.crossed, crossesOn: a.crossesOn, expected: a.expected })),
    model: s.model,
    note: s.note,
  };
}

function asTable(statuses: BudgetStatus[]): string {
  const money = (v: number, c: string) => formatMoney(v, c, 'en-US');
  const rows = statuses.map((s) => [
    s.name, describeScope(s.scope), s.periodLabel, money(s.actual, s.currency), money(s.forecast, s.currency), money(s.amount, s.currency),
    `${s.percent.toFixed(1)} %`, `${s.forecastPercent.toFixed(1)} %`, s.status, s.crossesOn ?? '',
  ]);
  const table = alignTable([['budget', 'scope', 'period', 'actual', 'forecast', 'amount', 'used', 'forecast %', 'status', 'crosses on'], null, ...rows], new Set([3, 4, 5, 6, 7]));
  const asOf = statuses[0]?.asOf;
  return `Budgets${asOf ? ` as of ${asOf} (the bill's last day)` : ''}\n\n${table}\n`;
}

/**
 * Evaluates budgets against a bill: one daily query per cost metric, grouped by every key the scopes use. The
 * bill's last day is "today"; `month` (YYYY-MM) picks the period holding it (default: the bill's last month).
 */
export async function evaluateBudgets(source: FocusFileSource, list: readonly Budget[], month: string | undefined, io: CliIO): Promise<BudgetStatus[]> {
  const covered = await source.coverage();
  if (!covered) throw new FinOpsError('input', 'The bill has no cost rows.', { fix: 'Point --focus at a bill with cost rows.' });
  const lastDay = addDays(covered.end, -1);
  // the evaluation the showback report (CLI and extension) uses too
  const { statuses, notes } = await evaluateBudgetsAsOf((q, signal) => source.query(q, signal), list, { monthDay: month ? `${month}-01` : lastDay, lastDay, dataStart: covered.start });
  for (const n of notes) io.stderr(`mlfinops: note: ${n}\n`);
  return statuses;
}

const budgets: Subcommand = {
  summary: 'budgets of .finops.yaml: actual, forecast and status (ok / at-risk / over) for CI',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        focus: { type: 'string', multiple: true },
        policy: { type: 'string' },
        month: { type: 'string' },
        format: { type: 'string', default: 'table' },
        'fail-on': { type: 'string' },
      },
    });
    const format = oneOf('format', values.format, ['table', 'json']);
    const failOn = values['fail-on'] === undefined ? undefined : oneOf('fail-on', values['fail-on'], ['forecast', 'actual']);
    const month = monthOption(values.month);
    const focus = requiredFocus(values.focus);
    const loaded = await readPolicyFile(values.policy ?? '.finops.yaml', io.cwd).catch((e: unknown) => {
      if (values.policy === undefined) throw new FinOpsError('usage', 'There is no .finops.yaml here to read budgets from.', { fix: 'Run in the folder holding .finops.yaml, or give --policy FILE.' });
      throw e;
    });
    refuseSectionErrors(loaded, ['budgets']);
    const list: Budget[] = loaded.budgets ?? [];
    if (!list.length) throw new FinOpsError('usage', `${values.policy ?? '.finops.yaml'} has no budgets.`, { fix: 'Add a budgets: section (see mlfinops budgets --help and the README).' });

    const source = openBill(focus, io.cwd, loaded);
    let statuses: BudgetStatus[];
    try {
      statuses = await evaluateBudgets(source, list, month, io);
    } finally {
      source.dispose();
    }
    for (const s of statuses) if (s.note) io.stderr(`mlfinops budgets: ${s.name}: ${s.note}\n`);
    if (format === 'json') io.stdout(`${JSON.stringify(statuses.map(statusJson), null, 2)}\n`);
    else io.stdout(asTable(statuses));
    const failing = failOn === 'actual' ? statuses.filter((s) => s.actual > s.amount) : failOn === 'forecast' ? statuses.filter((s) => s.forecast > s.amount) : [];
    for (const s of failing) io.stderr(`mlfinops budgets: ${s.name} is over its ${formatMoney(s.amount, s.currency, 'en-US')} budget on ${failOn}: ${formatMoney(failOn === 'actual' ? s.actual : s.forecast, s.currency, 'en-US')}\n`);
    return failing.length ? ExitCode.findings : ExitCode.ok;
  },
};

export default budgets;
