import { FinOpsError } from '../errors';
import type { MetricPoint } from '../sources';
import { HOURS_PER_MONTH, type PriceSourceRef } from '../pricing/model';
import { checkTimeZone, daysInMonth, localTime, monthLabel, monthSpan, weekdayNames, weekdayOf, zonedToInstant } from './calendar';
import { cents, fraction, perHour, type SavingsEstimate } from './estimate';
import { hourlyPercentSeries } from './stats';

/**
 * Auto-shutdown schedules: when an instance runs, in a time zone. Hours are counted on the real calendar,
 * so a month's length and its DST change (743 h in a spring-forward March, 721 h in a fall-back November)
 * are the real ones.
 */

/** One running window on some weekdays. Minutes from local midnight; `end` ≤ `start` runs past midnight. */
interface ScheduleWindow {
  /** 0 = Sunday … 6 = Saturday */
  days: number[];
  start: number;
  end: number;
}

export interface Schedule {
  windows: ScheduleWindow[];
  timeZone: string;
}

const DAY_ALIASES: Record<string, number[]> = {
  daily: [0, 1, 2, 3, 4, 5, 6],
  everyday: [0, 1, 2, 3, 4, 5, 6],
  weekdays: [1, 2, 3, 4, 5],
  weekends: [0, 6],
};

function dayIndex(token: string): number {
  const i = weekdayNames.findIndex((d) => d.toLowerCase() === token.slice(0, 3).toLowerCase());
  if (i < 0 || token.length < 3) throw new FinOpsError('input', `"${token}" is not a day of the week.`, { fix: 'Use Mon, Tue, Wed, Thu, Fri, Sat, Sun, ranges such as Mon-Fri, or "Daily".' });
  return i;
}

function parseDays(text: string): number[] {
  const days = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const alias = DAY_ALIASES[part.toLowerCase().replace(/\s+/g, '')];
    if (alias) { alias.forEach((d) => days.add(d)); continue; }
    const range = /^([A-Za-z]+)\s*-\s*([A-Za-z]+)$/.exec(part);
    if (range) {
      const from = dayIndex(range[1] ?? '');
      const to = dayIndex(range[2] ?? '');
      for (let d = from; ; d = (d + 1) % 7) { days.add(d); if (d === to) break; } // Fri-Mon wraps
    } else {
      days.add(dayIndex(part));
    }
  }
  return [...days].sort((a, b) => a - b);
}

function parseClock(h: string, m: string, text: string): number {
  const minutes = Number(h) * 60 + Number(m);
  if (Number(m) > 59 || minutes > 1440) throw new FinOpsError('input', `"${text}": ${h}:${m} is not a time of day.`, { fix: 'Use 24-hour times from 00:00 to 24:00.' });
  return minutes;
}

/**
 * Parses "Mon-Fri 08:00-19:00 America/Los_Angeles" (running hours; the instance is stopped outside them).
 * Several windows are separated by ";" ("Mon-Fri 08:00-19:00; Sat 10:00-14:00 Europe/Berlin"); the time zone
 * comes last and defaults to `defaultTimeZone` (UTC); days default to every day.
 */
export function parseSchedule(text: string, defaultTimeZone = 'UTC'): Schedule {
  const trimmed = text.trim();
  if (!trimmed) throw new FinOpsError('input', 'The schedule is empty.', { fix: 'Write it as "Mon-Fri 08:00-19:00 America/Los_Angeles".' });
  const tzMatch = /\s+([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+|UTC|GMT|Etc\/[A-Za-z0-9+-]+)\s*$/.exec(` ${trimmed}`);
  const timeZone = checkTimeZone(tzMatch?.[1] ?? defaultTimeZone);
  const body = tzMatch ? ` ${trimmed}`.slice(0, tzMatch.index).trim() : trimmed;
  const windows: ScheduleWindow[] = [];
  for (const segment of body.split(';').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(.*?)\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(segment);
    // "… 08:00-19:00 Berlin": a last word that is no IANA zone is named as such
    const zoneLike = /\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s+(\S+)$/.exec(segment);
    if (!m && zoneLike) checkTimeZone(zoneLike[1] ?? '');
    if (!m) throw new FinOpsError('input', `Cannot read the schedule "${segment}".`, { fix: 'Write it as "Mon-Fri 08:00-19:00 America/Los_Angeles" (days, running hours, time zone).' });
    const start = parseClock(m[2] ?? '', m[3] ?? '', segment);
    const end = parseClock(m[4] ?? '', m[5] ?? '', segment);
    if (start === end || start === 1440) throw new FinOpsError('input', `"${segment}" has an empty running window.`, { fix: 'Use different start and end times, or 00:00-24:00 for the whole day.' });
    windows.push({ days: m[1]?.trim() ? parseDays(m[1]) : DAY_ALIASES.daily ?? [], start, end });
  }
  if (windows.length === 0) throw new FinOpsError('input', `The schedule "${text}" has no running hours.`, { fix: 'Write it as "Mon-Fri 08:00-19:00 America/Los_Angeles".' });
  return { windows, timeZone };
}

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function daysText(days: number[]): string {
  if (days.length === 7) return 'Daily';
  // runs of consecutive days, Monday first
  const order = [1, 2, 3, 4, 5, 6, 0].filter((d) => days.includes(d));
  const runs: number[][] = [];
  for (const d of order) {
    const last = runs[runs.length - 1];
    const prev = last?.[last.length - 1];
    if (last && prev !== undefined && (prev + 1) % 7 === d && d !== 1) last.push(d);
    else runs.push([d]);
  }
  return runs.map((r) => (r.length > 2 ? `${weekdayNames[r[0] ?? 0]}-${weekdayNames[r[r.length - 1] ?? 0]}` : r.map((d) => weekdayNames[d]).join(','))).join(',');
}

export function formatSchedule(s: Schedule): string {
  return `${s.windows.map((w) => `${daysText(w.days)} ${clock(w.start)}-${clock(w.end === 1440 ? 1440 : w.end)}`).join('; ')} ${s.timeZone}`;
}

const hoursMemo = new Map<string, { runningHours: number; monthHours: number }>();

/**
 * Running and total hours of a schedule in one calendar month (local to the schedule's zone). Remembered per
 * schedule and month (a few dozen), since every code lens of a file plans with the same schedule.
 */
export function scheduleHours(schedule: Schedule, year: number, month: number): { runningHours: number; monthHours: number } {
  const key = `${JSON.stringify(schedule)}|${year}-${month}`;
  const known = hoursMemo.get(key);
  if (known) return known;
  const answer = computeScheduleHours(schedule, year, month);
  if (hoursMemo.size >= 64) hoursMemo.delete(hoursMemo.keys().next().value ?? '');
  hoursMemo.set(key, answer);
  return answer;
}

function computeScheduleHours(schedule: Schedule, year: number, month: number): { runningHours: number; monthHours: number } {
  const span = monthSpan(year, month, schedule.timeZone);
  const intervals: Array<[number, number]> = [];
  // The day before the month too: a window running past midnight spills into the 1st.
  for (let day = 0; day <= daysInMonth(year, month); day++) {
    const weekday = weekdayOf(year, month, day); // day 0 = last day of the previous month
    for (const w of schedule.windows) {
      if (!w.days.includes(weekday)) continue;
      const from = zonedToInstant(year, month, day, w.start, schedule.timeZone);
      const to = zonedToInstant(year, month, w.end <= w.start ? day + 1 : day, w.end, schedule.timeZone);
      const a = Math.max(from, span.start);
      const b = Math.min(to, span.end);
      if (b > a) intervals.push([a, b]);
    }
  }
  intervals.sort((x, y) => x[0] - y[0]);
  let running = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of intervals) {
    if (a > curEnd) {
      if (curEnd > curStart) running += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else {
      curEnd = Math.max(curEnd, b);
    }
  }
  if (curEnd > curStart) running += curEnd - curStart;
  return { runningHours: running / 3_600_000, monthHours: span.hours };
}

interface ScheduleInput {
  schedule: Schedule;
  year: number;
  month: number;
  /** The rate the instance is billed at while running (on-demand), per hour. */
  hourlyRate: number;
  instanceType: string;
  /**
   * The estimate's baseline: instance-hours a month when always on (730 per instance, HOURS_PER_MONTH). The
   * schedule's share of hours off is measured on the real calendar month and applied to this baseline, so the
   * schedule's figures agree with every other figure of the estimate. Default: one instance, 730 h.
   */
  baselineHours?: number;
  source: PriceSourceRef;
  /** Text for the option, when the schedule was suggested rather than given. */
  suggestedFrom?: string;
}

/**
 * Saving of stopping an always-on instance outside the schedule's hours. The share of hours the schedule runs
 * comes from the real calendar month (its length and DST change); money is that share of the baseline month.
 */
export function estimateSchedule(input: ScheduleInput): SavingsEstimate {
  const { runningHours, monthHours } = scheduleHours(input.schedule, input.year, input.month);
  const baselineHours = input.baselineHours ?? HOURS_PER_MONTH;
  const runningShare = monthHours > 0 ? runningHours / monthHours : 1;
  const baseline = baselineHours * input.hourlyRate;
  const cost = baseline * runningShare;
  const text = formatSchedule(input.schedule);
  const month = monthLabel(input.year, input.month);
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return {
    kind: 'schedule',
    option: `${input.suggestedFrom ? 'Suggested schedule' : 'Schedule'}: run ${text}`,
    status: 'ok',
    baselineMonthlyCost: cents(baseline),
    monthlyCost: cents(cost),
    monthlySaving: cents(baseline - cost),
    savingFraction: fraction(baseline - cost, baseline),
    assumptions: [
      `${month} in ${input.schedule.timeZone} has ${monthHours} h; the schedule runs ${r2(runningHours)} h of them (${(runningShare * 100).toFixed(1)} %) and stops the instance for ${r2(monthHours - runningHours)} h.`,
      `That share is applied to the estimate's baseline month of ${baselineHours} instance-hours at ${perHour(input.hourlyRate)} on-demand: ${r2(baselineHours * runningShare)} running hours instead of ${baselineHours}.`,
      'Stopped instances still pay for their attached disks (EBS, persistent disks), which are not counted here.',
      ...(input.suggestedFrom ? [input.suggestedFrom] : []),
    ],
    inputs: {
      instanceType: input.instanceType, schedule: text, month: `${input.year}-${String(input.month).padStart(2, '0')}`, hourlyRate: input.hourlyRate,
      runningHours: r2(runningHours), monthHours, runningShare: +runningShare.toFixed(6), baselineHours,
    },
    sources: [input.source],
  };
}

interface IdlePatternOptions {
  timeZone: string;
  /** Utilisation (percent) at or below which an hour counts as idle. Default 5. */
  idleThreshold?: number;
  /** Share of observations of an hour-of-week slot that must be idle for the slot to be switched off. Default 0.9. */
  idleShare?: number;
}

/**
 * A schedule from an hourly utilisation pattern (CloudWatch CPU or GPU): each weekday runs from its first to its
 * last busy hour; a weekday idle in every observed week is switched off. Needs a full week of data; returns
 * undefined when there is less, or when the instance is busy around the clock.
 */
export function suggestSchedule(points: readonly MetricPoint[], options: IdlePatternOptions): { schedule: Schedule; observedHours: number } | undefined {
  const timeZone = checkTimeZone(options.timeZone);
  const threshold = options.idleThreshold ?? 5;
  const share = options.idleShare ?? 0.9;
  const series = hourlyPercentSeries(points);
  if (series.length < 168) return undefined;
  const slots = Array.from({ length: 7 * 24 }, () => ({ idle: 0, total: 0 }));
  for (const p of series) {
    const t = localTime(Date.parse(p.timestamp), timeZone);
    const slot = slots[t.weekday * 24 + t.hour];
    if (!slot) continue;
    slot.total++;
    if (p.value <= threshold) slot.idle++;
  }
  const byWindow = new Map<string, ScheduleWindow>();
  let offSlots = 0;
  for (let day = 0; day < 7; day++) {
    const busy: number[] = [];
    for (let h = 0; h < 24; h++) {
      const s = slots[day * 24 + h];
      // an hour never observed counts as busy: keep it running
      if (!s || s.total === 0 || s.idle / s.total < share) busy.push(h);
    }
    offSlots += 24 - (busy.length ? (busy[busy.length - 1] ?? 0) - (busy[0] ?? 0) + 1 : 0);
    if (busy.length === 0) continue;
    const start = (busy[0] ?? 0) * 60;
    const end = ((busy[busy.length - 1] ?? 23) + 1) * 60;
    const key = `${start}-${end}`;
    const w = byWindow.get(key);
    if (w) w.days.push(day);
    else byWindow.set(key, { days: [day], start, end });
  }
  if (offSlots === 0 || byWindow.size === 0) return undefined;
  const windows = [...byWindow.values()].sort((a, b) => b.days.length - a.days.length || a.start - b.start);
  return { schedule: { windows, timeZone }, observedHours: series.length };
}
