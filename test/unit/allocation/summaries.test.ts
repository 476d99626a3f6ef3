import { test } from 'node:test';
import assert from 'node:assert/strict';
import { totalsBy, topN, dailySeries, weekOverWeek, untaggedShare, isCredit } from '../../../src/core/allocation/summaries';
import { addDays } from '../../../src/core/period';
import type { CostRow } from '../../../src/core/cost/model';

const row = (groups: Record<string, string | null>, period: string, cost: number): CostRow => ({ groups, period, cost, currency: 'USD' });

test('top N keeps the largest values and sums the rest into "other"', () => {
  const totals = new Map<string | null, number>([['a', 5], ['b', 50], [null, 20], ['c', 1], ['d', 2]]);
  const items = topN(totals, 3);
  assert.deepEqual(items.map((i) => [i.kind, i.value, i.cost, i.count]), [['value', 'b', 50, 1], ['untagged', null, 20, 1], ['value', 'a', 5, 1], ['other', null, 3, 2]]);
  assert.ok(Math.abs(items.reduce((s, i) => s + i.share!, 0) - 1) < 1e-12);
  assert.equal(topN(totals, 10).length, 5);
  assert.equal(topN(totals, 10).some((i) => i.kind === 'other'), false);
});

test('totals by key treat missing and blank as one untagged value', () => {
  const rows = [row({ 'tag:Team': 'a' }, '2026-01-01', 1), row({ 'tag:Team': '' }, '2026-01-01', 2), row({}, '2026-01-01', 3), row({ 'tag:Team': null }, '2026-01-01', 4)];
  assert.deepEqual([...totalsBy(rows, 'tag:Team')], [['a', 1], [null, 9]]);
  assert.deepEqual(untaggedShare(rows, 'Team'), { cost: 9, total: 10, share: 0.9, credits: 0 });
});

test('daily series are dense over the period and sorted by total', () => {
  const rows = [
    row({ ProviderName: 'AWS' }, '2026-01-02', 3), row({ ProviderName: 'AWS' }, '2026-01-02T00:00:00Z', 1),
    row({ ProviderName: 'Microsoft' }, '2026-01-01', 10), row({ ProviderName: 'AWS' }, '2026-02-01', 99),
  ];
  const s = dailySeries(rows, 'ProviderName', { start: '2026-01-01', end: '2026-01-04' });
  assert.deepEqual(s.dates, ['2026-01-01', '2026-01-02', '2026-01-03']);
  assert.deepEqual(s.series, [{ value: 'Microsoft', values: [10, 0, 0], total: 10 }, { value: 'AWS', values: [0, 4, 0], total: 4 }]);
});

test('week-over-week movers compare the last 7 days with the 7 before, biggest change first', () => {
  const end = '2026-03-15';
  const rows: CostRow[] = [];
  for (let i = 1; i <= 14; i++) {
    const day = addDays(end, -i);
    const current = i <= 7;
    rows.push(row({ ServiceName: 'EC2' }, day, current ? 20 : 10));
    rows.push(row({ ServiceName: 'S3' }, day, current ? 1 : 2));
    rows.push(row({ ServiceName: 'Flat' }, day, 5));
    if (current) rows.push(row({ ServiceName: 'New' }, day, 3));
  }
  rows.push(row({ ServiceName: 'EC2' }, end, 1000)); // outside: the end is exclusive
  rows.push(row({ ServiceName: 'EC2' }, addDays(end, -15), 1000)); // outside: too early
  const m = weekOverWeek(rows, 'ServiceName', end);
  assert.deepEqual(m.map((x) => [x.value, x.previous, x.current, x.delta]), [['EC2', 70, 140, 70], ['New', 0, 21, 21], ['S3', 14, 7, -7]]);
  assert.equal(m[0]!.change, 1);
  assert.equal(m[1]!.change, undefined);
  assert.equal(weekOverWeek(rows, 'ServiceName', end, 1).length, 1);
});

test('"(untagged)" is never hidden in "other": it takes the last named place when it is not among the largest', () => {
  const totals = new Map<string | null, number>([['a', 50], ['b', 40], ['c', 30], [null, 2], ['d', 1]]);
  const items = topN(totals, 3);
  assert.deepEqual(items.map((i) => [i.kind, i.value, i.cost, i.count]), [['value', 'a', 50, 1], ['value', 'b', 40, 1], ['untagged', null, 2, 1], ['other', null, 31, 2]]);
  assert.ok(Math.abs(items.reduce((s, i) => s + i.share!, 0) - 1) < 1e-12);
});

test('the untagged share is over charges only: credits and refunds are reported beside it, never netted', () => {
  const rows = [
    row({ 'tag:Team': 'a', ChargeCategory: 'Usage' }, '2026-01-01', 90),
    row({ 'tag:Team': null, ChargeCategory: 'Usage' }, '2026-01-01', 10),
    row({ 'tag:Team': null, ChargeCategory: 'Credit' }, '2026-01-01', -30),
    row({ 'tag:Team': 'a', ChargeCategory: 'Adjustment' }, '2026-01-01', -5),
  ];
  assert.deepEqual(rows.map(isCredit), [false, false, true, true]);
  const u = untaggedShare(rows, 'Team');
  assert.deepEqual(u, { cost: 10, total: 100, share: 0.1, credits: -35 });
  // netting would have read (10 − 30) / 65: a negative share
  const onlyCredits = untaggedShare([row({ 'tag:Team': null, ChargeCategory: 'Credit' }, '2026-01-01', -3)], 'Team');
  assert.equal(onlyCredits.share, undefined);
  assert.equal(onlyCredits.credits, -3);
});

test('a value with no cost in the period gets no daily series (and no legend entry)', () => {
  const rows = [row({ ProviderName: 'AWS' }, '2026-01-01', 3), row({ ProviderName: 'Microsoft' }, '2026-01-01', 0)];
  assert.deepEqual(dailySeries(rows, 'ProviderName', { start: '2026-01-01', end: '2026-01-03' }).series.map((x) => x.value), ['AWS']);
});
