import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateSchedule, formatSchedule, parseSchedule, scheduleHours, suggestSchedule } from '../../../src/core/savings/schedule';
import { localTime, monthSpan, zonedToInstant } from '../../../src/core/savings/calendar';
import { isFinOpsError } from '../../../src/core/errors';
import { hourly, lessonSource } from './fixtures';

const near = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('12 hours a day instead of 24 saves 50 % of the 730-hour baseline, in any month', () => {
  for (const [year, month] of [[2026, 2], [2026, 4], [2026, 7]] as const) {
    const e = estimateSchedule({ schedule: parseSchedule('Daily 08:00-20:00 UTC'), year, month, hourlyRate: 3.06, instanceType: 'p3.2xlarge', source: lessonSource });
    near(e.savingFraction, 0.5);
    near(e.baselineMonthlyCost, 3.06 * 730, 0.005);
    near(e.monthlySaving, Math.round(3.06 * 730 / 2 * 100) / 100, 0.005);
  }
});

test('month lengths and DST: 743 h in a spring-forward March, 721 h in a fall-back November', () => {
  assert.equal(monthSpan(2026, 3, 'America/Los_Angeles').hours, 743);
  assert.equal(monthSpan(2026, 11, 'America/Los_Angeles').hours, 721);
  assert.equal(monthSpan(2026, 3, 'Europe/Berlin').hours, 743);
  assert.equal(monthSpan(2026, 10, 'Europe/Berlin').hours, 745);
  assert.equal(monthSpan(2026, 2, 'UTC').hours, 672);
  assert.equal(monthSpan(2028, 2, 'UTC').hours, 696);
  assert.equal(monthSpan(2026, 3, 'Asia/Kolkata').hours, 744, 'no DST');
});

test('a DST week: a Sunday-night window loses an hour on the spring-forward Sunday and gains one on the fall-back Sunday', () => {
  const s = parseSchedule('Sun 00:00-06:00 America/Los_Angeles');
  // March 2026 has five Sundays (1, 8, 15, 22, 29); on the 8th, 02:00 jumps to 03:00
  assert.equal(scheduleHours(s, 2026, 3).runningHours, 5 * 6 - 1);
  // November 2026 Sundays 1, 8, 15, 22, 29; on the 1st, 01:00-02:00 happens twice
  assert.equal(scheduleHours(s, 2026, 11).runningHours, 5 * 6 + 1);
  // Only the week of the change differs: one Sunday window in Europe/London across its 01:00 → 02:00 change
  const london = parseSchedule('Sun 00:00-03:00 Europe/London');
  assert.equal(scheduleHours(london, 2026, 3).runningHours, 5 * 3 - 1);
  assert.equal(scheduleHours(london, 2026, 10).runningHours, 3 * 3 + 4);
});

test('the lesson office hours in Los Angeles in March 2026: 22 weekdays × 11 h of 743 h, applied to the 730-hour baseline', () => {
  const e = estimateSchedule({ schedule: parseSchedule('Mon-Fri 08:00-19:00 America/Los_Angeles'), year: 2026, month: 3, hourlyRate: 3.06, instanceType: 'p3.2xlarge', source: lessonSource });
  assert.equal(e.inputs.runningHours, 22 * 11);
  assert.equal(e.inputs.monthHours, 743);
  assert.equal(e.inputs.baselineHours, 730);
  near(e.savingFraction, 501 / 743);
  near(e.baselineMonthlyCost, 3.06 * 730, 0.005);
  near(e.monthlySaving, Math.round(3.06 * 730 * (501 / 743) * 100) / 100, 0.005);
  assert.ok(e.assumptions.some((a) => /743 h/.test(a)));
  assert.ok(e.assumptions.some((a) => /baseline month of 730 instance-hours/.test(a)));
  assert.deepEqual(e.sources, [lessonSource]);
  // two instances: the share is the same, the money twice
  const two = estimateSchedule({ schedule: parseSchedule('Mon-Fri 08:00-19:00 America/Los_Angeles'), year: 2026, month: 3, hourlyRate: 3.06, instanceType: 'p3.2xlarge', baselineHours: 1460, source: lessonSource });
  near(two.monthlySaving, 2 * e.monthlySaving, 0.011);
});

test('windows past midnight, overlapping windows and whole days', () => {
  // Mon-Fri 22:00-06:00 UTC: 8 h per weekday start; in June 2026 (starts Monday) the last window (Tue 30th) spills into July
  const night = scheduleHours(parseSchedule('Mon-Fri 22:00-06:00 UTC'), 2026, 6);
  const weekdays = 22;
  // spill from Friday 29 May into Saturday 30 May is in May; June 30 (Tue) window runs 2 h inside June
  assert.equal(night.runningHours, weekdays * 8 - 6);
  assert.equal(scheduleHours(parseSchedule('Daily 00:00-24:00 Europe/London'), 2026, 3).runningHours, 743);
  const overlap = scheduleHours(parseSchedule('Mon 08:00-12:00; Mon 10:00-14:00 UTC'), 2026, 6);
  assert.equal(overlap.runningHours, 5 * 6, 'five Mondays in June 2026, overlap counted once');
  // A window starting on the last day of the previous month reaches into the 1st
  const spill = scheduleHours(parseSchedule('Sun 20:00-08:00 UTC'), 2026, 3);
  // Sundays in March 2026: 1, 8, 15, 22, 29 → 12 h each, the 29th runs to Monday 30th 08:00; Feb 22's ends in February
  assert.equal(spill.runningHours, 5 * 12);
});

test('schedules are parsed and printed back; bad schedules fail with invalidInput and a fix', () => {
  const s = parseSchedule('Mon-Fri 08:00-19:00 America/Los_Angeles');
  assert.deepEqual(s, { windows: [{ days: [1, 2, 3, 4, 5], start: 480, end: 1140 }], timeZone: 'America/Los_Angeles' });
  assert.equal(formatSchedule(s), 'Mon-Fri 08:00-19:00 America/Los_Angeles');
  assert.equal(formatSchedule(parseSchedule('Fri-Mon 09:00-17:00; Wed 10:00-11:00 Europe/Berlin')), 'Mon,Fri-Sun 09:00-17:00; Wed 10:00-11:00 Europe/Berlin');
  assert.equal(parseSchedule('08:00-20:00').timeZone, 'UTC');
  assert.deepEqual(parseSchedule('weekends 10:00-12:00 UTC').windows[0]?.days, [0, 6]);
  for (const bad of ['', 'Mon-Fri 08:00-19:00 Mars/Olympus', 'Funday 08:00-10:00 UTC', 'Mon 25:00-26:00 UTC', 'Mon 08:00-08:00 UTC', 'whenever']) {
    assert.throws(() => parseSchedule(bad), (e: unknown) => isFinOpsError(e, 'input') && Boolean(e.fix), bad);
  }
});

test('wall-clock conversion: gaps resolve after the jump, repeated times to their first occurrence', () => {
  assert.equal(new Date(zonedToInstant(2026, 3, 8, 150, 'America/Los_Angeles')).toISOString(), '2026-03-08T10:30:00.000Z');
  assert.equal(new Date(zonedToInstant(2026, 11, 1, 90, 'America/Los_Angeles')).toISOString(), '2026-11-01T08:30:00.000Z');
  assert.equal(new Date(zonedToInstant(2026, 7, 1, 0, 'Asia/Kolkata')).toISOString(), '2026-06-30T18:30:00.000Z');
  const t = localTime(Date.UTC(2026, 2, 8, 10, 30), 'America/Los_Angeles');
  assert.deepEqual([t.hour, t.minute, t.weekday], [3, 30, 0]);
});

test('a schedule suggested from an hourly idle pattern: office hours in the instance owner’s zone', () => {
  const zone = 'America/Los_Angeles';
  // 14 days from Monday 2 March 2026 00:00 UTC; busy 09:00-18:00 local on weekdays, idle otherwise (DST week included)
  const points = hourly(14 * 24, (_, t) => {
    const l = localTime(t.getTime(), zone);
    return l.weekday >= 1 && l.weekday <= 5 && l.hour >= 9 && l.hour < 18 ? 70 : 1;
  }, Date.UTC(2026, 2, 2));
  const s = suggestSchedule(points, { timeZone: zone });
  assert.ok(s);
  assert.equal(formatSchedule(s.schedule), 'Mon-Fri 09:00-18:00 America/Los_Angeles');
  assert.equal(s.observedHours, 336);
});

test('no suggestion from less than a week of data or from an instance busy around the clock', () => {
  assert.equal(suggestSchedule(hourly(100, () => 1), { timeZone: 'UTC' }), undefined);
  assert.equal(suggestSchedule([], { timeZone: 'UTC' }), undefined);
  assert.equal(suggestSchedule(hourly(336, () => 80), { timeZone: 'UTC' }), undefined);
  assert.throws(() => suggestSchedule(hourly(336, () => 1), { timeZone: 'Nowhere/City' }), (e: unknown) => isFinOpsError(e, 'input'));
});
