import type { CostQuery } from '../core/cost/model';
import { FinOpsError } from '../core/errors';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function valid(date: string): boolean {
  if (!ISO_DATE.test(date)) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

/** Refuses a query whose period is not two real ISO dates with start < end, before any request is made. */
export function checkPeriod(query: CostQuery, source: string): void {
  const { start, end } = query.period;
  if (!valid(start) || !valid(end) || start >= end) {
    throw new FinOpsError('input', `${source}: the period ${start} – ${end} is not a valid range of ISO dates (YYYY-MM-DD, start before end).`, { fix: 'Pick a period whose first day comes before its end.' });
  }
}
