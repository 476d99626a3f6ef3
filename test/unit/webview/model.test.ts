import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDashboardData } from '../../../src/features/costDashboard/dashboardData';
import { chartTable } from '../../../src/shared/dashboardTables';
import type { DashboardData } from '../../../src/shared/protocol';
import {
  barWidth, cellText, customChoice, customInputs, elementFilter, filterLabel, LatestRequest, MAX_STACKED, moversNote, optionIndex,
  PERIOD_OPTIONS, rowsFilter, savedState, sourcesText, stackedSeries, summaryText,
} from '../../../webview/dashboard/model';
import { recordsSource, syntheticBill } from '../../support/recordsSource';

/** The page's logic, without a DOM: what it shows and which message a click sends, for data the host really builds. */
async function data(extra: object = {}): Promise<DashboardData> {
  const { data: d } = await buildDashboardData({
    sources: [recordsSource('demo', syntheticBill(5))], choice: { preset: 'lastMonth' }, period: { start: '2026-02-01', end: '2026-03-01' },
    metric: 'EffectiveCost', filters: [], hierarchy: ['Team', 'Project'], ...extra,
  });
  return d;
}

test('a late answer to an older request never overwrites the newer one', () => {
  const tagValues = new LatestRequest();
  const team = tagValues.next();
  const project = tagValues.next();
  assert.equal(tagValues.accepts(team), false, 'the answer for Team arrives after Project was asked: dropped');
  assert.equal(tagValues.accepts(project), true);
  tagValues.cancel();
  assert.equal(tagValues.accepts(project), false, 'the key was cleared: nothing is waited for');
});

test('the daily chart stacks the largest series and sums the rest as "Other"; a click filters by the series under it', async () => {
  const d = await data();
  const many: DashboardData['daily'] = {
    key: 'ProviderName', dates: ['2026-02-01', '2026-02-02'],
    series: Array.from({ length: MAX_STACKED + 3 }, (_, i) => ({ value: i === 2 ? null : `p${i}`, total: 100 - i, values: [i, 2 * i] })),
  };
  const { series, shown, rest } = stackedSeries(many);
  assert.equal(series.length, MAX_STACKED);
  assert.equal(shown.length, MAX_STACKED - 1);
  assert.equal(rest, 4);
  assert.deepEqual(series.at(-1), { label: 'Other (4)', values: [9 + 10 + 11 + 12, 2 * (9 + 10 + 11 + 12)], kind: 'other' });
  assert.equal(series[2]!.kind, 'untagged');
  assert.equal(series[2]!.label, '(untagged)');
  const few = stackedSeries(d.daily);
  assert.equal(few.series.length, d.daily.series.length, 'two providers: nothing summed');
  assert.deepEqual(elementFilter({ ...d, daily: many }, 'daily', 1), { key: 'ProviderName', values: ['p1'] });
  assert.equal(elementFilter({ ...d, daily: many }, 'daily', MAX_STACKED - 1), undefined, '"Other" is no filter');
});

test('a click on a bar, a slice or a table row sends the filter it stands for; "Other" sends none', async () => {
  const d = await data();
  const level1 = d.breakdowns.find((b) => b.id === 'level1')!;
  const other = level1.items.findIndex((it) => it.kind === 'other');
  assert.ok(other > 0, 'twelve teams: the tail is summed as Other');
  assert.deepEqual(elementFilter(d, 'level1', 0), { key: 'tag:Team', values: [level1.items[0]!.value] });
  assert.equal(elementFilter(d, 'level1', other), undefined);
  const mover = d.movers[0]!;
  assert.deepEqual(elementFilter(d, 'movers', 0), { key: mover.key, values: [mover.value] });
  assert.equal(rowsFilter(d, 'service'), true);
  assert.equal(rowsFilter(d, 'untagged'), false);
});

test('texts: summary, sources, chips, table cells and notes', async () => {
  const d = await data({ filters: [{ key: 'tag:Team', values: [null] }] });
  assert.match(summaryText(d), /^\$[\d,]+\.\d\d · Last month \(1 Feb – 28 Feb 2026\) · effective cost \(amortized\)$/);
  assert.match(sourcesText(d), /^demo: updated \d+ d ago$/);
  assert.equal(filterLabel({ key: 'tag:Team', values: [null, 'a'] }), 'Team: (untagged), a');
  assert.equal(filterLabel({ key: 'ServiceName', values: ['Amazon EC2'] }), 'Service: Amazon EC2');
  const table = chartTable(d, 'level1');
  assert.equal(cellText(1234.5, 1, table, 'USD'), '$1,234.50');
  assert.equal(cellText(0.1234, 2, table, 'USD'), '12.3 %');
  assert.equal(cellText(null, 2, table, 'USD'), '—');
  assert.equal(cellText('team-a', 0, table, 'USD'), 'team-a');
  assert.equal(moversNote({ ...d, movers: [] }), 'No change between the last two weeks of the period.');
  assert.equal(barWidth(1.7), '100.0%');
  assert.equal(barWidth(undefined), '0.0%');
});

test('the custom period: the inputs show the last day included, and picking one asks for the half-open period', async () => {
  const d = await data();
  assert.deepEqual(customInputs(d), { start: '2026-02-01', last: '2026-02-28' });
  assert.deepEqual(customChoice('2024-09-01', '2024-09-30'), { preset: 'custom', custom: { start: '2024-09-01', end: '2024-10-01' } });
  assert.deepEqual(PERIOD_OPTIONS.map(([p]) => p), ['last30Days', 'monthToDate', 'lastMonth', 'custom']);
  assert.equal(PERIOD_OPTIONS[3]![1], 'Custom…');
});

test('selects and the saved state', async () => {
  const d = await data({ filters: [{ key: 'ProviderName', values: ['AWS'] }] });
  assert.equal(optionIndex(['a', null, 'b'], null), 1);
  assert.equal(optionIndex(['a', 'b'], undefined), -1);
  assert.deepEqual(savedState(d), { version: 1, period: { preset: 'lastMonth' }, filters: [{ key: 'ProviderName', values: ['AWS'] }] });
});
