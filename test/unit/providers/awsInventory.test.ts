import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTagsCommand, CreateVpcCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { applyOfflineEnv, motoBehind } from '../../support/moto';
import { startRecordingProxy } from '../../support/fakes/recordingProxy';
import { runAthenaQueriesIn } from '../../support/fakes/athenaWarehouse';
import { athenaColumns, FixtureWarehouse } from '../../support/warehouse';
import { compareAnswer, expectedAnswer, focusReader, focusRows } from '../../support/warehouseFixtures';
import type { CostQuery } from '../../../src/core/cost/model';
import { AwsInventory, parseArn } from '../../../src/providers/aws/inventory';
import { AthenaCostSource, athenaLiteral } from '../../../src/providers/aws/athena';
import { RequestMeter } from '../../../src/core/cache/requestMeter';
import { isCancelled, isFinOpsError } from '../../../src/core/errors';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const AMI = 'ami-12c6146b';

const aws = motoBehind('inventory', startRecordingProxy);
beforeEach(async () => {
  await aws.moto.reset();
  aws.fake.clear();
});

function ec2(region = 'us-west-2') {
  return new EC2Client({ region, endpoint: aws.moto.endpoint, credentials, maxAttempts: 1 });
}

describe('AWS inventory against moto (tagging API and EC2 for real)', () => {
  test('pages through GetResources and DescribeInstances; untagged instances and instance types are included', async () => {
    const client = ec2();
    const plan: { type: string; count: number; tags?: Record<string, string> }[] = [
      { type: 'p4d.24xlarge', count: 2, tags: { Team: 'research', Project: 'llm', Name: 'trainer' } },
      { type: 'g5.xlarge', count: 3, tags: { Team: 'platform' } },
      { type: 'g4dn.xlarge', count: 2, tags: undefined },
    ];
    const launched = new Map<string, { type: string; tags: Record<string, string> }>();
    // One reservation per instance: EC2 pages DescribeInstances by reservation.
    for (const p of plan) for (let k = 0; k < p.count; k++) {
      const r = await client.send(new RunInstancesCommand({
        ImageId: AMI, MinCount: 1, MaxCount: 1, InstanceType: p.type as never,
        ...(p.tags ? { TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })) }] } : {}),
      }));
      for (const i of r.Instances ?? []) launched.set(i.InstanceId!, { type: p.type, tags: p.tags ?? {} });
    }
    const vpc = await client.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' }));
    await client.send(new CreateTagsCommand({ Resources: [vpc.Vpc!.VpcId!], Tags: [{ Key: 'Team', Value: 'platform' }] }));

    const inventory = new AwsInventory({ profile: '', region: 'us-west-2', endpoint: aws.fake.endpoint, credentials, taggingPageSize: 2, instancesPageSize: 5 });
    const resources = await inventory.listResources();

    const instances = resources.filter((r) => r.type === 'ec2:instance');
    assert.equal(instances.length, launched.size, 'every instance, tagged or not');
    for (const r of instances) {
      const id = parseArn(r.id)!.resourceId;
      const expected = launched.get(id);
      assert.ok(expected, `unexpected instance ${r.id}`);
      assert.equal(r.size, expected.type);
      assert.deepEqual(r.tags, expected.tags);
      assert.equal(r.region, 'us-west-2');
      assert.equal(r.provider, 'AWS');
      assert.equal(r.attributes?.state, 'running');
      assert.equal(r.name, expected.tags.Name ?? id);
    }
    const vpcResource = resources.find((r) => r.id.endsWith(`vpc/${vpc.Vpc!.VpcId}`));
    assert.ok(vpcResource, 'tagged non-instance resources come from the tagging API');
    assert.equal(vpcResource.type, 'ec2:vpc');
    assert.deepEqual(vpcResource.tags, { Team: 'platform' });

    const tagging = aws.fake.of('GetResources');
    assert.ok(tagging.length >= 3, `GetResources was paged (${tagging.length} requests)`);
    assert.equal(JSON.parse(tagging[0]!.body).PaginationToken, undefined);
    for (const r of tagging.slice(1)) assert.ok(JSON.parse(r.body).PaginationToken, 'later pages send the token');
    for (const r of tagging) assert.equal(JSON.parse(r.body).ResourcesPerPage, 2);
    const describe = aws.fake.of('DescribeInstances');
    assert.equal(describe.length, 2, '7 instances in pages of 5');
    assert.match(describe[1]!.body, /NextToken=/);
    for (const r of [...tagging, ...describe]) assert.match(String(r.headers.authorization), /\/us-west-2\//, 'signed for the configured region');
  });

  test('access denied on DescribeInstances names ec2:DescribeInstances', async () => {
    aws.fake.inject({ status: 403, operation: 'DescribeInstances', headers: { 'content-type': 'text/xml' }, body: '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>1</RequestID></Response>' });
    const inventory = new AwsInventory({ profile: 'ml', region: 'us-west-2', endpoint: aws.fake.endpoint, credentials });
    await assert.rejects(inventory.listResources(), (e) => isFinOpsError(e, 'permission') && /ec2:DescribeInstances/.test(e.message) && /profile "ml"/.test(e.message));
  });

  test('cancelling stops the listing', async () => {
    const controller = new AbortController();
    controller.abort();
    const inventory = new AwsInventory({ profile: '', region: 'us-west-2', endpoint: aws.fake.endpoint, credentials });
    await assert.rejects(inventory.listResources(controller.signal), (e) => isCancelled(e));
    assert.equal(aws.fake.requests.length, 0);
  });
});

describe('Athena over a FOCUS export, against moto', () => {
  // Athena's engine, for real: the SQL of each StartQueryExecution runs over these rows, moto serves the API.
  const warehouse = new FixtureWarehouse();
  const rows = focusRows();
  before(() => warehouse.load({ schema: 'cur', table: 'focus_export' }, athenaColumns(), rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])))));
  after(() => warehouse.close());
  const athena = (extra: Partial<ConstructorParameters<typeof AthenaCostSource>[0]> = {}) => new AthenaCostSource({
    profile: '', region: 'us-east-1', endpoint: aws.fake.endpoint, credentials,
    database: 'cur', table: 'focus_export', workgroup: 'primary', outputLocation: 's3://athena-results/mlfinops/', pollMs: { first: 5, max: 20 }, ...extra,
  });

  test('runs the FOCUS aggregation with parameters and reads the rows back', async () => {
    runAthenaQueriesIn(aws.fake, aws.moto.endpoint, warehouse);
    const meter = new RequestMeter();
    const query: CostQuery = {
      period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: ['tag:Team'], metric: 'EffectiveCost',
      filters: [{ key: 'ServiceName', values: ['Amazon Elastic Compute Cloud', "O'Brien's service"] }],
    };
    const result = await athena({ meter }).query(query);
    const start = JSON.parse(aws.fake.of('StartQueryExecution')[0]!.body);
    assert.doesNotMatch(start.QueryString, /research|2024-09-01|Elastic/, 'values travel as parameters, not in the SQL');
    assert.deepEqual(start.ExecutionParameters, ["'Team'", "'2024-09-01'", "'2024-10-01'", "'Amazon Elastic Compute Cloud'", athenaLiteral("O'Brien's service")]);
    assert.equal(start.WorkGroup, 'primary');
    assert.deepEqual(start.ResultConfiguration, { OutputLocation: 's3://athena-results/mlfinops/' });
    assert.deepEqual(start.QueryExecutionContext, { Database: 'cur', Catalog: 'AwsDataCatalog' });
    const want = expectedAnswer(rows, focusReader((k) => [k]), query);
    const got = result.rows.map((r) => ({ groups: [r.groups['tag:Team'] ?? null], period: r.period, currency: r.currency, cost: r.cost })).sort(compareAnswer);
    assert.equal(got.length, want.length);
    assert.ok(got.length > 3);
    got.forEach((g, i) => {
      assert.deepEqual({ ...g, cost: 0 }, { ...want[i]!, cost: 0 });
      assert.ok(Math.abs(g.cost - want[i]!.cost) < 1e-6);
    });
    assert.equal(meter.count('aws'), 1);
  });

  test('a query Athena cannot run fails with its reason', async () => {
    runAthenaQueriesIn(aws.fake, aws.moto.endpoint, { run: () => Promise.reject(new Error('Column \'effectivecosts\' cannot be resolved')) });
    await assert.rejects(athena({ retry: { attempts: 1 } }).query({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: [], metric: 'EffectiveCost' }),
      (e) => isFinOpsError(e) && /cannot be resolved/.test(e.message));
  });
});
