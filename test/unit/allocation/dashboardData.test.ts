import { test } from 'node:test';
import * as path from 'node:path';
import { createDemoSource } from '../../../src/providers/demo/demoSource';
import { runCli } from '../../support/cli';
import assert from 'node:assert/strict';
import { buildDashboardData, tagValues, TOP_N, type DashboardSource } from '../../../src/features/costDashboard/dashboardData';
import { dashboardDataSchema, hostMessageSchema, pageMessageSchema } from '../../../src/shared/protocol';
import { chartTable } from '../../../src/shared/dashboardTables';
import { addDays } from '../../../src/core/period';
import { FinOpsError } from '../../../src/core/errors';
import { recordsSource as source, syntheticBill as bill } from '../../support/recordsSource';

const period = { start: '2026-02-01', end: '2026-03-01' };
const input = (sources: DashboardSource[], extra: object = {}) => ({
  sources, choice: { preset: 'lastMonth' as const }, period, metric: 'EffectiveCost' as const, filters: [], hierarchy: ['Team', 'Project'], ...extra,
});

test('totals, daily series, breakdowns and the untagged share equal a direct sum of the bill', async () => {
  const recs = bill(3);
  const { data, failures } = await buildDashboardData(input([source('s', recs)]));
  assert.equal(failures.length, 0);
  dashboardDataSchema.parse(data);
  const inPeriod = recs.filter((r) => r.day >= period.start && r.day < period.end);
  const total = inPeriod.reduce((a, r) => a + r.cost, 0);
  assert.ok(Math.abs(data.total - total) < 1e-6);
  assert.equal(data.daily.dates.length, 28);
  for (const s of data.daily.series) {
    const want = inPeriod.filter((r) => r.provider === s.value).reduce((a, r) => a + r.cost, 0);
    assert.ok(Math.abs(s.total - want) < 1e-6);
  }
  const team = data.breakdowns.find((b) => b.id === 'level1')!;
  assert.equal(team.items.length, TOP_N + 1, 'top N and "other"');
  assert.equal(team.items.at(-1)!.kind, 'other');
  assert.ok(Math.abs(team.items.reduce((a, i) => a + i.cost, 0) - total) < 1e-6);
  const untagged = inPeriod.filter((r) => r.team === null).reduce((a, r) => a + r.cost, 0);
  assert.ok(Math.abs(data.untagged[0]!.share! - untagged / total) < 1e-12);
  // week over week: the 7 days to the last day with cost against the 7 before
  const last = inPeriod.map((r) => r.day).sort().at(-1)!;
  const mover = data.movers.find((m) => m.key === 'ServiceName')!;
  const cur = inPeriod.filter((r) => r.service === mover.value && r.day > addDays(last, -7) && r.day <= last).reduce((a, r) => a + r.cost, 0);
  const prev = inPeriod.filter((r) => r.service === mover.value && r.day > addDays(last, -14) && r.day <= addDays(last, -7)).reduce((a, r) => a + r.cost, 0);
  assert.ok(Math.abs(mover.current - cur) < 1e-6 && Math.abs(mover.previous - prev) < 1e-6);
  assert.equal(data.moversEnd, last);
  // the CSV table of a chart holds the same numbers
  const t = chartTable(data, 'daily');
  assert.ok(Math.abs(t.rows.reduce((a, r) => a + Number(r.at(-1)), 0) - total) < 1e-6);
});

test('filters narrow every chart; the filter lists stay complete', async () => {
  const recs = bill(5);
  const { data } = await buildDashboardData(input([source('s', recs)], { filters: [{ key: 'tag:Team', values: [null] }] }));
  const inPeriod = recs.filter((r) => r.day >= period.start && r.day < period.end);
  const want = inPeriod.filter((r) => r.team === null).reduce((a, r) => a + r.cost, 0);
  assert.ok(Math.abs(data.total - want) < 1e-6);
  assert.deepEqual(data.options.providers, ['AWS', 'Google Cloud']);
  assert.deepEqual(data.options.services, [...new Set(inPeriod.map((r) => r.service))].sort((a, b) => a.localeCompare(b)));
});

test('a failing source is reported next to the working one; other currencies are left out with a warning', async () => {
  const recs = bill(7);
  const broken: DashboardSource = { id: 'b', label: 'Broken', cost: { id: 'b', label: 'Broken', query: async () => { throw new FinOpsError('auth', 'The SSO session expired.', { fix: 'Run `aws sso login`.' }); } } };
  const eur = source('eur', [{ day: '2026-02-03', provider: 'Microsoft', service: 'VM', team: 'x', project: null, cost: 5, currency: 'EUR' }]);
  const { data, failures } = await buildDashboardData(input([source('s', recs), broken, eur]));
  assert.equal(failures.length, 1);
  assert.deepEqual(data.sources.map((s) => [s.label, s.state]), [['s', 'ok'], ['eur', 'ok'], ['Broken', 'error']]);
  assert.ok(data.warnings.some((w) => w.includes('EUR')));
  assert.ok(data.warnings.some((w) => w.startsWith('Broken: The SSO session expired.')));
  assert.equal(data.currency, 'USD');
});

test('tag values for the filter, most expensive first, untagged included', async () => {
  const values = await tagValues([source('s', bill(9))], 'tag:Project', period, 'EffectiveCost');
  const recs = bill(9).filter((r) => r.day >= period.start && r.day < period.end);
  assert.equal(values.length, new Set(recs.map((r) => r.project)).size);
  assert.ok(values.includes(null));
});

test('the host validates what the page sends; what the host sends follows the same schemas', () => {
  assert.ok(pageMessageSchema.safeParse({ type: 'setFilter', filter: { key: 'tag:Team', values: ['<img src=x onerror=alert(1)>', null] } }).success, 'any text is a valid value: it is shown as text');
  for (const bad of [
    { type: 'setFilter', filter: { key: 'tag:Team', values: [] } },
    { type: 'savePng', chart: 'daily', dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' },
    { type: 'runCommand', command: 'workbench.action.terminal.new' },
    { type: 'exportCsv', chart: '../../etc/passwd' },
    { type: 'requestTagValues', key: 'tag:Team' },
    { type: 'nope' },
  ]) assert.equal(pageMessageSchema.safeParse(bad).success, false, JSON.stringify(bad));
  assert.equal(hostMessageSchema.safeParse({ type: 'data', data: { total: 'lots' } }).success, false);
});

test('the GPU view: spend, GPU-hours and cost per GPU-hour by accelerator, the figures of `mlfinops costs --group-by gpu`', async () => {
  const root = path.resolve(__dirname, '../../..');
  const demo = createDemoSource({ extensionRoot: root });
  const oct = { start: '2026-10-01', end: '2026-11-01' };
  try {
    const { data } = await buildDashboardData({ ...input([{ id: 'demo', label: 'Demo', cost: demo }]), period: oct });
    dashboardDataSchema.parse(data);
    const gpus = data.gpus ?? [];
    const { code, out } = await runCli(['costs', '--focus', 'demo/billing/demo-org.focus-1.2.csv.gz', '--group-by', 'gpu', '--from', oct.start, '--to', oct.end, '--granularity', 'total', '--format', 'json'], { cwd: root });
    assert.equal(code, 0);
    const cli = (JSON.parse(out) as { gpu: string | null; cost: number; gpuHours: number | null; costPerGpuHour: number | null }[]).filter((r) => r.gpu !== null);
    assert.deepEqual(gpus.map((g) => g.label), cli.map((r) => r.gpu), 'the same accelerators, most expensive first');
    for (const [i, g] of gpus.entries()) {
      assert.ok(Math.abs(g.cost - cli[i]!.cost) < 1e-6);
      assert.ok(Math.abs((g.gpuHours ?? 0) - (cli[i]!.gpuHours ?? 0)) < 1e-6);
      assert.ok(Math.abs((g.costPerGpuHour ?? 0) - (cli[i]!.costPerGpuHour ?? 0)) < 1e-9);
    }
    assert.ok(gpus.some((g) => g.label === 'NVIDIA H100 80 GB × 8'));
    const table = chartTable(data, 'gpu');
    assert.deepEqual(table.header, ['Accelerators', 'Cost', 'GPU-hours', 'Cost per GPU-hour']);
    assert.equal(table.rows.length, gpus.length);
  } finally {
    demo.dispose();
  }
});
