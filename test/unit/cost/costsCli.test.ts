import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode } from '../../../src/cli/io';
import { runCli, type CliRun } from '../../support/cli';
import { scratch } from '../../support/scratch';
import { near, readCsv, sumBy } from './tinyCsv';

const root = path.resolve(__dirname, '../../..');
const demo = 'demo/billing/real-sample/focus_1.0_sample_1000.csv';
const sample = readCsv(path.join(root, demo));
const files = scratch('cli');

const run = (args: string[], cwd = root): Promise<CliRun> => runCli(['costs', ...args], { cwd });

describe('mlfinops costs', () => {
  it('--format json: one key per group-by column, period, cost, currency; missing tags null', async () => {
    const { code, out } = await run(['--focus', demo, '--group-by', 'ProviderName,tag:business_unit', '--granularity', 'daily', '--format', 'json']);
    assert.equal(code, ExitCode.ok);
    const rows = JSON.parse(out) as Record<string, unknown>[];
    for (const r of rows) assert.deepEqual(Object.keys(r), ['ProviderName', 'tag:business_unit', 'period', 'cost', 'currency']);
    assert.ok(rows.some((r) => r['tag:business_unit'] === null));
    const tag = (t: string | null | undefined) => (t ? ((JSON.parse(t) as Record<string, string>).business_unit ?? null) : null);
    const expected = sumBy(sample, (r) => JSON.stringify([r.ProviderName, tag(r.Tags), r.ChargePeriodStart!.slice(0, 10), r.BillingCurrency]), (r) => Number(r.EffectiveCost ?? 0));
    assert.equal(rows.length, expected.size);
    for (const r of rows) {
      const v = expected.get(JSON.stringify([r.ProviderName, r['tag:business_unit'], r.period, r.currency]));
      assert.ok(v !== undefined && near(r.cost as number, v));
    }
  });

  it('--format csv with --from / --to (half-open) and --metric', async () => {
    const { code, out } = await run(['--focus', demo, '--group-by', 'ServiceCategory', '--granularity', 'monthly', '--metric', 'BilledCost', '--from', '2024-09-05', '--to', '2024-09-06', '--format', 'csv']);
    assert.equal(code, ExitCode.ok);
    const lines = out.trim().split('\r\n');
    assert.equal(lines[0], 'ServiceCategory,period,cost,currency');
    const total = lines.slice(1).reduce((s, l) => s + Number(l.split(',').at(-2)), 0);
    const expected = sample.filter((r) => r.ChargePeriodStart!.startsWith('2024-09-05')).reduce((s, r) => s + Number(r.BilledCost ?? 0), 0);
    assert.ok(near(total, expected, 1e-6));
  });

  it('table output names the metric, grouping, period and totals', async () => {
    const { code, out } = await run(['--focus', demo, '--group-by', 'ProviderName']);
    assert.equal(code, ExitCode.ok);
    assert.match(out, /^EffectiveCost by ProviderName, month, 2024-09-01 – 2024-09-30/);
    assert.match(out, /AWS\s+2024-09-01\s+\$/);
    assert.match(out, /Total\s+\$14\.98/);
  });

  it('reads tag names per cloud from .finops.yaml', async () => {
    files.write('bill.csv', [
      'BillingCurrency,BilledCost,EffectiveCost,ChargePeriodStart,ProviderName,Tags',
      'USD,1,1,2024-09-01 00:00:00,AWS,"{""Team"": ""vision""}"',
      'USD,2,2,2024-09-01 00:00:00,Google Cloud,"{""squad"": ""vision""}"',
    ]);
    fs.writeFileSync(path.join(files.dir, '.finops.yaml'), 'version: 1\ntags:\n  required: [Team]\n  gcp:\n    labelKeys:\n      Team: squad\n');
    const { code, out } = await run(['--focus', 'bill.csv', '--group-by', 'tag:Team', '--granularity', 'total', '--format', 'json'], files.dir);
    assert.equal(code, ExitCode.ok);
    assert.deepEqual(JSON.parse(out), [{ 'tag:Team': 'vision', period: '2024-09-01', cost: 3, currency: 'USD' }]);
  });

  it('native exports are converted on the way in', async () => {
    const bill = path.join(files.dir, 'cur.csv');
    fs.writeFileSync(bill, 'lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,lineItem/CurrencyCode,lineItem/ProductCode\nUsage,2024-09-01T00:00:00Z,2.5,USD,AmazonEC2\n');
    const { code, out } = await run(['--focus', bill, '--group-by', 'ProviderName,ServiceCategory', '--format', 'json'], files.dir);
    assert.equal(code, ExitCode.ok);
    assert.deepEqual(JSON.parse(out), [{ ProviderName: 'AWS', ServiceCategory: 'Compute', period: '2024-09-01', cost: 2.5, currency: 'USD' }]);
  });

  it('a NaN, infinite or non-numeric cost exits 2 naming the file, row and column; never a null or infinite total', async () => {
    for (const [i, value] of ['NaN', 'Infinity', 'abc', '1e308'].entries()) {
      fs.writeFileSync(path.join(files.dir, `bad-${i}.csv`), `BillingCurrency,BilledCost,EffectiveCost,ChargePeriodStart,ProviderName\nUSD,1,1,2024-09-01 00:00:00,AWS\nUSD,1,${value},2024-09-01 00:00:00,AWS\n`);
      for (const format of ['json', 'table', 'csv']) {
        const r = await run(['--focus', `bad-${i}.csv`, '--format', format], files.dir);
        assert.equal(r.code, ExitCode.usage, `${value} ${format}`);
        assert.equal(r.out, '', 'nothing on stdout');
        assert.match(r.err, new RegExp(`^mlfinops costs: bad-${i}\\.csv, row 2 \\(line 3\\), column EffectiveCost: "${value}" is `));
      }
    }
  });

  it('a folder holding a file that is not a bill: the bill is read, the other file named in a note', async () => {
    fs.mkdirSync(path.join(files.dir, 'exports'), { recursive: true });
    fs.copyFileSync(path.join(root, demo), path.join(files.dir, 'exports/focus.csv'));
    fs.writeFileSync(path.join(files.dir, 'exports/README.csv'), 'what,where\nbill,focus.csv\n');
    const r = await run(['--focus', 'exports', '--format', 'json', '--granularity', 'total'], files.dir);
    assert.equal(r.code, ExitCode.ok, r.err);
    assert.match(r.err, /mlfinops costs: note: Skipped exports\/README\.csv: README\.csv is not a FOCUS file/);
    const total = (JSON.parse(r.out) as { cost: number }[]).reduce((s, x) => s + x.cost, 0);
    assert.ok(near(total, sample.reduce((s, x) => s + Number(x.EffectiveCost ?? 0), 0), 1e-9));
  });

  it('bad files and bad flags exit 2 with a message naming the fix', async () => {
    const notBill = path.join(files.dir, 'x.csv');
    fs.writeFileSync(notBill, 'a,b\n1,2\n');
    const bad = await run(['--focus', notBill]);
    assert.equal(bad.code, ExitCode.usage);
    assert.match(bad.err, /x\.csv is not a FOCUS file: it lacks the FOCUS columns ChargePeriodStart, BillingCurrency, BilledCost, EffectiveCost/);
    for (const args of [[], ['--focus', demo, '--format', 'xml'], ['--focus', demo, '--granularity', 'hourly'], ['--focus', demo, '--from', '2024-13-01'],
      ['--focus', demo, '--from', '2024-09-02', '--to', '2024-09-01'], ['--focus', demo, '--group-by', 'Colour'], ['--focus', demo, '--metric', 'Cost']]) {
      const r = await run(args);
      assert.equal(r.code, ExitCode.usage, args.join(' '));
      assert.ok(r.err.length > 0);
    }
  });
});

describe('mlfinops costs --group-by gpu', () => {
  it('groups the demo bill by GPU model × count from the price catalogue, with GPU-hours and cost per GPU-hour', async () => {
    const { code, out } = await run(['--focus', 'demo/billing/demo-org.focus-1.2.csv.gz', '--policy', 'demo/.finops.yaml', '--group-by', 'gpu,tag:Team',
      '--from', '2026-10-01', '--to', '2026-11-01', '--granularity', 'total', '--format', 'json']);
    assert.equal(code, ExitCode.ok);
    const rows = JSON.parse(out) as { gpu: string | null; 'tag:Team': string | null; cost: number; gpuHours: number | null; costPerGpuHour: number | null }[];
    assert.deepEqual(Object.keys(rows[0]!), ['gpu', 'tag:Team', 'period', 'cost', 'currency', 'gpuHours', 'costPerGpuHour']);
    // the nlp team's a3-highgpu-8g pre-training: 8 × H100 per node
    const h100 = rows.find((r) => r.gpu === 'NVIDIA H100 80 GB × 8' && r['tag:Team'] === 'nlp')!;
    assert.ok(h100.gpuHours! > 0 && h100.gpuHours! % 8 === 0, `GPU-hours are instance-hours × 8: ${h100.gpuHours}`);
    assert.ok(near(h100.costPerGpuHour!, h100.cost / h100.gpuHours!));
    // spend without GPUs is one group per team, with no GPU-hours
    const noGpu = rows.filter((r) => r.gpu === null);
    assert.ok(noGpu.length > 0 && noGpu.every((r) => r.gpuHours === null && r.costPerGpuHour === null));
    // every dollar is in exactly one group: the total is the month's
    const total = await run(['--focus', 'demo/billing/demo-org.focus-1.2.csv.gz', '--from', '2026-10-01', '--to', '2026-11-01', '--granularity', 'total', '--format', 'json']);
    assert.ok(near(rows.reduce((s, r) => s + r.cost, 0), (JSON.parse(total.out) as { cost: number }[])[0]!.cost, 1e-6));
    const table = await run(['--focus', 'demo/billing/demo-org.focus-1.2.csv.gz', '--group-by', 'gpu', '--from', '2026-10-01', '--to', '2026-11-01', '--granularity', 'total']);
    assert.match(table.out, /gpu\s+period\s+cost\s+GPU-hours\s+per GPU-hour/);
    assert.match(table.out, /\(no GPU\)/);
  });
});
