import { FinOpsError } from '../errors';
import type { Schedule } from '../savings/schedule';

/**
 * A schedule as a week of wall-clock minutes in its zone: which minutes run, the hours a week that makes, and the
 * start / stop transitions the clouds' schedulers need (one per time of day, on the days it happens). Windows that
 * overlap or touch merge; a window past midnight stops on the next day.
 */

const WEEK = 7 * 1440;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One kind of transition at one time of day, on some days (0 = Sunday … 6 = Saturday, in the schedule's zone). */
export interface Transition {
  action: 'start' | 'stop';
  /** Minutes from local midnight, 0 … 1439. */
  minute: number;
  days: number[];
}

/** Which minutes of the week (Sunday 00:00 = 0) the schedule runs. */
export function runningMinutes(schedule: Schedule): Uint8Array {
  const week = new Uint8Array(WEEK);
  for (const w of schedule.windows) {
    const length = w.end > w.start ? w.end - w.start : 1440 - w.start + w.end;
    for (const d of w.days) {
      const from = d * 1440 + w.start;
      for (let m = 0; m < length; m++) week[(from + m) % WEEK] = 1;
    }
  }
  return week;
}

/** Hours a week the schedule runs (wall-clock; a DST change week differs by an hour, which the monthly figure counts). */
export function runningHoursPerWeek(schedule: Schedule): number {
  let n = 0;
  for (const m of runningMinutes(schedule)) n += m;
  return n / 60;
}

/** The week's start and stop transitions, grouped by time of day (starts first, then stops, each by time). */
export function transitions(schedule: Schedule): Transition[] {
  const week = runningMinutes(schedule);
  const byKey = new Map<string, Transition>();
  for (let m = 0; m < WEEK; m++) {
    const before = week[(m - 1 + WEEK) % WEEK];
    const now = week[m];
    if (before === now) continue;
    const action = now ? 'start' : 'stop';
    const minute = m % 1440;
    const key = `${action}@${minute}`;
    const t = byKey.get(key) ?? { action, minute, days: [] };
    t.days.push(Math.floor(m / 1440));
    byKey.set(key, t);
  }
  const list = [...byKey.values()];
  if (!list.some((t) => t.action === 'stop')) {
    throw new FinOpsError('input', 'The schedule runs around the clock, so there is nothing to stop.', { fix: 'Give running hours that leave the instance stopped some of the week, e.g. "Mon-Fri 08:00-19:00 Europe/Berlin".' });
  }
  return list.sort((a, b) => Number(a.action === 'stop') - Number(b.action === 'stop') || a.minute - b.minute);
}

/** "08:00" */
export function clockText(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Consecutive runs of days, Sunday first: [1,2,3,4,5] → [[1,5]]; [0,6] → [[0,0],[6,6]]. */
function dayRuns(days: readonly number[]): Array<[number, number]> {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const runs: Array<[number, number]> = [];
  for (const d of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[1] + 1 === d) last[1] = d;
    else runs.push([d, d]);
  }
  return runs;
}

function dayField(days: readonly number[], name: (d: number) => string, all: string): string {
  if (new Set(days).size === 7) return all;
  return dayRuns(days).map(([a, b]) => (a === b ? name(a) : b === a + 1 ? `${name(a)},${name(b)}` : `${name(a)}-${name(b)}`)).join(',');
}

/** EventBridge Scheduler's cron: `cron(0 19 ? * MON-FRI *)` (minutes hours day-of-month month day-of-week year). */
export function eventBridgeCron(t: Transition): string {
  return `cron(${t.minute % 60} ${Math.floor(t.minute / 60)} ? * ${dayField(t.days, (d) => DAY_NAMES[d] ?? '', '*')} *)`;
}

/** Unix cron, as Compute Engine instance schedules take it: `0 19 * * 1-5` (day of week 0 = Sunday). */
export function unixCron(t: Transition): string {
  return `${t.minute % 60} ${Math.floor(t.minute / 60)} * * ${dayField(t.days, String, '*')}`;
}

/** "Mon-Fri", "Sun,Sat", "every day". */
export function daysLabel(days: readonly number[]): string {
  if (new Set(days).size === 7) return 'every day';
  const title = (d: number) => (DAY_NAMES[d] ?? '').charAt(0) + (DAY_NAMES[d] ?? '').slice(1).toLowerCase();
  return dayField(days, title, 'every day');
}

/** "stop at 19:00 Mon-Fri" */
export function transitionLabel(t: Transition): string {
  return `${t.action} at ${clockText(t.minute)} ${daysLabel(t.days)}`;
}
