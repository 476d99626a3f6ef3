import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeTagsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { applyOfflineEnv, motoBehind } from '../../support/moto';
import { startRecordingProxy } from '../../support/fakes/recordingProxy';
import { startResourceTagFakes, type ResourceTagFakes } from '../../support/fakes/resourceTags';
import { AwsTagWriter } from '../../../src/providers/aws/tagging';
import { GcpLabelWriter, parseInstanceId } from '../../../src/providers/gcp/labels';
import { AzureTagWriter } from '../../../src/providers/azure/tags';
import { isFinOpsError } from '../../../src/core/errors';
import { accessTokenAuth } from '../../../src/providers/gcp/config';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const aws = motoBehind('tagwriters', startRecordingProxy);

describe('AWS: Resource Groups Tagging API and EC2 CreateTags against moto', () => {
  beforeEach(async () => {
    await aws.moto.reset();
    aws.fake.clear();
  });
  const writer = (extra: { retry?: { attempts: number; baseMs: number } } = {}) => new AwsTagWriter({ profile: '', region: REGION, endpoint: aws.fake.endpoint, credentials, retry: { attempts: 1, baseMs: 1 }, ...extra });

  async function motoJson(service: string, target: string, body: unknown): Promise<unknown> {
    const r = await fetch(aws.moto.endpoint, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=x` },
    });
    assert.equal(r.status, 200, await r.clone().text());
    return r.json();
  }

  test('EC2 instances and a SageMaker notebook are tagged; a service the API cannot tag is reported per resource from FailedResourcesMap', async () => {
    const ec2 = new EC2Client({ region: REGION, endpoint: aws.moto.endpoint, credentials, maxAttempts: 1 });
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 2, MaxCount: 2, InstanceType: 'p3.2xlarge' }));
    const [a, b] = run.Instances!.map((i) => i.InstanceId!);
    const nb = await motoJson('sagemaker', 'SageMaker.CreateNotebookInstance', { NotebookInstanceName: 'explore', InstanceType: 'ml.p3.2xlarge', RoleArn: `arn:aws:iam::${ACCOUNT}:role/sagemaker` }) as { NotebookInstanceArn: string };
    const arn = (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`;
    const bucket = 'arn:aws:s3:::training-data';

    const outcomes = await writer().write([
      { id: arn(a!), tags: { Team: 'research', Environment: 'production' } },
      { id: arn(b!), tags: { Team: 'research', Environment: 'production' } },
      { id: nb.NotebookInstanceArn, tags: { Team: 'research' } },
      { id: bucket, tags: { Team: 'research' } },
    ]);
    assert.deepEqual(outcomes.map((o) => [o.id, o.ok]), [[arn(a!), true], [arn(b!), true], [nb.NotebookInstanceArn, true], [bucket, false]]);
    assert.match(outcomes[3]!.error!, /AWS could not tag it \(InternalServiceException\): Service not yet supported/);
    assert.equal(aws.fake.of('CreateTags').length, 1, 'both instances in one CreateTags call (same tags, same region)');
    assert.equal(aws.fake.of('TagResources').length, 1, 'the others in one TagResources call');
    assert.deepEqual(JSON.parse(aws.fake.of('TagResources')[0]!.body), { ResourceARNList: [nb.NotebookInstanceArn, bucket], Tags: { Team: 'research' } });

    const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [a!, b!] }] }));
    assert.deepEqual(tags.Tags!.map((t) => `${t.ResourceId}:${t.Key}=${t.Value}`).sort(), [`${a}:Environment=production`, `${a}:Team=research`, `${b}:Environment=production`, `${b}:Team=research`].sort());
    const tagging = new ResourceGroupsTaggingAPIClient({ region: REGION, endpoint: aws.moto.endpoint, credentials, maxAttempts: 1 });
    const listed = await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: 'Team', Values: ['research'] }] }));
    const arns = new Set(listed.ResourceTagMappingList!.map((m) => m.ResourceARN));
    assert.ok(arns.has(arn(a!)) && arns.has(nb.NotebookInstanceArn), [...arns].join(', '));
  });

  test('an instance that is gone fails alone: the others of its call are tagged', async () => {
    const ec2 = new EC2Client({ region: REGION, endpoint: aws.moto.endpoint, credentials, maxAttempts: 1 });
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 'g5.xlarge' }));
    const live = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${run.Instances![0]!.InstanceId}`;
    const gone = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;
    // EC2 refuses the whole call when one id does not exist (moto does not check ids: the refusals are EC2's own answers)
    const notFound = { operation: 'CreateTags', status: 400, headers: { 'content-type': 'text/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID \'i-0123456789abcdef0\' does not exist</Message></Error></Errors><RequestID>r-1</RequestID></Response>' };
    aws.fake.inject(notFound, notFound);
    const outcomes = await writer().write([{ id: gone, tags: { Team: 'x' } }, { id: live, tags: { Team: 'x' } }]);
    assert.deepEqual(outcomes.map((o) => o.ok), [false, true]);
    assert.match(outcomes[0]!.error!, /InvalidInstanceID\.NotFound: The instance ID 'i-0123456789abcdef0' does not exist/);
    assert.equal(aws.fake.of('CreateTags').length, 3, 'the refused call, then one call per id');
    const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [run.Instances![0]!.InstanceId!] }] }));
    assert.deepEqual(tags.Tags!.map((t) => t.Key), ['Team']);
  });

  test('access denied and throttling are per resource, with the fix; expired credentials stop everything and name the sign-in', async () => {
    const arnA = 'arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/a';
    aws.fake.inject({ operation: 'TagResources', status: 400, body: JSON.stringify({ __type: 'AccessDeniedException', message: 'User is not authorized to perform: tag:TagResources' }) });
    const denied = await writer().write([{ id: arnA, tags: { Team: 'x' } }]);
    assert.equal(denied[0]!.ok, false);
    assert.match(denied[0]!.error!, /AWS denied tag:TagResources .*Allow "tag:TagResources"/);

    aws.fake.inject({ operation: 'TagResources', status: 400, body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }) });
    const throttled = await writer().write([{ id: arnA, tags: { Team: 'x' } }]);
    assert.match(throttled[0]!.error!, /throttling/i);

    aws.fake.inject({ operation: 'TagResources', status: 400, body: JSON.stringify({ __type: 'ExpiredTokenException', message: 'The security token included in the request is expired' }) });
    await assert.rejects(writer().write([{ id: arnA, tags: { Team: 'x' } }]), (e) => isFinOpsError(e, 'auth') && /aws sso login/.test(e.fix));
  });

  test('an id that is not an ARN is refused without a call', async () => {
    const out = await writer().write([{ id: 'i-0abc', tags: { Team: 'x' } }]);
    assert.match(out[0]!.error!, /not an ARN/);
    assert.equal(aws.fake.requests.length, 0);
  });
});

describe('Google Cloud labels and Azure tags against fakes of the documented shapes', () => {
  let fakes: ResourceTagFakes;
  before(async () => { fakes = await startResourceTagFakes(); });
  after(async () => { await fakes.stop(); });
  const VM = 'projects/ml-prod/zones/us-central1-a/instances/trainer-1';
  const SUB = '00000000-0000-0000-0000-000000000001';
  const AZ = `/subscriptions/${SUB}/resourceGroups/ml/providers/Microsoft.Compute/virtualMachines/gpu-box`;
  beforeEach(() => {
    fakes.requests.length = 0;
    fakes.vms.clear();
    fakes.azure.clear();
    fakes.denied.clear();
    fakes.vms.set('ml-prod/us-central1-a/trainer-1', { labels: { team: 'nlp', owner: 'ana' }, fingerprint: 'fp-1' });
    fakes.azure.set(AZ.toLowerCase(), { Team: 'cv', Owner: 'bo@example.com' });
  });
  const gcp = () => new GcpLabelWriter({ endpoint: fakes.endpoint, authClient: accessTokenAuth('test-token'), retry: { attempts: 1, baseMs: 1 } });
  const azure = () => new AzureTagWriter({ endpoint: fakes.endpoint, credential: { getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 }) } });

  test('GCP: setLabels sends every label with the fingerprint read just before, and the labels are merged', async () => {
    assert.deepEqual(parseInstanceId(`//compute.googleapis.com/${VM}`), { project: 'ml-prod', zone: 'us-central1-a', instance: 'trainer-1' });
    const out = await gcp().write([{ id: `//compute.googleapis.com/${VM}`, tags: { team: 'research', cost_center: '1234' } }]);
    assert.deepEqual(out, [{ id: `//compute.googleapis.com/${VM}`, ok: true }]);
    assert.deepEqual(fakes.vms.get('ml-prod/us-central1-a/trainer-1')!.labels, { team: 'research', owner: 'ana', cost_center: '1234' });
    const set = fakes.requests.find((r) => r.path.endsWith('/setLabels'))!;
    assert.equal(set.method, 'POST');
    assert.equal(set.path, `/compute/v1/${VM}/setLabels`);
    assert.deepEqual(set.body, { labels: { team: 'research', owner: 'ana', cost_center: '1234' }, labelFingerprint: 'fp-1' });
    assert.equal(set.authorization, 'Bearer test-token');
    assert.ok(fakes.requests.some((r) => /\/zones\/us-central1-a\/operations\/operation-\d+\/wait$/.test(r.path)), 'waits for the zone operation');
  });

  test('GCP: a fingerprint that changed under the writer is read again; an invalid value and a denied VM fail alone', async () => {
    const writer = gcp();
    // someone else labels the VM between our read and our write
    fakes.race('ml-prod/us-central1-a/trainer-1', { team: 'nlp', owner: 'ana', env: 'dev' });
    const out = await writer.write([{ id: VM, tags: { team: 'research' } }]);
    assert.deepEqual(out.map((o) => o.ok), [true], out[0]?.error);
    assert.deepEqual(fakes.vms.get('ml-prod/us-central1-a/trainer-1')!.labels, { team: 'research', owner: 'ana', env: 'dev' }, 'the other change is kept');
    assert.equal(fakes.requests.filter((r) => r.path.endsWith('/setLabels')).length, 2);
    // a VM whose labels change on every try: given up after three, saying why
    const racing = { race: () => fakes.race('ml-prod/us-central1-a/trainer-1', { team: `t${Math.random().toString(36).slice(2, 6)}` }) };
    const original = fakes.requests.push.bind(fakes.requests);
    fakes.requests.push = (...calls) => { if (calls.some((c) => c.method === 'GET')) racing.race(); return original(...calls); };
    try {
      const busy = await writer.write([{ id: VM, tags: { team: 'research' } }]);
      assert.equal(busy[0]!.ok, false);
      assert.match(busy[0]!.error!, /kept changing while ML FinOps set them \(3 tries\)/);
    } finally {
      fakes.requests.push = original;
    }

    fakes.vms.set('ml-prod/us-central1-a/trainer-2', { labels: {}, fingerprint: 'fp-2' });
    fakes.denied.add('ml-prod/us-central1-a/trainer-2');
    const mixed = await writer.write([
      { id: VM, tags: { team: 'ML Research' } },
      { id: 'projects/ml-prod/zones/us-central1-a/instances/trainer-2', tags: { team: 'x' } },
      { id: 'projects/ml-prod/zones/us-central1-a/instances/gone', tags: { team: 'x' } },
      { id: 'projects/ml-prod/global/images/x', tags: { team: 'x' } },
    ]);
    assert.deepEqual(mixed.map((o) => o.ok), [false, false, false, false]);
    assert.match(mixed[0]!.error!, /refused the request.*Label values can only contain/);
    assert.match(mixed[1]!.error!, /denied compute\.instances\.setLabels.*Compute Instance Admin/);
    assert.match(mixed[2]!.error!, /was not found/);
    assert.match(mixed[3]!.error!, /only VMs are labelled/);
  });

  test('GCP: read gives the current labels', async () => {
    const [r] = await gcp().read([VM]);
    assert.deepEqual(r!.tags, { team: 'nlp', owner: 'ana' });
    assert.equal(r!.attributes?.project, 'ml-prod');
  });

  test('Azure: Tags - Update At Scope with operation Merge keeps the other tags; denied and unknown resources fail alone', async () => {
    const out = await azure().write([{ id: AZ, tags: { Team: 'research', Environment: 'production' } }]);
    assert.deepEqual(out, [{ id: AZ, ok: true }]);
    assert.deepEqual(fakes.azure.get(AZ.toLowerCase()), { Team: 'research', Owner: 'bo@example.com', Environment: 'production' });
    const patch = fakes.requests.find((r) => r.method === 'PATCH')!;
    assert.equal(patch.path, `${AZ}/providers/Microsoft.Resources/tags/default`);
    assert.deepEqual(patch.query, { 'api-version': '2021-04-01' });
    assert.deepEqual(patch.body, { operation: 'Merge', properties: { tags: { Team: 'research', Environment: 'production' } } });
    assert.equal(patch.authorization, 'Bearer test-token');

    const other = `/subscriptions/${SUB}/resourceGroups/ml/providers/Microsoft.Storage/storageAccounts/data`;
    fakes.azure.set(other.toLowerCase(), {});
    fakes.denied.add(other.toLowerCase());
    const mixed = await azure().write([
      { id: other, tags: { Team: 'x' } },
      { id: `/subscriptions/${SUB}/resourceGroups/ml/providers/Microsoft.Compute/virtualMachines/gone`, tags: { Team: 'x' } },
      { id: 'not-an-id', tags: { Team: 'x' } },
    ]);
    assert.deepEqual(mixed.map((o) => o.ok), [false, false, false]);
    assert.match(mixed[0]!.error!, /Microsoft\.Resources\/tags\/write.*Tag Contributor/);
    assert.match(mixed[1]!.error!, /was not found/);
    assert.match(mixed[2]!.error!, /not an Azure resource id/);
    const [read] = await azure().read([AZ]);
    assert.deepEqual(read!.tags, { Team: 'research', Owner: 'bo@example.com', Environment: 'production' });
  });
});
