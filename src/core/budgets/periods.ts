import type { Period } from '../cost/model';
import { FinOpsError } from '../errors';
import { isIsoDate } from '../period';
import type { BudgetPeriod } from './schema';

/**
 * Budget periods: calendar months, quarters and years, half-open [start, end) in the UTC days bills are dated in.
 * The time zone only decides which period is the current one: at 23:30 UTC on 31 October it is already 1 November
 * in Tokyo, so a Tokyo team's monthly budget is November's.
 */

function ymd(y: number, m: number, d: number): string {
  return new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);
}

/** The budget period that holds an ISO day. */
export function budgetPeriodContaining(day: string, period: BudgetPeriod): Period {
  if (!isIsoDate(day)) throw new FinOpsError('input', `"${day}" is not a date written YYYY-MM-DD.`, { fix: 'Use a date such as 2026-11-15.' });
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1;
  switch (period) {
    case 'monthly': return { start: ymd(y, m, 1), end: ymd(y, m + 1, 1) };
    case 'quarterly': {
      const q = Math.floor(m / 3) * 3;
      return { start: ymd(y, q, 1), end: ymd(y, q + 3, 1) };
    }
    case 'annual': return { start: ymd(y, 0, 1), end: ymd(y + 1, 0, 1) };
  }
}

/** "2026-11", "2026-Q4" or "2026". */
export function budgetPeriodLabel(period: Period, kind: BudgetPeriod): string {
  const y = period.start.slice(0, 4);
  if (kind === 'monthly') return period.start.slice(0, 7);
  if (kind === 'quarterly') return `${y}-Q${Math.floor((Number(period.start.slice(5, 7)) - 1) / 3) + 1}`;
  return y;
}

/** The calendar day of an instant in an IANA time zone (UTC when none is given). */
export function localDay(now: Date, timeZone = 'UTC'): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  } catch {
    throw new FinOpsError('input', `"${timeZone}" is not a time zone.`, { fix: 'Use an IANA time zone such as Europe/Berlin or America/Los_Angeles.' });
  }
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The period a budget is in at an instant, in its time zone. */
export function currentBudgetPeriod(budget: { period: BudgetPeriod; timeZone?: string | undefined }, now: Date): Period {
  return budgetPeriodContaining(localDay(now, budget.timeZone), budget.period);
}
