import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePeriod, describePeriod, addDays, daysBetween, isIsoDate, validatePeriod, formatPeriodRange } from '../../../src/core/period';
import { isFinOpsError } from '../../../src/core/errors';

test('last 30 days covers 30 days ending with today, half-open', () => {
  for (const today of ['2026-03-01', '2024-02-29', '2026-12-31', '2026-01-15']) {
    const p = resolvePeriod({ preset: 'last30Days' }, today);
    assert.equal(daysBetween(p.start, p.end), 30, today);
    assert.equal(addDays(p.end, -1), today);
  }
});

test('month to date starts on the 1st and includes today', () => {
  assert.deepEqual(resolvePeriod({ preset: 'monthToDate' }, '2026-03-17'), { start: '2026-03-01', end: '2026-03-18' });
  assert.deepEqual(resolvePeriod({ preset: 'monthToDate' }, '2026-03-31'), { start: '2026-03-01', end: '2026-04-01' });
  assert.deepEqual(resolvePeriod({ preset: 'monthToDate' }, '2026-03-01'), { start: '2026-03-01', end: '2026-03-02' });
});

test('last month is the previous calendar month, across a year boundary and in leap years', () => {
  assert.deepEqual(resolvePeriod({ preset: 'lastMonth' }, '2026-01-10'), { start: '2025-12-01', end: '2026-01-01' });
  assert.deepEqual(resolvePeriod({ preset: 'lastMonth' }, '2024-03-31'), { start: '2024-02-01', end: '2024-03-01' });
  const p = resolvePeriod({ preset: 'lastMonth' }, '2024-03-31');
  assert.equal(daysBetween(p.start, p.end), 29);
});

test('custom periods are validated', () => {
  assert.deepEqual(resolvePeriod({ preset: 'custom', custom: { start: '2024-09-01', end: '2024-10-01' } }, '2026-01-01'), { start: '2024-09-01', end: '2024-10-01' });
  for (const bad of [{ start: '2024-10-01', end: '2024-09-01' }, { start: '2024-02-30', end: '2024-03-01' }, { start: '2000-01-01', end: '2020-01-01' }]) {
    assert.throws(() => validatePeriod(bad), (e) => isFinOpsError(e, 'input'));
  }
  assert.throws(() => resolvePeriod({ preset: 'custom' }, '2026-01-01'), (e) => isFinOpsError(e, 'input'));
});

test('dates are checked as real calendar dates', () => {
  assert.ok(isIsoDate('2024-02-29'));
  assert.ok(!isIsoDate('2025-02-29'));
  assert.ok(!isIsoDate('2025-1-01'));
});

test('periods are described with their dates', () => {
  assert.equal(formatPeriodRange({ start: '2024-09-01', end: '2024-10-01' }), '1 Sep – 30 Sep 2024');
  assert.equal(formatPeriodRange({ start: '2024-12-20', end: '2025-01-05' }), '20 Dec 2024 – 4 Jan 2025');
  assert.equal(describePeriod({ preset: 'lastMonth' }, { start: '2024-09-01', end: '2024-10-01' }), 'Last month (1 Sep – 30 Sep 2024)');
});
