import type { Period } from './model';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

export function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return toIsoDate(d);
}

/** Every date a bill can hold: for "the whole file". */
export const ALL_TIME: Period = { start: '1970-01-01', end: '9999-12-31' };

export type PeriodSetting = 'last30Days' | 'monthToDate' | 'lastMonth';

/** The half-open period a `mlFinops.cost.period` setting names, as of `now` (UTC days). */
export function periodFor(setting: PeriodSetting, now: Date = new Date()): Period {
  const today = toIsoDate(now);
  const firstOfMonth = `${today.slice(0, 7)}-01`;
  switch (setting) {
    case 'last30Days':
      return { start: addDays(today, -29), end: addDays(today, 1) };
    case 'monthToDate':
      return { start: firstOfMonth, end: addDays(today, 1) };
    case 'lastMonth': {
      const d = new Date(`${firstOfMonth}T00:00:00Z`);
      d.setUTCMonth(d.getUTCMonth() - 1);
      return { start: toIsoDate(d), end: firstOfMonth };
    }
  }
}

/** "2024-09-01 – 2024-09-30" (the end shown inclusive), or "all dates". */
export function describePeriod(period: Period): string {
  if (period.start === ALL_TIME.start && period.end === ALL_TIME.end) return 'all dates';
  return `${period.start} – ${addDays(period.end, -1)}`;
}
