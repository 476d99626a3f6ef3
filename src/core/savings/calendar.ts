import { FinOpsError } from '../errors';

/**
 * Wall-clock time in IANA time zones on the real calendar, with Intl only: offsets come from the runtime's
 * time-zone database, so DST changes and month lengths are the real ones.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws FinOpsError('invalidInput') unless `timeZone` is an IANA zone the runtime knows; returns its canonical name. */
export function checkTimeZone(timeZone: string): string {
  try {
    return formatter(timeZone).resolvedOptions().timeZone;
  } catch {
    throw new FinOpsError('input', `Unknown time zone "${timeZone}".`, {
      fix: 'Use an IANA time zone name such as America/Los_Angeles, Europe/Berlin or UTC.',
    });
  }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

/** The wall-clock time of an instant in a zone. */
export function localTime(instantMs: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instantMs))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  };
}

/** The zone's UTC offset at an instant, in minutes (east positive). */
function offsetMinutes(instantMs: number, timeZone: string): number {
  const t = localTime(instantMs, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  return Math.round((asUtc - Math.floor(instantMs / MINUTE) * MINUTE) / MINUTE);
}

/**
 * The instant a wall-clock time occurs in a zone. Like Temporal's "compatible" disambiguation: a time skipped
 * by a spring-forward gap resolves to the same clock reading after the gap; a repeated time (fall back) to
 * its first occurrence. `minute` may be 1440 (24:00 = next day's 00:00); days past month end roll over.
 */
export function zonedToInstant(year: number, month: number, day: number, minuteOfDay: number, timeZone: string): number {
  const local = Date.UTC(year, month - 1, day) + minuteOfDay * MINUTE;
  const before = offsetMinutes(local - DAY, timeZone);
  const after = offsetMinutes(local + DAY, timeZone);
  const valid = [...new Set([before, after])]
    .map((off) => local - off * MINUTE)
    .filter((instant) => offsetMinutes(instant, timeZone) * MINUTE === local - instant);
  if (valid.length > 0) return Math.min(...valid);
  return local - before * MINUTE; // inside a gap: keep the earlier offset, landing after the gap
}

/** Days in a calendar month. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Day of the week of a calendar date (0 = Sunday). */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** [start, end) of a calendar month in a zone, as instants, and its length in hours (743 for a March with a spring-forward). */
export function monthSpan(year: number, month: number, timeZone: string): { start: number; end: number; hours: number } {
  const start = zonedToInstant(year, month, 1, 0, timeZone);
  const end = month === 12 ? zonedToInstant(year + 1, 1, 1, 0, timeZone) : zonedToInstant(year, month + 1, 1, 0, timeZone);
  return { start, end, hours: (end - start) / HOUR };
}

/** Parses "YYYY-MM". */
export function parseMonth(text: string): { year: number; month: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text.trim());
  if (!m) throw new FinOpsError('input', `"${text}" is not a month.`, { fix: 'Write the month as YYYY-MM, for example 2026-03.' });
  return { year: Number(m[1]), month: Number(m[2]) };
}

export function monthLabel(year: number, month: number): string {
  return new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, 1)));
}

export const weekdayNames = WEEKDAYS;
