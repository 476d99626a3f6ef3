import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { runCli, type CliRun } from '../../support/cli';
import { applyOfflineEnv, offlineEnv, startMoto, type Moto } from '../../support/moto';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';

applyOfflineEnv();
let scratch: string;
let moto: Moto | undefined;
before(() => { scratch = mkdtempSync(join(tmpdir(), 'mlfinops-cli-')); });
after(async () => {
  await moto?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const run = (...args: string[]): Promise<CliRun> => runCli(['savings', ...args], { cwd: scratch, env: { ...process.env, ...offlineEnv, XDG_CACHE_HOME: scratch } });

test('--format json prints exactly the documented shape, one object per option', async () => {
  const r = await run('--instance-type', 'p3.2xlarge', '--region', 'us-east-1', '--hours-per-month', '730', '--schedule', 'Mon-Fri 08:00-19:00 America/Los_Angeles', '--month', '2026-03', '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const options = JSON.parse(r.out) as Array<Record<string, unknown>>;
  assert.ok(options.length >= 2);
  for (const o of options) {
    assert.deepEqual(Object.keys(o), ['kind', 'option', 'monthlyCost', 'monthlySaving', 'savingFraction', 'assumptions', 'sources']);
    assert.ok(['rightsizing', 'reservation', 'savingsPlan', 'schedule', 'spot', 'combined'].includes(o.kind as string));
    assert.ok(typeof o.savingFraction === 'number' && o.savingFraction >= 0 && o.savingFraction <= 1);
    assert.ok(Array.isArray(o.assumptions) && (o.assumptions as unknown[]).every((a) => typeof a === 'string'));
    for (const s of o.sources as Array<Record<string, unknown>>) {
      assert.deepEqual(Object.keys(s), ['name', 'capturedAt']);
      assert.match(String(s.capturedAt), /^(\d{4}-\d{2}-\d{2}|unknown)$/);
    }
  }
  const schedule = options.find((o) => o.kind === 'schedule');
  // 501 of 743 hours off in March 2026, Los Angeles time, applied to the one 730-hour baseline
  assert.equal(schedule?.monthlySaving, Math.round(730 * 3.06 * (501 / 743) * 100) / 100);
  assert.equal(schedule?.savingFraction, Math.round((501 / 743) * 10_000) / 10_000);
  const spot = options.find((o) => o.kind === 'spot');
  const combined = options.find((o) => o.kind === 'combined');
  for (const o of [schedule, spot, combined]) if (o) assert.equal(Math.round(((o.monthlyCost as number) + (o.monthlySaving as number)) * 100) / 100, Math.round(3.06 * 730 * 100) / 100, `${String(o.kind)}: cost + saving is the one baseline`);
  assert.match(r.err, /not estimated: Reserved instances: the price snapshot lists no reserved-instance offer for p3\.2xlarge/);
  assert.match(r.err, /not estimated: Savings Plans \(EC2 Instance and Compute\)/);
});

test('reservations in the JSON for a type the snapshot has RI prices for; costlier options are named on stderr', async () => {
  const r = await run('--instance-type', 'g5.xlarge', '--format', 'json');
  const options = JSON.parse(r.out) as Array<{ kind: string; option: string; monthlyCost: number }>;
  const od = shippedCatalogue().prices('g5.xlarge', 'us-east-1');
  const std1 = od.commitments.find((c) => c.kind === 'reservedInstance' && c.offering === 'standard' && c.term === 1 && c.payment === 'noUpfront');
  const ri = options.find((o) => o.option === '1-yr standard reserved instance, no upfront');
  assert.ok(ri && std1);
  assert.equal(ri.monthlyCost, Math.round(std1.hourly * 730 * 100) / 100);
  assert.equal(options.filter((o) => o.kind === 'savingsPlan').length, 0, 'no savings-plan rates: none are made up from RI rates');
  assert.ok(options.some((o) => o.option === '1-yr convertible reserved instance, no upfront'));
  const low = await run('--instance-type', 'g5.xlarge', '--hours-per-month', '200', '--format', 'json');
  assert.equal(low.code, 0);
  assert.ok(JSON.parse(low.out).every((o: { kind: string }) => o.kind !== 'reservation'));
  assert.match(low.err, /left out "1-yr standard reserved instance, no upfront": it would cost \$[\d,.]+ a month more/);
});

test('unknown types, bad schedules and bad numbers exit 2 with a message naming the fix', async () => {
  const unknown = await run('--instance-type', 'p3.2xlarg', '--format', 'json');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /Unknown instance type "p3\.2xlarg"\. Did you mean "p3\.2xlarge"/);
  assert.equal(unknown.out, '');
  const tz = await run('--instance-type', 'p3.2xlarge', '--schedule', 'Mon-Fri 08:00-19:00 Mars/Base');
  assert.equal(tz.code, 2);
  assert.match(tz.err, /Unknown time zone "Mars\/Base"/);
  assert.equal((await run('--instance-type', 'p3.2xlarge', '--hours-per-month', 'lots')).code, 2);
  assert.equal((await run('--instance-type', 'p3.2xlarge', '--month', '2026-13')).code, 2);
  assert.equal((await run()).code, 2);
  const region = await run('--instance-type', 'p3.2xlarge', '--region', 'ap-south-1');
  assert.equal(region.code, 2);
  assert.match(region.err, /It prices p3\.2xlarge in 12 regions: us-east-1, us-west-2, eu-west-1/);
  assert.equal((await run('--instance-type', 'p3.2xlarge', '--checkpoint-write-minutes', '-1')).code, 2);
  assert.equal((await run('--instance-type', 'p3.2xlarge', '--gpu', 'H100')).code, 2);
  const gpu = await run('--gpu', 'H1000');
  assert.equal(gpu.code, 2);
  assert.match(gpu.err, /"H1000" is not a GPU the price catalogue knows\. Try H100, H200, A100 80GB/);
});

test('table and markdown formats carry every option, its assumptions and the dated sources', async () => {
  const table = await run('--instance-type', 'g5.xlarge');
  assert.equal(table.code, 0);
  assert.match(table.out, /Savings for g5\.xlarge in us-east-1 \(AWS\)/);
  assert.match(table.out, /captured 20\d\d-\d\d-\d\d/);
  const md = await run('--instance-type', 'Standard_NC24ads_A100_v4', '--region', 'eastus', '--format', 'markdown');
  assert.equal(md.code, 0);
  assert.match(md.out, /^# Savings for Standard_NC24ads_A100_v4 in eastus \(Azure\)/);
  assert.match(md.out, /capture date unknown/);
  assert.match(md.out, /\| Spot \| Spot at/);
});

test('--instance-id right-sizes from CloudWatch (moto) through the CLI', async () => {
  moto = await startMoto();
  const cw = new CloudWatchClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const id = 'i-0aaaabbbbccccdddd';
  const end = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const data = Array.from({ length: 40 }, (_, i) => ({ MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: id }], Unit: 'Percent' as const, Value: i === 0 ? 14 : 8, Timestamp: new Date(end - (i + 1) * 3_600_000 + 60_000) }));
  for (let i = 0; i < data.length; i += 20) await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: data.slice(i, i + 20) }));
  // host memory from the CloudWatch agent: without it right-sizing keeps the 64 GiB
  const mem = data.map((d) => ({ ...d, MetricName: 'mem_used_percent', Value: 15 }));
  for (let i = 0; i < mem.length; i += 20) await cw.send(new PutMetricDataCommand({ Namespace: 'CWAgent', MetricData: mem.slice(i, i + 20) }));
  cw.destroy();
  const r = await run('--instance-type', 'g5.4xlarge', '--instance-id', id, '--endpoint', moto.endpoint, '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const rs = (JSON.parse(r.out) as Array<{ kind: string; option: string; assumptions: string[] }>).find((o) => o.kind === 'rightsizing');
  assert.equal(rs?.option, 'Right-size g5.4xlarge → g5.xlarge');
  assert.ok(rs?.assumptions.some((a) => /Over 40 hours/.test(a)));
  assert.ok(rs?.assumptions.some((a) => /CloudWatch GetMetricData, 14 days hourly/.test(a)));
});

test('a cloud call that fails exits 3 with what failed and the fix on stderr', async () => {
  const r = await run('--instance-type', 'g5.4xlarge', '--instance-id', 'i-0aaaabbbbccccdddd', '--endpoint', 'http://127.0.0.1:9', '--format', 'json');
  assert.equal(r.code, 3, r.err);
  assert.equal(r.out, '');
  assert.match(r.err, /^mlfinops savings: Could not reach the endpoint http:\/\/127\.0\.0\.1:9 for CloudWatch .* Check the network connection/);
});

test('--gpu lists the types with that GPU on the three clouds with their prices; JSON too', async () => {
  const table = await run('--gpu', 'H100');
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /^Instance types with H100 GPUs \(\d+\)/);
  for (const t of ['p5.48xlarge', 'a3-highgpu-8g', 'Standard_ND96isr_H100_v5']) assert.match(table.out, new RegExp(`\\b${t.replace('.', '\\.')}\\b`));
  assert.match(table.out, /AWS +p5\.48xlarge +us-east-1 +8 × NVIDIA H100 80 GB .*\$55\.04\/h +\$6\.88\/h/);
  assert.match(table.out, /captured \d{4}-\d{2}-\d{2}/);
  const json = await run('--gpu', 'A100 80GB', '--format', 'json');
  assert.equal(json.code, 0, json.err);
  const rows = JSON.parse(json.out) as Array<Record<string, unknown>>;
  assert.deepEqual(Object.keys(rows[0]!), ['provider', 'instanceType', 'region', 'gpus', 'gpuModel', 'vcpu', 'memoryGiB', 'onDemandHourly', 'perGpuHourly', 'spotHourly', 'source']);
  assert.deepEqual([...new Set(rows.map((r) => r.provider))], ['aws', 'gcp', 'azure']);
  assert.ok(rows.some((r) => r.instanceType === 'p4de.24xlarge') && !rows.some((r) => r.instanceType === 'p4d.24xlarge'));
  const l4 = await run('--gpu', 'L4', '--region', 'eu-west-2');
  assert.match(l4.out, /g6\.xlarge +eu-west-2/);
  assert.match(l4.out, /Azure: no L4 type in the price catalogue\./);
});

test('widened regions: GPU types price in regions beyond the first three (p5 in eu-west-2, a3 in europe-west4)', async () => {
  const p5 = await run('--instance-type', 'p5.48xlarge', '--region', 'eu-west-2', '--format', 'json');
  assert.equal(p5.code, 0, p5.err);
  assert.ok((JSON.parse(p5.out) as Array<{ kind: string }>).some((o) => o.kind === 'reservation'));
  const a3 = await run('--instance-type', 'a3-highgpu-8g', '--region', 'europe-west4', '--format', 'json');
  assert.equal(a3.code, 0, a3.err);
  // Azure outside the US: no licensed source; the message says so and points at live prices
  const az = await run('--instance-type', 'Standard_NC24ads_A100_v4', '--region', 'westeurope');
  assert.equal(az.code, 2);
  assert.match(az.err, /no Standard_NC24ads_A100_v4 prices for westeurope.*live prices/s);
});
