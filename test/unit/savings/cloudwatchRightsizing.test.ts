import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { applyOfflineEnv, startMoto, type Moto } from '../../support/moto';
import { CloudWatchMetrics, instanceIdOf, metricNames } from '../../../src/providers/aws/cloudwatch';
import { estimateRightSizing } from '../../../src/core/savings/rightsizing';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { isFinOpsError } from '../../../src/core/errors';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const HOUR = 3_600_000;
let moto: Moto;
let cw: CloudWatchClient;

before(async () => {
  moto = await startMoto();
  cw = new CloudWatchClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
});
after(async () => {
  cw?.destroy();
  await moto?.stop();
});
beforeEach(() => moto.reset());

const now = new Date(Math.floor(Date.now() / HOUR) * HOUR);
/** The start of hour `i` counted back from now (i = 0 is the last full hour), a minute in. */
const at = (i: number) => new Date(now.getTime() - (i + 1) * HOUR + 60_000);

async function put(namespace: string, data: MetricDatum[]): Promise<void> {
  for (let i = 0; i < data.length; i += 20) await cw.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + 20) }));
}

function source() {
  return new CloudWatchMetrics({ region: 'us-east-1', endpoint: moto.endpoint, profile: '', credentials, retry: { attempts: 1 } });
}

test('right-sizing end to end: metrics put into CloudWatch are read back hourly and size a p3.8xlarge by its GPUs', async () => {
  const id = 'i-0abc1234def567890';
  // three days keep moto's GetMetricData (which scans every datapoint for every period) quick; the product reads 14 by default
  const days = 3;
  const hours = days * 24;
  const dims = (extra: Array<{ Name: string; Value: string }> = []) => [{ Name: 'InstanceId', Value: id }, ...extra];
  // CPU 5 % with a 10 % peak every 50 hours (p99 of 72 h is the peak); four GPUs at 10-30 % (mean 20 %, peaks 25 %); 2-3 GiB of 16 GiB used per GPU
  await put('AWS/EC2', Array.from({ length: hours }, (_, i) => ({ MetricName: 'CPUUtilization', Dimensions: dims(), Unit: 'Percent', Value: i % 50 === 0 ? 10 : 5, Timestamp: at(i) })));
  const gpus = [0, 1, 2, 3];
  await put('CWAgent', gpus.flatMap((g) => Array.from({ length: hours }, (_, i) => ({
    MetricName: 'nvidia_smi_utilization_gpu', Dimensions: dims([{ Name: 'index', Value: String(g) }, { Name: 'name', Value: 'Tesla V100-SXM2-16GB' }]),
    Unit: 'Percent', Value: 10 + g * (i % 50 === 0 ? 5 : 20 / 3), Timestamp: at(i),
  }))));
  await put('CWAgent', gpus.flatMap((g) => Array.from({ length: hours }, (_, i) => [
    { MetricName: 'nvidia_smi_memory_used', Dimensions: dims([{ Name: 'index', Value: String(g) }]), Unit: 'Megabytes' as const, Value: 2048 + (i % 2) * 512, Timestamp: at(i) },
    { MetricName: 'nvidia_smi_memory_total', Dimensions: dims([{ Name: 'index', Value: String(g) }]), Unit: 'Megabytes' as const, Value: 16384, Timestamp: at(i) },
  ]).flat()));

  await put('CWAgent', Array.from({ length: hours }, (_, i) => ({ MetricName: 'mem_used_percent', Dimensions: dims(), Unit: 'Percent', Value: 10, Timestamp: at(i) })));

  const u = await source().getUtilisation(`arn:aws:ec2:us-east-1:123456789012:instance/${id}`, { now, days });
  assert.equal(u.cpu.length, hours);
  assert.equal(u.gpu?.length, hours);
  assert.equal(u.gpuMemory?.length, hours);
  assert.equal(u.memory?.length, hours);
  // hourly, ascending, aligned to the hour
  assert.ok(u.cpu.every((p, k) => k === 0 || Date.parse(p.timestamp) - Date.parse(u.cpu[k - 1]!.timestamp) === HOUR));
  const meanGpu = u.gpu!.find((p) => Date.parse(p.timestamp) === Math.floor(at(1).getTime() / HOUR) * HOUR)?.value;
  assert.ok(meanGpu !== undefined && Math.abs(meanGpu - (10 + (0 + 1 + 2 + 3) * (20 / 3) / 4)) < 1e-6, `mean over the four GPUs: ${meanGpu}`);
  assert.ok(u.gpuMemory!.every((p) => p.value === 12.5 || p.value === 15.625));
  assert.match(u.source, /CloudWatch GetMetricData, 3 days hourly/);

  const cat = shippedCatalogue();
  const e = estimateRightSizing({ current: cat.prices('p3.8xlarge', 'us-east-1'), candidates: cat.pricedIn('aws', 'us-east-1'), metrics: u, hoursPerMonth: 730, metricsSource: u.source });
  // GPU p99: every hour's mean is 20 %, so 4 × 0.2 × 1.2 = 0.96 GPU → one V100; GPU memory peak 15.6 % of 4 × 15.78 GiB × 1.2 = 11.8 GiB ≤ 15.78;
  // host memory 10 % of 244 GiB × 1.2 = 29.3 GiB ≤ 61
  assert.equal(e.status, 'ok');
  assert.equal(e.recommendedType, 'p3.2xlarge');
  const od = (t: string) => cat.prices(t, 'us-east-1').onDemand.hourly;
  assert.ok(Math.abs(e.monthlySaving - (od('p3.8xlarge') - od('p3.2xlarge')) * 730) < 0.01);
  assert.ok(e.assumptions.some((a) => a.includes(u.source)));
});

test('GPU memory is read as 5-minute maxima: a five-minute spike is that hour\'s value, not diluted into an hourly average', async () => {
  const id = 'i-0abc1234def5678ff';
  const dims = [{ Name: 'InstanceId', Value: id }, { Name: 'index', Value: '0' }];
  const hourStart = (i: number) => Math.floor(at(i).getTime() / HOUR) * HOUR;
  // three hours of 5-minute samples at 2 GiB of 16 GiB, and one 5-minute sample at 12 GiB in the second hour
  const samples = Array.from({ length: 36 }, (_, k) => ({ t: new Date(hourStart(2) + k * 300_000 + 30_000), used: k === 17 ? 12_288 : 2048 }));
  await put('CWAgent', samples.flatMap(({ t, used }) => [
    { MetricName: 'nvidia_smi_memory_used', Dimensions: dims, Unit: 'Megabytes' as const, Value: used, Timestamp: t },
    { MetricName: 'nvidia_smi_memory_total', Dimensions: dims, Unit: 'Megabytes' as const, Value: 16_384, Timestamp: t },
  ]));
  const series = await source().getHourlySeries(id, metricNames.gpuMemory, new Date(hourStart(2)), new Date(hourStart(2) + 3 * HOUR), undefined);
  assert.deepEqual(series.map((p) => p.value), [12.5, 75, 12.5]);
  assert.equal(series[1]?.timestamp, new Date(hourStart(2) + HOUR).toISOString());
});

test('an instance with only a day of CPU data is "insufficient data"; an unknown instance has none at all', async () => {
  const id = 'i-0fff0000aaaa11112';
  await put('AWS/EC2', Array.from({ length: 20 }, (_, i) => ({ MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: id }], Unit: 'Percent', Value: 3, Timestamp: at(i) })));
  const cat = shippedCatalogue();
  const src = source();
  const short = await src.getUtilisation(id, { now });
  assert.equal(short.cpu.length, 20);
  const e = estimateRightSizing({ current: cat.prices('g5.4xlarge'), candidates: cat.pricedIn('aws', 'us-east-1'), metrics: short, hoursPerMonth: 730 });
  assert.equal(e.status, 'insufficientData');
  assert.ok(e.assumptions.some((a) => /only 20 hours/.test(a)));
  const none = await src.getUtilisation('i-0123456789abcdef0', { now });
  assert.deepEqual(none.cpu, []);
  assert.equal(estimateRightSizing({ current: cat.prices('g5.4xlarge'), candidates: [], metrics: none, hoursPerMonth: 730 }).status, 'insufficientData');
});

test('bad ids and unreachable endpoints fail with typed errors', async () => {
  assert.throws(() => instanceIdOf('bucket/foo'), (e: unknown) => isFinOpsError(e, 'input'));
  await assert.rejects(source().getHourlySeries('i-0123456789abcdef0', 'DiskReadOps', new Date(now.getTime() - HOUR), now), (e: unknown) => isFinOpsError(e, 'input'));
  const down = new CloudWatchMetrics({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', profile: '', credentials, retry: { attempts: 1 } });
  await assert.rejects(down.getHourlySeries('i-0123456789abcdef0', metricNames.cpu, new Date(now.getTime() - HOUR), now), (e: unknown) => isFinOpsError(e, 'unavailable'));
});
