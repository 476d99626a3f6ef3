import type { Period } from './cost/model';
import { FinOpsError } from './errors';

/**
 * The one period module: presets, date arithmetic on ISO days and how periods read, for the CLI, the extension
 * and the dashboard page (through src/shared/period.ts). Periods are half-open [start, end) in UTC days: billing
 * data is dated in UTC.
 */

/** The periods a user picks from. `custom` carries its own dates. */
export type PeriodPreset = 'last30Days' | 'monthToDate' | 'lastMonth' | 'custom';

export const PERIOD_PRESETS: readonly PeriodPreset[] = ['last30Days', 'monthToDate', 'lastMonth', 'custom'];

export interface PeriodChoice {
  preset: PeriodPreset;
  /** Only for `custom`: half-open [start, end) as ISO dates. */
  custom?: Period;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Every date a bill can hold: for "the whole file". */
export const ALL_TIME: Period = { start: '1970-01-01', end: '9999-12-31' };

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

function parseDay(value: string): number {
  if (!isIsoDate(value)) throw new FinOpsError('input', `"${value}" is not a date written YYYY-MM-DD.`, { fix: 'Use a date such as 2026-03-01.' });
  return Date.parse(`${value}T00:00:00Z`);
}

function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Adds whole days to an ISO date. */
export function addDays(date: string, days: number): string {
  return formatDay(parseDay(date) + days * DAY_MS);
}

/** Whole days between two ISO dates (end − start). */
export function daysBetween(start: string, end: string): number {
  return Math.round((parseDay(end) - parseDay(start)) / DAY_MS);
}

/** Today as an ISO date in UTC. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The last day a half-open period includes. */
export function lastDayOf(period: Period): string {
  return addDays(period.end, -1);
}

/**
 * The half-open period a choice stands for, on the day `today` (an ISO date; the last day that counts).
 * Last 30 days and month to date include `today`; last month is the whole previous calendar month.
 */
export function resolvePeriod(choice: PeriodChoice, today: string): Period {
  const t = parseDay(today);
  const tomorrow = formatDay(t + DAY_MS);
  switch (choice.preset) {
    case 'last30Days':
      return { start: formatDay(t - 29 * DAY_MS), end: tomorrow };
    case 'monthToDate':
      return { start: `${today.slice(0, 7)}-01`, end: tomorrow };
    case 'lastMonth': {
      const d = new Date(t);
      const start = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
      const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
      return { start: formatDay(start.getTime()), end: formatDay(end.getTime()) };
    }
    case 'custom': {
      if (!choice.custom) throw new FinOpsError('input', 'A custom period needs a start and an end date.', { fix: 'Pick the dates again.' });
      return validatePeriod(choice.custom);
    }
  }
}

/** Checks a period's dates and that it is not empty or longer than ten years. */
export function validatePeriod(period: Period): Period {
  const s = parseDay(period.start);
  const e = parseDay(period.end);
  if (e <= s) throw new FinOpsError('input', `The period ends (${period.end}) on or before it starts (${period.start}).`, { fix: 'Pick an end date after the start date.' });
  if (e - s > 3660 * DAY_MS) throw new FinOpsError('input', 'The period is longer than ten years.', { fix: 'Pick a shorter period.' });
  return { start: period.start, end: period.end };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function humanDay(ms: number, withYear: boolean): string {
  const d = new Date(ms);
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  return withYear ? `${day} ${d.getUTCFullYear()}` : day;
}

/** "1 – 30 Sep 2024" style range for a half-open period (the end shown is the last day included). */
export function formatPeriodRange(period: Period): string {
  const s = parseDay(period.start);
  const last = parseDay(period.end) - DAY_MS;
  if (last <= s) return humanDay(s, true);
  const sameYear = new Date(s).getUTCFullYear() === new Date(last).getUTCFullYear();
  return `${humanDay(s, !sameYear)} – ${humanDay(last, true)}`;
}

const PRESET_LABELS: Record<PeriodPreset, string> = {
  last30Days: 'Last 30 days',
  monthToDate: 'Month to date',
  lastMonth: 'Last month',
  custom: 'Custom period',
};

export function presetLabel(preset: PeriodPreset): string {
  return PRESET_LABELS[preset];
}

/** "Last 30 days (1 – 30 Sep 2024)": costs are never shown without their period. */
export function describePeriod(choice: PeriodChoice, period: Period): string {
  return `${presetLabel(choice.preset)} (${formatPeriodRange(period)})`;
}

/** "2024-09-01 – 2024-09-30" (the end shown inclusive), or "all dates": for logs and the CLI. */
export function describeDates(period: Period): string {
  if (period.start === ALL_TIME.start && period.end === ALL_TIME.end) return 'all dates';
  return `${period.start} – ${lastDayOf(period)}`;
}
