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
  assert.equal(schedule?.monthlySaving, Math.round(501 * 3.06 * 100) / 100, '501 of 743 hours off in March 2026, Los Angeles time');
  assert.equal(schedule?.savingFraction, Math.round((501 / 743) * 10_000) / 10_000);
  assert.match(r.err, /no reserved-instance prices for p3\.2xlarge/);
});

test('reservations in the JSON for a type the snapshot has RI prices for; costlier options are named on stderr', async () => {
  const r = await run('--instance-type', 'g5.xlarge', '--format', 'json');
  const options = JSON.parse(r.out) as Array<{ kind: string; option: string; monthlyCost: number }>;
  const od = shippedCatalogue().prices('g5.xlarge', 'us-east-1');
  const std1 = od.commitments.find((c) => c.kind === 'reservedInstance' && c.offering === 'standard' && c.term === 1 && c.payment === 'noUpfront');
  const ri = options.find((o) => o.option === '1-yr standard reserved instance, no upfront');
  assert.ok(ri && std1);
  assert.equal(ri.monthlyCost, Math.round(std1.hourly * 730 * 100) / 100);
  assert.equal(options.filter((o) => o.kind === 'savingsPlan').length, 6);
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
  assert.match(region.err, /has us-east-1, us-west-2, eu-west-1/);
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
