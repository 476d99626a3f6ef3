import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeTagsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { applyOfflineEnv, motoBehind } from '../../support/moto';
import { startRecordingProxy } from '../../support/fakes/recordingProxy';
import { runCli } from '../../support/cli';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const REGION = 'us-east-1';
const aws = motoBehind('acttag', startRecordingProxy);
beforeEach(async () => {
  await aws.moto.reset();
  aws.fake.clear();
});

const POLICY = [
  'version: 1',
  'tags:',
  '  required: [Team, Environment]',
  '  rules:',
  '    Environment:',
  '      allowed: [dev, production]',
  '      description: production workloads page the on-call',
].join('\n');

function ec2() {
  return new EC2Client({ region: REGION, endpoint: aws.moto.endpoint, credentials, maxAttempts: 1 });
}

async function launch(tags: Record<string, string>): Promise<string> {
  const r = await ec2().send(new RunInstancesCommand({
    ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 'g5.xlarge',
    ...(Object.keys(tags).length ? { TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] } : {}),
  }));
  return r.Instances![0]!.InstanceId!;
}

async function tagsOf(id: string): Promise<Record<string, string>> {
  const r = await ec2().send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }));
  return Object.fromEntries((r.Tags ?? []).map((t) => [t.Key!, t.Value!]));
}

const arnOf = (id: string) => `arn:aws:ec2:${REGION}:123456789012:instance/${id}`;

describe('mlfinops act tag against moto', () => {
  test('without --yes prints the plan with suggestions and changes nothing; with --yes the tags are on the instance', async () => {
    aws.fake.clear();
    const dir = aws.dir;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/.finops.yaml`, POLICY);
    const target = await launch({ Name: 'trainer' });
    await launch({ Team: 'ml-research', Environment: 'dev' });
    await launch({ Team: 'ml-research', Environment: 'production' });
    await launch({ Team: 'platform', Environment: 'production' });
    const env = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true' };
    const common = ['act', 'tag', '--resource', arnOf(target), '--endpoint', aws.fake.endpoint];

    const look = await runCli(common, { cwd: dir, env });
    assert.equal(look.code, 0, look.err);
    assert.match(look.out, /Still lacking on .*trainer/);
    assert.match(look.out, /Team: suggested ml-research \(2 of 3 resources in account 123456789012 have Team = ml-research\); platform/);
    assert.match(look.out, /Environment: suggested production \(2 of 3/);

    const plan = await runCli([...common, '--set', 'Team=ml-research', '--set', 'Environment=production'], { cwd: dir, env });
    assert.equal(plan.code, 0, plan.err);
    assert.match(plan.out, /Tag 1 running resource in the cloud \(policy: \.finops\.yaml\)/);
    assert.match(plan.out, /Team: \(none\) → "ml-research"/);
    assert.match(plan.err, /nothing was changed.*--yes/);
    assert.deepEqual(await tagsOf(target), { Name: 'trainer' }, 'no tag without --yes');
    assert.equal(aws.fake.of('CreateTags').length + aws.fake.of('TagResources').length, 0, 'no write call without --yes');

    const refused = await runCli([...common, '--set', 'Team=ml-research', '--set', 'Environment=prod', '--yes'], { cwd: dir, env });
    assert.equal(refused.code, 2);
    assert.match(refused.out, /Environment = "prod": expected one of "dev", "production" \(production workloads page the on-call\)/);
    assert.deepEqual(await tagsOf(target), { Name: 'trainer' }, 'a refused value changes nothing');

    const done = await runCli([...common, '--set', 'Team=ml-research', '--set', 'Environment=production', '--yes', '--format', 'json'], { cwd: dir, env });
    assert.equal(done.code, 0, done.err);
    const json = JSON.parse(done.out) as { applied: boolean; outcomes: { id: string; ok: boolean }[]; resources: { route: string; changes: unknown[] }[] };
    assert.equal(json.applied, true);
    assert.deepEqual(json.outcomes, [{ id: arnOf(target), ok: true }]);
    assert.deepEqual(await tagsOf(target), { Name: 'trainer', Team: 'ml-research', Environment: 'production' });
    const tagging = new ResourceGroupsTaggingAPIClient({ region: REGION, endpoint: aws.moto.endpoint, credentials, maxAttempts: 1 });
    const listed = await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: 'Team', Values: ['ml-research'] }] }));
    assert.ok(listed.ResourceTagMappingList?.some((m) => m.ResourceARN === arnOf(target)), 'the tagging API sees the new tags');
  });

  test('an instance declared in the workspace\'s Terraform is routed to the IaC fix, not tagged in the cloud', async () => {
    const dir = `${aws.dir}/iac`;
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/.finops.yaml`, POLICY);
    writeFileSync(`${dir}/main.tf`, [
      'resource "aws_instance" "trainer" {',
      '  ami           = "ami-12c6146b"',
      '  instance_type = "g5.xlarge"',
      '  tags = {',
      '    Name = "iac-trainer"',
      '  }',
      '}',
    ].join('\n'));
    const id = await launch({ Name: 'iac-trainer' });
    const env = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: REGION };
    const r = await runCli(['act', 'tag', '--resource', arnOf(id), '--set', 'Team=platform', '--set', 'Environment=dev', '--endpoint', aws.fake.endpoint, '--yes'], { cwd: dir, env });
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /declared in IaC[\s\S]*aws_instance\.trainer in main\.tf:1 \(the same Name tag "iac-trainer"\)/);
    assert.match(r.err, /not tagged in the cloud/);
    assert.deepEqual(await tagsOf(id), { Name: 'iac-trainer' });
    assert.equal(aws.fake.of('CreateTags').length, 0);
  });

  test('usage: act lists its actions, a bad --set is a usage error naming the form', async () => {
    const help = await runCli(['act', '--help'], { cwd: aws.dir });
    assert.equal(help.code, 0);
    assert.match(help.out, /Actions:\n\s+tag\s/);
    const tagHelp = await runCli(['act', 'tag', '--help'], { cwd: aws.dir });
    assert.match(tagHelp.out, /Usage: mlfinops act tag --resource ID/);
    const bad = await runCli(['act', 'tag', '--resource', 'arn:aws:ec2:us-east-1:1:instance/i-1', '--set', 'Team'], { cwd: aws.dir });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /mlfinops act tag: --set takes KEY=VALUE/);
    assert.match(bad.err, /Usage: mlfinops act tag/);
    const unknown = await runCli(['act', 'frob'], { cwd: aws.dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown action "frob"/);
  });
});
