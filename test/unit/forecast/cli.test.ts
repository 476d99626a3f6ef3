import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode } from '../../../src/cli/io';
import { addDays } from '../../../src/core/period';
import { runCli } from '../../support/cli';
import { scratch } from '../../support/scratch';

const root = path.resolve(__dirname, '../../..');
const demoDir = path.join(root, 'demo');
const bill = 'billing/demo-org.focus-1.2.csv.gz';
const files = scratch('forecast-cli');

describe('mlfinops forecast, budgets, anomalies and report', () => {
  it('forecast --series: the JSON shape, one point a day after the series', async () => {
    const lines = ['date,cost'];
    for (let t = 0; t < 63; t++) lines.push(`${addDays('2026-01-05', t)},${100 + (t % 7 >= 5 ? -30 : 10) + (t % 3)}`);
    const file = path.join(files.dir, 'series.csv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const { code, out, err } = await runCli(['forecast', '--series', file, '--horizon', '10', '--format', 'json'], { cwd: files.dir });
    assert.equal(code, ExitCode.ok, err);
    const parsed = JSON.parse(out) as { group: object; model: string; points: Record<string, unknown>[] }[];
    assert.equal(parsed.length, 1);
    assert.deepEqual(Object.keys(parsed[0]!), ['group', 'model', 'points']);
    assert.deepEqual(parsed[0]!.group, {});
    assert.equal(parsed[0]!.points.length, 10);
    assert.deepEqual(Object.keys(parsed[0]!.points[0]!), ['date', 'mean', 'lo80', 'hi80', 'lo95', 'hi95']);
    assert.equal(parsed[0]!.points[0]!.date, '2026-03-09');
    assert.match(err, /rolling-origin backtest/);
    const bad = await runCli(['forecast', '--series', file, '--horizon', '0'], { cwd: files.dir });
    assert.equal(bad.code, ExitCode.usage);
    fs.writeFileSync(file, 'date,cost\n2026-01-01,abc\n');
    const unreadable = await runCli(['forecast', '--series', file], { cwd: files.dir });
    assert.equal(unreadable.code, ExitCode.usage);
    assert.match(unreadable.err, /line 2: the cost "abc" is not a number/);
  });

  it('budgets on the demo bill: recsys at risk, vision over; --fail-on actual exits 1', async () => {
    const { code, out, err } = await runCli(['budgets', '--focus', bill, '--format', 'json'], { cwd: demoDir });
    assert.equal(code, ExitCode.ok, err);
    const list = JSON.parse(out) as Record<string, unknown>[];
    const byName = new Map(list.map((b) => [b.name, b]));
    for (const b of list) for (const k of ['name', 'actual', 'forecast', 'amount', 'currency', 'percent', 'status']) assert.ok(k in b, k);
    assert.equal(byName.get('vision-training')!.status, 'over');
    assert.equal(byName.get('recsys')!.status, 'at-risk');
    assert.equal(byName.get('nlp-gcp')!.status, 'ok');
    assert.equal(byName.get('vision-training')!.actual, 10477.7, 'the README figure for vision, 1–15 November');
    const failing = await runCli(['budgets', '--focus', bill, '--fail-on', 'actual'], { cwd: demoDir });
    assert.equal(failing.code, ExitCode.findings);
    assert.match(failing.err, /vision-training is over its \$10,000\.00 budget on actual/);
    fs.writeFileSync(path.join(files.dir, 'eur.yaml'), 'budgets:\n  - { name: eur, amount: 1000, currency: EUR }\n');
    const eur = await runCli(['budgets', '--focus', path.join(demoDir, bill), '--policy', path.join(files.dir, 'eur.yaml')], { cwd: files.dir });
    assert.equal(eur.code, ExitCode.usage);
    assert.match(eur.err, /"eur" is in EUR, but the bill's costs in its scope are in USD/);
  });

  it('anomalies: the recsys sweep of 14 October, with the scale set that caused it', async () => {
    const { code, out, err } = await runCli(['anomalies', '--focus', bill, '--since', '2026-10-10', '--group-by', 'tag:Team', '--format', 'json'], { cwd: demoDir });
    assert.equal(code, ExitCode.ok, err);
    const found = JSON.parse(out) as { group: Record<string, string>; date: string; aboveExpected: number; contributors: { resourceId: string }[] }[];
    const sweep = found.find((a) => a.group['tag:Team'] === 'recsys' && a.date === '2026-10-14');
    assert.ok(sweep, JSON.stringify(found.map((a) => [a.group, a.date])));
    assert.ok(sweep.aboveExpected > 5000);
    assert.match(sweep.contributors[0]!.resourceId, /vmss-ranker-sweep$/);
  });

  it('report: team totals add up to the month to the cent, with the allocation named', async () => {
    const { code, out, err } = await runCli(['report', '--month', '2026-10', '--focus', bill, '--format', 'csv'], { cwd: demoDir });
    assert.equal(code, ExitCode.ok, err);
    const rows = out.trim().split('\r\n').slice(1).map((l) => l.split(','));
    const totals = rows.filter((r) => r[1] === 'total').map((r) => Math.round(Number(r[3]) * 100));
    assert.equal(totals.reduce((a, b) => a + b, 0), 17808473, 'October 2026: $178,084.73');
    const md = await runCli(['report', '--month', '2026-10', '--focus', bill], { cwd: demoDir });
    assert.match(md.out, /allocated in proportion to each team's own cost \(showback allocation: proportional\)/);
    assert.match(md.out, /\| recsys \| 2026-10 \| \$26,537\.24 \|/);
  });
});
