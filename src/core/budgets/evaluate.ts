import type { CostRow, GroupKey, Period } from '../cost/model';
import { cloudOfProvider } from '../cost/tags';
import { FinOpsError } from '../errors';
import { cumulativeForecast, forecastDaily, forecastSum, type DailyValue, type Forecast, type KnownAmount } from '../forecast/forecast';
import { CHARGE_KEYS, seriesFromRows } from '../forecast/series';
import { addDays, daysBetween } from '../period';
import { budgetPeriodContaining, budgetPeriodLabel } from './periods';
import type { Budget, BudgetAlert, BudgetScope } from './schema';

/**
 * A budget against spend: actual to date, the forecast at the end of its period (the daily forecast of
 * src/core/forecast, with one-off charges added on their day), its status and when each alert threshold is or is
 * expected to be crossed. Pure: the caller queries the costs (see budgetQueryKeys) and says up to which day the
 * bill is complete.
 */

export type BudgetState = 'ok' | 'at-risk' | 'over';

export interface AlertStatus extends BudgetAlert {
  /** The threshold as an amount (amount × at / 100). */
  threshold: number;
  /** True when reached: spend so far for `on: actual`, spend expected at the end of the period for `on: forecast`. */
  crossed: boolean;
  /**
   * The day spend reached the threshold (on or before `asOf`), or is expected to (after it, on the forecast);
   * null when it is neither.
   */
  crossesOn: string | null;
  /** True when `crossesOn` is a forecast, not a day that happened. */
  expected: boolean;
  /** Identity of this threshold in this period, for "notify once per threshold per period": name|start|on|at. */
  key: string;
}

/** One day of the burn-down: spend to date (cumulative) until `asOf`, then the cumulative forecast and its bands. */
export interface BurnDownPoint {
  date: string;
  actual: number | null;
  forecast: number | null;
  lo80: number | null;
  hi80: number | null;
  lo95: number | null;
  hi95: number | null;
}

export interface BudgetStatus {
  name: string;
  scope: BudgetScope;
  /** The budget period, half-open, and its label ("2026-11", "2026-Q4", "2026"). */
  period: Period;
  periodLabel: string;
  amount: number;
  currency: string;
  /** The last day counted as actual (inclusive). */
  asOf: string;
  daysElapsed: number;
  daysInPeriod: number;
  /** Spend from the start of the period to `asOf`, one-off charges included. */
  actual: number;
  /** Expected spend at the end of the period (actual + the forecast of the remaining days), and its bands. */
  forecast: number;
  forecastLo80: number;
  forecastHi80: number;
  forecastLo95: number;
  forecastHi95: number;
  /** actual / amount × 100. */
  percent: number;
  /** forecast / amount × 100. */
  forecastPercent: number;
  /** over: actual above the amount; at-risk: forecast above it, or an alert threshold crossed; else ok. */
  status: BudgetState;
  /** The day spend crossed (or is expected to cross) the amount; null when not within the period. */
  crossesOn: string | null;
  alerts: AlertStatus[];
  /** The forecast model and why (empty when the period is over: nothing left to forecast). */
  model: string | null;
  note: string;
  burnDown: BurnDownPoint[];
}

/** Every key a query must group by so that any of these budgets can be matched and forecast in memory. */
export function budgetQueryKeys(budgets: readonly Budget[]): GroupKey[] {
  const keys = new Set<GroupKey>();
  for (const b of budgets) {
    if (b.scope?.provider) keys.add('ProviderName');
    if (b.scope?.service) keys.add('ServiceName');
    if (b.scope?.account) keys.add('SubAccountId');
    for (const tag of Object.keys(b.scope?.tag ?? {})) keys.add(`tag:${tag}`);
  }
  const out = [...keys, ...CHARGE_KEYS];
  if (out.length > 8) {
    throw new FinOpsError('input', `The budgets' scopes use ${keys.size} different keys; at most 6 can be evaluated together.`, {
      fix: 'Scope budgets by fewer tag keys, or evaluate them in several policy files.',
    });
  }
  return out;
}

/** True when a cost row's groups fall in a budget's scope (every condition holds; none = everything). */
export function matchesScope(groups: Readonly<Record<string, string | null>>, scope: BudgetScope | undefined): boolean {
  if (!scope) return true;
  if (scope.provider && !scope.provider.includes(cloudOfProvider(groups.ProviderName) as never)) return false;
  if (scope.service && !scope.service.includes(groups.ServiceName ?? '')) return false;
  if (scope.account && !scope.account.includes(groups.SubAccountId ?? '')) return false;
  for (const [key, values] of Object.entries(scope.tag ?? {})) {
    const v = groups[`tag:${key}`];
    if (v === null || v === undefined || !values.includes(v)) return false;
  }
  return true;
}

/** "Team=research, aws" — a scope in words. */
export function describeScope(scope: BudgetScope | undefined): string {
  if (!scope) return 'all spend';
  const parts = [
    ...Object.entries(scope.tag ?? {}).map(([k, v]) => `${k}=${v.join('|')}`),
    ...(scope.provider ? [scope.provider.join('|')] : []),
    ...(scope.service ? [scope.service.join('|')] : []),
    ...(scope.account ? [`account ${scope.account.join('|')}`] : []),
  ];
  return parts.length ? parts.join(', ') : 'all spend';
}

export interface BudgetEvaluationInput {
  budget: Budget;
  /** Daily cost rows grouped by budgetQueryKeys(…), covering the period and as much history before it as there is. */
  rows: readonly CostRow[];
  /** The last day the bill is complete for (inclusive); later days are forecast. */
  asOf: string;
  /** The first day the bill covers: days from it to `asOf` with no row in scope are $0. Default: the first row. */
  dataStart?: string;
  /** The period to evaluate (default: the budget's period holding `asOf`). */
  period?: Period;
}

/** Evaluates one budget. Refuses costs in another currency than the budget's: amounts are never converted. */
export function evaluateBudget(input: BudgetEvaluationInput): BudgetStatus {
  const { budget } = input;
  const period = input.period ?? budgetPeriodContaining(input.asOf, budget.period);
  const inScope = input.rows.filter((r) => matchesScope(r.groups, budget.scope));
  const currencies = [...new Set(inScope.filter((r) => r.cost !== 0).map((r) => r.currency))];
  const foreign = currencies.filter((c) => c !== budget.currency);
  if (foreign.length) {
    throw new FinOpsError('input', `Budget "${budget.name}" is in ${budget.currency}, but the bill's costs in its scope are in ${currencies.join(' and ')}: budgets are never converted between currencies.`, {
      fix: `Write the budget's amount in ${foreign[0]} (currency: ${foreign[0]}), or read a bill in ${budget.currency}.`,
    });
  }
  // the bill up to asOf: its first day, and the last day that counts as actual (never past the period)
  const firstRow = inScope.map((r) => r.period.slice(0, 10)).sort()[0];
  const dataStart = input.dataStart ?? firstRow ?? period.start;
  const lastDay = addDays(period.end, -1);
  const asOf = input.asOf < lastDay ? input.asOf : lastDay;
  const fill: Period = { start: dataStart < addDays(asOf, 1) ? dataStart : asOf, end: addDays(asOf, 1) };
  const upToAsOf = inScope.filter((r) => r.period.slice(0, 10) <= asOf);
  const [series] = seriesFromRows(upToAsOf.map((r) => ({ ...r, groups: { ChargeCategory: r.groups.ChargeCategory ?? null, ChargeFrequency: r.groups.ChargeFrequency ?? null }, currency: budget.currency })), [], fill);
  const recurring: DailyValue[] = series?.recurring ?? [];
  const known: KnownAmount[] = series?.known ?? [];

  const daysInPeriod = daysBetween(period.start, period.end);
  const daysElapsed = Math.max(0, Math.min(daysInPeriod, daysBetween(period.start, asOf) + 1));
  const daily = new Map<string, number>();
  for (const v of recurring) if (v.date >= period.start && v.date <= asOf) daily.set(v.date, (daily.get(v.date) ?? 0) + v.cost);
  for (const k of known) if (k.date >= period.start && k.date <= asOf) daily.set(k.date, (daily.get(k.date) ?? 0) + k.amount);

  const burnDown: BurnDownPoint[] = [];
  let actual = 0;
  for (let d = period.start; d <= asOf && d < period.end; d = addDays(d, 1)) {
    actual += daily.get(d) ?? 0;
    burnDown.push({ date: d, actual, forecast: null, lo80: null, hi80: null, lo95: null, hi95: null });
  }

  const remaining = daysBetween(asOf, lastDay);
  let forecast: Forecast | undefined;
  let note = '';
  let total = { mean: actual, lo80: actual, hi80: actual, lo95: actual, hi95: actual };
  if (remaining > 0) {
    const history = recurring.filter((v) => v.date <= asOf);
    if (history.length >= 2) {
      forecast = forecastDaily(history, { horizon: remaining });
      note = forecast.note;
      let last = total;
      // the running total from the first forecast day, or from the period's start when the bill ends before it
      const running = forecast.points[0]!.date >= period.start
        ? cumulativeForecast(forecast)
        : forecast.points.filter((p) => p.date >= period.start).map((p) => ({ date: p.date, ...forecastSum(forecast!, period.start, p.date) }));
      for (const c of running) {
        last = { mean: actual + c.mean, lo80: actual + c.lo80, hi80: actual + c.hi80, lo95: actual + c.lo95, hi95: actual + c.hi95 };
        burnDown.push({ date: c.date, actual: null, forecast: last.mean, lo80: last.lo80, hi80: last.hi80, lo95: last.lo95, hi95: last.hi95 });
      }
      total = last;
    } else {
      note = `Fewer than two days of cost in scope up to ${asOf}: no forecast, the period-end figure is spend so far.`;
    }
  } else {
    note = `The period ended on ${lastDay}: the forecast is what was spent.`;
  }

  const crossing = (threshold: number, onForecast: boolean): { day: string | null; expected: boolean } => {
    for (const p of burnDown) {
      if (p.actual !== null && p.actual >= threshold) return { day: p.date, expected: false };
      if (onForecast && p.forecast !== null && p.forecast >= threshold) return { day: p.date, expected: true };
    }
    return { day: null, expected: false };
  };
  const alerts: AlertStatus[] = (budget.alerts ?? []).map((a) => {
    const threshold = (budget.amount * a.at) / 100;
    const reached = a.on === 'actual' ? actual >= threshold : total.mean >= threshold;
    const c = crossing(threshold, a.on === 'forecast');
    return { ...a, threshold, crossed: reached, crossesOn: c.day, expected: c.expected, key: alertKey(budget.name, period, a) };
  });
  const status: BudgetState = actual > budget.amount ? 'over' : total.mean > budget.amount || alerts.some((a) => a.crossed) ? 'at-risk' : 'ok';
  const crossed = crossing(budget.amount, true);
  return {
    name: budget.name,
    scope: budget.scope ?? {},
    period,
    periodLabel: budgetPeriodLabel(period, budget.period),
    amount: budget.amount,
    currency: budget.currency,
    asOf,
    daysElapsed,
    daysInPeriod,
    actual,
    forecast: total.mean,
    forecastLo80: total.lo80,
    forecastHi80: total.hi80,
    forecastLo95: total.lo95,
    forecastHi95: total.hi95,
    percent: (100 * actual) / budget.amount,
    forecastPercent: (100 * total.mean) / budget.amount,
    status,
    crossesOn: crossed.day,
    alerts,
    model: forecast?.model ?? null,
    note,
    burnDown,
  };
}

/** The identity of one alert threshold in one period: notify once per key, remembered across restarts. */
export function alertKey(name: string, period: Period, alert: BudgetAlert): string {
  return `${name}|${period.start}|${alert.on}|${alert.at}`;
}

/** Worst first: over, then at-risk, then ok; within a state, the highest forecast percentage first. */
export function worstFirst(statuses: readonly BudgetStatus[]): BudgetStatus[] {
  const rank: Record<BudgetState, number> = { over: 0, 'at-risk': 1, ok: 2 };
  return [...statuses].sort((a, b) => rank[a.status] - rank[b.status] || b.forecastPercent - a.forecastPercent);
}
