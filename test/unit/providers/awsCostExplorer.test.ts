import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyOfflineEnv, motoBehind } from '../../support/moto';
import { startRecordingProxy } from '../../support/fakes/recordingProxy';
import { CostExplorerSource, chargeCategoryOf } from '../../../src/providers/aws/costExplorer';
import { CachedCostSource } from '../../../src/providers/cachedCostSource';
import { DiskCache } from '../../../src/providers/diskCache';
import { RequestMeter } from '../../../src/core/cache/requestMeter';
import { isFinOpsError } from '../../../src/core/errors';
import type { CostQuery, CostRow } from '../../../src/core/cost/model';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

const aws = motoBehind('ce', startRecordingProxy);
beforeEach(async () => {
  await aws.moto.reset();
  aws.fake.clear();
});

/** A deterministic pseudo-random bill: per day, per service, per team (some untagged). */
function bill(days: string[], services: string[], teams: (string | null)[]) {
  let seed = 7;
  const next = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  const lines: { day: string; service: string; team: string | null; cost: number }[] = [];
  for (const day of days) for (const service of services) for (const team of teams) lines.push({ day, service, team, cost: Math.round(next() * 100000) / 100 });
  return lines;
}

function ceGroups(lines: ReturnType<typeof bill>, day: string) {
  return lines.filter((l) => l.day === day).map((l) => ({
    Keys: [l.service, `Team$${l.team ?? ''}`],
    Metrics: { UnblendedCost: { Amount: l.cost.toFixed(2), Unit: 'USD' } },
  }));
}

function source(extra: Partial<ConstructorParameters<typeof CostExplorerSource>[0]> = {}, meter = new RequestMeter()) {
  return new CostExplorerSource({ profile: 'ml', region: 'eu-west-1', endpoint: aws.fake.endpoint, credentials, meter, retry: { baseMs: 5, maxMs: 20 }, ...extra });
}

const baseQuery: CostQuery = {
  period: { start: '2024-09-01', end: '2024-09-03' }, granularity: 'daily',
  groupBy: ['ServiceName', 'tag:Team'], metric: 'BilledCost',
};

describe('AWS Cost Explorer against moto', () => {
  test('groups by DIMENSION and TAG, follows NextPageToken, and maps UnblendedCost to BilledCost', async () => {
    const lines = bill(['2024-09-01', '2024-09-02'], ['Amazon Elastic Compute Cloud - Compute', 'Amazon SageMaker'], ['research', 'platform', null]);
    await aws.moto.seedCostAndUsage([
      { ResultsByTime: [{ TimePeriod: { Start: '2024-09-01', End: '2024-09-02' }, Total: {}, Groups: ceGroups(lines, '2024-09-01'), Estimated: false }], GroupDefinitions: [{ Type: 'DIMENSION', Key: 'SERVICE' }, { Type: 'TAG', Key: 'Team' }], NextPageToken: 'page-2' },
      { ResultsByTime: [{ TimePeriod: { Start: '2024-09-02', End: '2024-09-03' }, Total: {}, Groups: ceGroups(lines, '2024-09-02'), Estimated: false }], GroupDefinitions: [{ Type: 'DIMENSION', Key: 'SERVICE' }, { Type: 'TAG', Key: 'Team' }] },
    ]);
    const meter = new RequestMeter();
    const result = await source({}, meter).query(baseQuery);

    const sent = aws.fake.of('GetCostAndUsage');
    assert.equal(sent.length, 2, 'one request per page');
    const first = JSON.parse(sent[0]!.body);
    const second = JSON.parse(sent[1]!.body);
    assert.deepEqual(first.GroupBy, [{ Type: 'DIMENSION', Key: 'SERVICE' }, { Type: 'TAG', Key: 'Team' }]);
    assert.deepEqual(first.Metrics, ['UnblendedCost']);
    assert.equal(first.Granularity, 'DAILY');
    assert.deepEqual(first.TimePeriod, { Start: '2024-09-01', End: '2024-09-03' });
    assert.equal(first.NextPageToken, undefined);
    assert.equal(second.NextPageToken, 'page-2');
    for (const r of sent) assert.match(String(r.headers.authorization), /^AWS4-HMAC-SHA256 Credential=testing\/\d{8}\/us-east-1\/ce\/aws4_request/, 'signed for Cost Explorer in us-east-1');
    assert.equal(meter.count('aws'), 2);

    const expected: CostRow[] = lines.map((l) => ({ groups: { ServiceName: l.service, 'tag:Team': l.team }, period: l.day, cost: Number(l.cost.toFixed(2)), currency: 'USD' }));
    const key = (r: CostRow) => `${r.period}|${r.groups.ServiceName}|${r.groups['tag:Team']}`;
    assert.deepEqual(result.rows.map(key).sort(), expected.map(key).sort());
    for (const row of result.rows) assert.equal(row.cost, expected.find((e) => key(e) === key(row))!.cost);
  });

  test('a second identical query within the TTL makes 0 requests; refresh and expiry go back to AWS', async () => {
    const page = (amount: string) => ({ ResultsByTime: [{ TimePeriod: { Start: '2024-09-01', End: '2024-10-01' }, Total: { AmortizedCost: { Amount: amount, Unit: 'USD' } }, Groups: [], Estimated: false }] });
    await aws.moto.seedCostAndUsage([page('1234.5'), page('1300.25')]);
    let now = Date.parse('2024-10-02T00:00:00Z');
    const meter = new RequestMeter();
    const cache = new DiskCache({ dir: join(aws.dir, 'cache'), ttlMs: 8 * 3600_000, now: () => now });
    const query: CostQuery = { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'monthly', groupBy: [], metric: 'EffectiveCost' };
    const cached = new CachedCostSource(source({}, meter), cache, { profile: 'ml' }, undefined, () => now);

    const first = await cached.query(query);
    assert.equal(aws.fake.of('GetCostAndUsage').length, 1);
    assert.deepEqual(JSON.parse(aws.fake.of('GetCostAndUsage')[0]!.body).Metrics, ['AmortizedCost'], 'EffectiveCost is AmortizedCost');
    assert.equal(first.fromCache, false);
    assert.equal(first.rows[0]!.cost, 1234.5);

    now += 3600_000;
    const second = await cached.query({ ...query, groupBy: [], filters: [] });
    assert.equal(aws.fake.of('GetCostAndUsage').length, 1, 'the cache answered: no request');
    assert.equal(meter.count('aws'), 1, 'no billable request counted');
    assert.equal(second.fromCache, true);
    assert.deepEqual(second.rows, first.rows);

    // A fresh instance (a new window, the CLI) reads the same file.
    const again = await new CachedCostSource(source({}, meter), cache, { profile: 'ml' }, undefined, () => now).query(query);
    assert.equal(again.fromCache, true);
    assert.equal(aws.fake.of('GetCostAndUsage').length, 1);

    // Another profile is another account: not answered from this entry.
    const otherProfile = new CachedCostSource(source({ profile: 'other' }, meter), cache, { profile: 'other' }, undefined, () => now);
    await otherProfile.query(query);
    assert.equal(aws.fake.of('GetCostAndUsage').length, 2);

    const refreshed = await cached.query(query, undefined, { refresh: true });
    assert.equal(refreshed.fromCache, false);
    assert.equal(aws.fake.of('GetCostAndUsage').length, 3, 'refresh bypasses the cache');

    now += 9 * 3600_000;
    const expired = await cached.query(query);
    assert.equal(expired.fromCache, false);
    assert.equal(aws.fake.of('GetCostAndUsage').length, 4, 'an entry older than the TTL is not used');
  });

  test('total granularity sums months; record types fold into FOCUS ChargeCategory', async () => {
    const months = ['2024-08-01', '2024-09-01'];
    const types = ['Usage', 'SavingsPlanCoveredUsage', 'Tax', 'Credit', 'RIFee'];
    const amounts = months.flatMap((m, i) => types.map((t, j) => ({ m, t, a: (i + 1) * 100 + j * 7.25 })));
    await aws.moto.seedCostAndUsage([{
      ResultsByTime: months.map((m, i) => ({
        TimePeriod: { Start: m, End: months[i + 1] ?? '2024-10-01' }, Total: {},
        Groups: amounts.filter((x) => x.m === m).map((x) => ({ Keys: [x.t], Metrics: { UnblendedCost: { Amount: String(x.a), Unit: 'USD' } } })),
      })),
    }]);
    const result = await source().query({ period: { start: '2024-08-01', end: '2024-10-01' }, granularity: 'total', groupBy: ['ChargeCategory', 'ProviderName'], metric: 'BilledCost' });
    const body = JSON.parse(aws.fake.of('GetCostAndUsage')[0]!.body);
    assert.deepEqual(body.GroupBy, [{ Type: 'DIMENSION', Key: 'RECORD_TYPE' }]);
    assert.equal(body.Granularity, 'MONTHLY');
    const expected = new Map<string, number>();
    for (const x of amounts) expected.set(chargeCategoryOf(x.t), (expected.get(chargeCategoryOf(x.t)) ?? 0) + x.a);
    assert.equal(result.rows.length, expected.size);
    for (const row of result.rows) {
      assert.equal(row.period, '2024-08-01');
      assert.equal(row.groups.ProviderName, 'AWS');
      assert.ok(Math.abs(row.cost - expected.get(row.groups.ChargeCategory!)!) < 1e-9);
    }
  });

  test('filters: tag values plus untagged become Tags EQUALS or ABSENT; a ProviderName filter without AWS makes no request', async () => {
    await aws.moto.seedCostAndUsage([{ ResultsByTime: [] }]);
    await source().query({ ...baseQuery, filters: [{ key: 'tag:Team', values: ['research', null] }, { key: 'RegionId', values: ['us-east-1'] }] });
    const body = JSON.parse(aws.fake.of('GetCostAndUsage')[0]!.body);
    assert.deepEqual(body.Filter, { And: [
      { Or: [{ Tags: { Key: 'Team', Values: ['research'], MatchOptions: ['EQUALS'] } }, { Tags: { Key: 'Team', MatchOptions: ['ABSENT'] } }] },
      { Dimensions: { Key: 'REGION', Values: ['us-east-1'], MatchOptions: ['EQUALS'] } },
    ] });
    aws.fake.clear();
    const none = await source().query({ ...baseQuery, filters: [{ key: 'ProviderName', values: ['Microsoft'] }] });
    assert.deepEqual(none.rows, []);
    assert.equal(aws.fake.requests.length, 0);
  });

  test('the policy tag key is sent under its AWS name and answered under the policy name', async () => {
    await aws.moto.seedCostAndUsage([{ ResultsByTime: [{ TimePeriod: { Start: '2024-09-01', End: '2024-09-02' }, Total: {}, Groups: [{ Keys: ['team$nlp'], Metrics: { UnblendedCost: { Amount: '5', Unit: 'USD' } } }] }] }]);
    const result = await source({ tagKeyFor: (k) => k.toLowerCase() }).query({ ...baseQuery, groupBy: ['tag:Team'] });
    assert.deepEqual(JSON.parse(aws.fake.of('GetCostAndUsage')[0]!.body).GroupBy, [{ Type: 'TAG', Key: 'team' }]);
    assert.deepEqual(result.rows.map((r) => r.groups), [{ 'tag:Team': 'nlp' }]);
  });

  test('queries Cost Explorer cannot answer fail before any request, naming the fix', async () => {
    const s = source();
    await assert.rejects(s.query({ ...baseQuery, metric: 'ListCost' }), (e) => isFinOpsError(e, 'input') && /list cost/i.test(e.message));
    await assert.rejects(s.query({ ...baseQuery, groupBy: ['ServiceName', 'RegionId', 'tag:Team'] }), (e) => isFinOpsError(e, 'input') && /at most two/.test(e.message));
    await assert.rejects(s.query({ ...baseQuery, groupBy: ['ResourceId'] }), (e) => isFinOpsError(e, 'input') && /ResourceId/.test(e.message));
    assert.equal(aws.fake.requests.length, 0);
  });

  test('throttling is retried with backoff; each attempt is counted', async () => {
    await aws.moto.seedCostAndUsage([{ ResultsByTime: [{ TimePeriod: { Start: '2024-09-01', End: '2024-09-02' }, Total: { UnblendedCost: { Amount: '3', Unit: 'USD' } }, Groups: [] }] }]);
    const throttle = { status: 400, operation: 'GetCostAndUsage', body: JSON.stringify({ __type: 'LimitExceededException', message: 'Rate exceeded' }) };
    aws.fake.inject(throttle, throttle);
    const waits: number[] = [];
    const meter = new RequestMeter();
    const result = await source({ retry: { baseMs: 100, maxMs: 1000, random: () => 0.5, sleep: async (ms) => { waits.push(ms); } } }, meter)
      .query({ ...baseQuery, groupBy: [] });
    assert.equal(aws.fake.of('GetCostAndUsage').length, 3);
    assert.deepEqual(waits, [50, 100], 'capped exponential backoff with jitter');
    assert.equal(result.rows[0]!.cost, 3);
    assert.equal(meter.count('aws'), 3);
  });

  test('access denied names the IAM action; an expired token names the profile and `aws sso login`', async () => {
    aws.fake.inject({ status: 400, operation: 'GetCostAndUsage', body: JSON.stringify({ __type: 'AccessDeniedException', Message: 'User: arn:aws:iam::123456789012:user/x is not authorized to perform: ce:GetCostAndUsage' }) });
    await assert.rejects(source().query(baseQuery), (e) => {
      assert.ok(isFinOpsError(e, 'permission'));
      assert.match(e.message, /ce:GetCostAndUsage/);
      assert.match(e.fix ?? '', /ce:GetCostAndUsage/);
      return true;
    });
    aws.fake.inject({ status: 400, operation: 'GetCostAndUsage', body: JSON.stringify({ __type: 'ExpiredTokenException', message: 'The security token included in the request is expired' }) });
    await assert.rejects(source().query(baseQuery), (e) => {
      assert.ok(isFinOpsError(e, 'auth'));
      assert.match(e.message, /profile "ml"/);
      assert.match(e.fix ?? '', /aws sso login --profile ml/);
      return true;
    });
  });

  test('an expired SSO session from the real credential chain is reported as authExpired, with no request sent', async () => {
    const home = join(aws.dir, 'home');
    mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
    writeFileSync(join(home, '.aws', 'config'), [
      '[profile ml-sso]', 'sso_session = corp', 'sso_account_id = 111122223333', 'sso_role_name = FinOpsReader', 'region = us-east-1', '',
      '[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start', 'sso_region = us-east-1', 'sso_registration_scopes = sso:account:access', '',
    ].join('\n'));
    const { createHash } = await import('node:crypto');
    writeFileSync(join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update('corp').digest('hex')}.json`), JSON.stringify({
      startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', accessToken: 'expired', expiresAt: '2020-01-01T00:00:00Z',
    }));
    const saved = { HOME: process.env.HOME, AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE: process.env.AWS_SHARED_CREDENTIALS_FILE };
    process.env.HOME = home;
    process.env.AWS_CONFIG_FILE = join(home, '.aws', 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, '.aws', 'credentials');
    try {
      const s = new CostExplorerSource({ profile: 'ml-sso', region: 'us-east-1', endpoint: aws.fake.endpoint, retry: { attempts: 1 } });
      await assert.rejects(s.query(baseQuery), (e) => {
        assert.ok(isFinOpsError(e));
        assert.equal(e.reason, 'auth');
        assert.match(e.message, /profile "ml-sso"/);
        assert.match(e.fix ?? '', /aws sso login --profile ml-sso/);
        return true;
      });
      assert.equal(aws.fake.requests.length, 0);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });
});
