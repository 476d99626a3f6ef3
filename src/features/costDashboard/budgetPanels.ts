import { describeScope, type BudgetStatus } from '../../core/budgets/evaluate';
import type { BudgetPanel } from '../../shared/protocol';

/** A budget's status as the dashboard's budget panel draws it (the burn-down as columns, one entry per day). */
export function budgetPanel(s: BudgetStatus): BudgetPanel {
  const points = s.burnDown;
  return {
    name: s.name,
    scope: describeScope(s.scope),
    periodLabel: s.periodLabel,
    period: { start: s.period.start, end: s.period.end },
    asOf: s.asOf,
    amount: s.amount,
    currency: s.currency,
    actual: s.actual,
    forecast: s.forecast,
    forecastLo80: s.forecastLo80,
    forecastHi80: s.forecastHi80,
    forecastLo95: s.forecastLo95,
    forecastHi95: s.forecastHi95,
    percent: s.percent,
    forecastPercent: s.forecastPercent,
    status: s.status,
    crossesOn: s.crossesOn,
    model: s.model,
    note: s.note,
    alerts: s.alerts.map((a) => ({ at: a.at, on: a.on, crossed: a.crossed, crossesOn: a.crossesOn, expected: a.expected })),
    burnDown: {
      dates: points.map((p) => p.date),
      // the forecast line starts where the actual ends, so the two read as one line
      actual: points.map((p) => p.actual),
      forecast: points.map((p, i) => p.forecast ?? (p.actual !== null && points[i + 1]?.actual === null ? p.actual : null)),
      lo80: points.map((p, i) => p.lo80 ?? (p.actual !== null && points[i + 1]?.actual === null ? p.actual : null)),
      hi80: points.map((p, i) => p.hi80 ?? (p.actual !== null && points[i + 1]?.actual === null ? p.actual : null)),
      lo95: points.map((p, i) => p.lo95 ?? (p.actual !== null && points[i + 1]?.actual === null ? p.actual : null)),
      hi95: points.map((p, i) => p.hi95 ?? (p.actual !== null && points[i + 1]?.actual === null ? p.actual : null)),
    },
  };
}
