import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOfflineEnv } from '../../support/moto';
import { advisorRecommendation, coRecommendation, gcpRecommendation, startNativeFake, type NativeFake } from '../../support/fakes/nativeRecommenders';
import { createNativeRecommenders, recommendationsFor } from '../../../src/providers/nativeRecommenders';
import { ComputeOptimizerRecommendations } from '../../../src/providers/aws/computeOptimizer';
import { isFinOpsError } from '../../../src/core/errors';
import { compareWithOurs, nativeSourceLine, nativeTitle } from '../../../src/core/savings/native';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const SUB = '00000000-1111-2222-3333-444444444444';
const ARN = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890';
let fake: NativeFake;

before(async () => { fake = await startNativeFake(); });
after(async () => { await fake?.stop(); });
beforeEach(() => fake.reset());

const fakeAuth = { getAccessToken: () => Promise.resolve({ token: 'ya29.test' }) };
const azureCredential = { getToken: () => Promise.resolve({ token: 'eyJ.test', expiresOnTimestamp: Date.now() + 3_600_000 }) };
const all = () => createNativeRecommenders({
  aws: { profile: '', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', computeOptimizerEndpoint: fake.endpoint, credentials, retry: { attempts: 1 } },
  gcp: { projectId: 'ml-training-prod', zones: ['us-central1-a'], endpoint: fake.endpoint, authClient: fakeAuth },
  azure: { scope: `/subscriptions/${SUB}`, endpoint: fake.endpoint, tenantId: '', credential: azureCredential },
});

function seed(): void {
  fake.computeOptimizer.push(
    coRecommendation({ arn: ARN, current: 'p3.8xlarge', recommended: 'p3.2xlarge', saving: 6701.4 }),
    coRecommendation({ arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0fff', current: 'g5.12xlarge', recommended: 'g5.4xlarge', saving: 2000, afterDiscounts: 1234.56 }),
  );
  fake.gcp.set('us-central1-a', [gcpRecommendation({ project: 'ml-training-prod', zone: 'us-central1-a', instance: 'llm-finetune', current: 'a2-highgpu-2g', recommended: 'a2-highgpu-1g', costOver30Days: 2400 })]);
  fake.advisor.push(advisorRecommendation({ subscription: SUB, group: 'ml', vm: 'inference', current: 'Standard_NC48ads_A100_v4', target: 'Standard_NC24ads_A100_v4', saving: 2650.5 }));
}

test('the three recommenders read through their documented shapes, paged, each with its own saving, source and date', async () => {
  seed();
  const r = await all().list();
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.asked, ['AWS Compute Optimizer', 'Google Recommender', 'Azure Advisor']);
  const co = r.recommendations.find((x) => x.resourceId === ARN)!;
  assert.equal(co.recommendedType, 'p3.2xlarge');
  assert.equal(co.monthlySaving, 6701.4);
  assert.equal(co.lookbackDays, 14);
  assert.equal(co.priceBasis, 'public on-demand prices');
  assert.deepEqual(co.metrics, ['CPU', 'MEMORY', 'GPU_PERCENTAGE', 'GPU_MEMORY_PERCENTAGE', 'NETWORK_IN_BYTES_PER_SECOND']);
  assert.ok(co.details.includes('GPUs: 4 GPUs × 16 GiB now, 1 GPU × 16 GiB on p3.2xlarge'), co.details.join('\n'));
  assert.ok(co.details.includes('Inferred workloads: AmazonEmr'));
  assert.equal(nativeSourceLine(co), 'AWS Compute Optimizer, refreshed 2026-11-30');
  assert.equal(nativeTitle(co), 'AWS Compute Optimizer: trainer (i-0abc1234def567890) p3.8xlarge → p3.2xlarge saves $6,701.40/mo');
  // after discounts when the account estimates savings so
  const discounted = r.recommendations.find((x) => x.currentType === 'g5.12xlarge')!;
  assert.equal(discounted.monthlySaving, 1234.56);
  assert.match(discounted.priceBasis, /after discounts/);

  const gcp = r.recommendations.find((x) => x.provider === 'gcp')!;
  assert.equal(gcp.resourceId, 'projects/ml-training-prod/zones/us-central1-a/instances/llm-finetune');
  assert.deepEqual([gcp.currentType, gcp.recommendedType, gcp.lookbackDays], ['a2-highgpu-2g', 'a2-highgpu-1g', 8]);
  // $2,400 over 30 days is $2,433.33 over a 730-hour month
  assert.equal(gcp.monthlySaving, 2433.33);
  const az = r.recommendations.find((x) => x.provider === 'azure')!;
  assert.deepEqual([az.resourceName, az.currentType, az.recommendedType, az.monthlySaving, az.lookbackDays], ['inference', 'Standard_NC48ads_A100_v4', 'Standard_NC24ads_A100_v4', 2650.5, 7]);
  assert.deepEqual(az.metrics, ['CPU', 'memory', 'network']);
  // one page per request: paging was followed on all three
  assert.equal(fake.requests.filter((q) => q.cloud === 'aws').length, 2);
  assert.ok(fake.requests.some((q) => q.cloud === 'azure' && /%24filter=Category\+eq\+%27Cost%27|\$filter=Category%20eq%20'Cost'|filter=Category/.test(q.url)));
  assert.deepEqual(recommendationsFor(r.recommendations, 'i-0abc1234def567890').map((x) => x.resourceId), [ARN]);
  assert.deepEqual(recommendationsFor(r.recommendations, az.resourceId.toUpperCase()).map((x) => x.source), ['Azure Advisor']);
});

test('errors name their fix and the other recommenders keep working: not opted in, access denied, throttled', async () => {
  seed();
  fake.fail('aws', 400, { __type: 'OptInRequiredException', message: 'The account is not opted in to AWS Compute Optimizer.' });
  fake.fail('gcp', 403, { error: { code: 403, message: 'Permission denied on resource project ml-training-prod.', status: 'PERMISSION_DENIED' } });
  const r = await all().list();
  assert.deepEqual(r.recommendations.map((x) => x.source), ['Azure Advisor']);
  const co = r.problems.find((p) => p.source === 'AWS Compute Optimizer')!;
  assert.match(co.message, /not opted in to Compute Optimizer/);
  assert.match(co.fix ?? '', /update-enrollment-status --status Active/);
  const gcp = r.problems.find((p) => p.source === 'Google Recommender')!;
  assert.match(`${gcp.message} ${gcp.fix}`, /recommender\.computeInstanceMachineTypeRecommendations\.list|Compute Recommender Viewer/);

  fake.fail('aws', 400, { __type: 'AccessDeniedException', message: 'User is not authorized to perform: compute-optimizer:GetEC2InstanceRecommendations' });
  const denied = await new ComputeOptimizerRecommendations({ profile: '', region: 'us-east-1', endpoint: fake.endpoint, credentials, retry: { attempts: 1 } }).list().then(() => undefined, (e: unknown) => e);
  assert.ok(isFinOpsError(denied, 'permission'), String(denied));
  assert.match(denied.fix, /compute-optimizer:GetEC2InstanceRecommendations/);

  fake.fail('aws', 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
  const throttled = await new ComputeOptimizerRecommendations({ profile: '', region: 'us-east-1', endpoint: fake.endpoint, credentials, retry: { attempts: 1 } }).list().then(() => undefined, (e: unknown) => e);
  assert.ok(isFinOpsError(throttled, 'throttled'), String(throttled));

  fake.fail('azure', 403, { error: { code: 'AuthorizationFailed', message: 'does not have authorization to perform action Microsoft.Advisor/recommendations/read' } });
  const r2 = await all().list();
  assert.match(r2.problems.find((p) => p.source === 'Azure Advisor')?.message ?? '', /Microsoft\.Advisor\/recommendations\/read|denied|authoriz/i);
  assert.ok(r2.recommendations.some((x) => x.source === 'AWS Compute Optimizer'));
});

test('nothing is asked for a cloud that is not configured', async () => {
  const none = createNativeRecommenders({});
  assert.deepEqual(none.asked, []);
  assert.deepEqual(await none.list(), { recommendations: [], problems: [], asked: [] });
  assert.equal(fake.requests.length, 0);
});

test('disagreement: the reasons come from the data (type, lookback, metrics, price basis), and agreement has none', () => {
  const co = { provider: 'aws' as const, source: 'AWS Compute Optimizer' as const, resourceId: ARN, resourceName: 'i-0abc', action: 'rightsize' as const,
    currentType: 'p3.8xlarge', recommendedType: 'g5.2xlarge', monthlySaving: 8000, currency: 'USD', lookbackDays: 14,
    metrics: ['CPU', 'MEMORY', 'GPU_PERCENTAGE', 'NETWORK_IN_BYTES_PER_SECOND'], priceBasis: 'public on-demand prices', refreshedAt: '2026-11-30T06:00:00Z', details: [] };
  const ours = { recommendedType: 'p3.2xlarge', monthlySaving: 6701.4, observedHours: 48, lookbackDays: 2, metrics: ['cpu', 'gpu', 'gpuMemory', 'memory'],
    priceSource: { name: 'AWS price snapshot', capturedAt: '2026-11-20', live: false }, hoursPerMonth: 730, option: 'Right-size p3.8xlarge → p3.2xlarge' };
  const c = compareWithOurs(co, ours);
  assert.equal(c.agree, false);
  assert.deepEqual(c.reasons, [
    'Type: AWS Compute Optimizer recommends g5.2xlarge; ours recommends p3.2xlarge.',
    'Lookback: AWS Compute Optimizer looked at 14 days; ours asked for 2 days and found 48 hours (2 days) of data.',
    'Metrics: AWS Compute Optimizer also weighs network; ours also weighs GPU memory (sized by its 5-minute peak).',
    'Price: AWS Compute Optimizer\'s $8,000.00/mo is priced on public on-demand prices ($10.96/h over 730 h); ours, $6,701.40/mo, on on-demand prices from AWS price snapshot (2026-11-20) ($9.18/h).',
  ]);
  const same = compareWithOurs({ ...co, recommendedType: 'p3.2xlarge', monthlySaving: 6700 }, ours);
  assert.deepEqual(same, { agree: true, reasons: [] });
  // the same type, a different saving: only what differs is named
  const priceOnly = compareWithOurs({ ...co, recommendedType: 'p3.2xlarge', monthlySaving: 5000, lookbackDays: 2, metrics: ['CPU', 'GPU_PERCENTAGE', 'GPU_MEMORY_PERCENTAGE', 'MEMORY'] }, ours);
  assert.deepEqual(priceOnly.reasons.map((r) => r.split(':')[0]), ['Price']);
});
