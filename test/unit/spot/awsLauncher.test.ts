import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { EC2Client, CreateSubnetCommand, CreateVpcCommand, DescribeInstancesCommand, DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand, DescribeFleetsCommand } from '@aws-sdk/client-ec2';
import { isFinOpsError } from '../../../src/core/errors';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { requireJob, type SpotJob } from '../../../src/core/spot/job';
import { planJob } from '../../../src/core/spot/plan';
import { AwsSpotLauncher } from '../../../src/providers/aws/spotLauncher';
import { startRecordingProxy, type RecordingProxy } from '../../support/fakes/recordingProxy';
import { applyOfflineEnv, freePort, motoBehind, offlineEnv } from '../../support/moto';
import { runCli } from '../../support/cli';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minimalJob } from './fixtures';

applyOfflineEnv();
const env = motoBehind('mlfinops-spot-aws-', (endpoint) => startRecordingProxy(endpoint));
const proxy = (): RecordingProxy => env.fake;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const BUCKET = 'ckpt-bucket';

beforeEach(async () => {
  await env.moto.reset();
  proxy().clear();
  const r = await fetch(`${env.moto.endpoint}/${BUCKET}`, { method: 'PUT' });
  assert.ok(r.ok, `create bucket: ${r.status}`);
  const vpc = await ec2().send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  subnets = [];
  for (const [i, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
    const s = await ec2().send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: zone }));
    subnets.push(s.Subnet!.SubnetId!);
  }
  proxy().clear();
});

let subnets: string[] = [];
const jobOf = (extra = '', subnetIds = subnets): SpotJob => requireJob(`${minimalJob}${extra}aws: { subnets: [${subnetIds.join(', ')}], imageId: ami-0123abcd, instanceProfile: trainer }\n`, 'jobs/train-a.yaml');
const launcher = (endpoint = proxy().endpoint) => new AwsSpotLauncher({ profile: '', region: 'us-east-1', endpoint, credentials, settleMs: 5000, sleep: () => new Promise((r) => setTimeout(r, 50)) }, 'us-east-1');
const ec2 = () => new EC2Client({ region: 'us-east-1', endpoint: env.moto.endpoint, credentials });
const USER_DATA = '#!/bin/sh\necho train\n';

function params(body: string): URLSearchParams {
  return new URLSearchParams(body);
}

function ec2Error(code: string, message: string, status = 400) {
  return { status, headers: { 'content-type': 'text/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>f0e1d2c3-0000-4000-8000-000000000000</RequestID></Response>` };
}

async function templates(): Promise<string[]> {
  const out = await ec2().send(new DescribeLaunchTemplatesCommand({}));
  return (out.LaunchTemplates ?? []).map((t) => t.LaunchTemplateName ?? '');
}

async function liveFleets(): Promise<string[]> {
  const out = await ec2().send(new DescribeFleetsCommand({}));
  return (out.Fleets ?? []).filter((f) => !/deleted/.test(f.FleetState ?? '')).map((f) => f.FleetId ?? '');
}

test('launch: DryRun first, then a launch template (IMDSv2, user data, tags on instance and volume) and a maintain fleet; status; stop deletes both', async () => {
  const job = jobOf('count: 2\nonDemand: { base: 1 }\n');
  const plan = planJob(job, { catalogue: shippedCatalogue() });
  const steps: string[] = [];
  const result = await launcher().launch({ job, plan, userData: USER_DATA, progress: (m) => steps.push(m) });
  assert.ok(steps.length >= 4, steps.join());

  // the order of requests: DryRun before every create
  const ops = proxy().requests.filter((r) => /^Create/.test(r.operation ?? '')).map((r) => `${r.operation}${params(r.body).get('DryRun') === 'true' ? ':dry' : ''}`);
  assert.deepEqual(ops, ['CreateLaunchTemplate:dry', 'CreateLaunchTemplate', 'CreateFleet:dry', 'CreateFleet']);
  assert.deepEqual(result.dryRun.checks.filter((c) => /DryRun/.test(c)), ['CreateLaunchTemplate: would succeed (DryRun).', 'CreateFleet: would succeed (DryRun).']);
  assert.match(result.dryRun.checks[0]!, /s3:\/\/ckpt-bucket\/run1: reachable/);

  // the launch template, as EC2 holds it
  const versions = await ec2().send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'mlfinops-train-a', Versions: ['$Latest'] }));
  const data = versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
  assert.equal(data?.MetadataOptions?.HttpTokens, 'required');
  assert.equal(Buffer.from(data?.UserData ?? '', 'base64').toString('utf8'), USER_DATA);
  assert.equal(data?.ImageId, 'ami-0123abcd');
  assert.equal(data?.IamInstanceProfile?.Name, 'trainer');
  const specs = new Map((data?.TagSpecifications ?? []).map((t) => [t.ResourceType, Object.fromEntries((t.Tags ?? []).map((x) => [x.Key, x.Value]))]));
  assert.equal(specs.get('instance')?.['mlfinops-job'], 'train-a');
  assert.equal(specs.get('instance')?.Team, 'nlp');
  assert.equal(specs.get('volume')?.CostCenter, 'cc1');

  // the fleet request: maintain, price-capacity-optimized, every type × subnet, an on-demand base of 1
  const fleetReq = params(proxy().of('CreateFleet').at(-1)!.body);
  assert.equal(fleetReq.get('Type'), 'maintain');
  assert.equal(fleetReq.get('SpotOptions.AllocationStrategy'), 'price-capacity-optimized');
  assert.equal(fleetReq.get('TargetCapacitySpecification.TotalTargetCapacity'), '2');
  assert.equal(fleetReq.get('TargetCapacitySpecification.OnDemandTargetCapacity'), '1');
  const overrides = [...fleetReq.entries()].filter(([k]) => /Overrides\.\d+\.(InstanceType|SubnetId)$/.test(k)).map(([, v]) => v);
  assert.deepEqual(overrides.sort(), ['g5.2xlarge', 'g5.2xlarge', 'g6.2xlarge', 'g6.2xlarge', ...subnets, ...subnets].sort());

  // status: the fleet's instances with type, zone and lifecycle
  assert.equal(result.status.state, 'running');
  assert.equal(result.status.instances.length, 2);
  assert.deepEqual(result.status.instances.map((i) => i.lifecycle).sort(), ['on-demand', 'spot']);
  assert.ok(result.status.instances.every((i) => i.zone && ['g5.2xlarge', 'g6.2xlarge'].includes(i.instanceType)));
  assert.deepEqual(result.resources.map((r) => r.kind), ['launchTemplate', 'fleet']);
  assert.match(result.status.consoleUrl ?? '', /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/ec2\/.*fleet-/);

  // a second launch of the same job is refused, and creates nothing more
  await assert.rejects(launcher().launch({ job, plan, userData: USER_DATA }), (e: unknown) => isFinOpsError(e, 'input') && /already launched/.test(e.message));
  assert.equal((await liveFleets()).length, 1);

  // stop: the fleet with its instances, then the template
  const ids = result.status.instances.map((i) => i.id);
  const deleted = await launcher().stop(job);
  assert.deepEqual(deleted.map((r) => r.kind), ['fleet', 'launchTemplate']);
  assert.deepEqual(await templates(), []);
  assert.deepEqual(await liveFleets(), []);
  const after = await ec2().send(new DescribeInstancesCommand({ InstanceIds: ids }));
  assert.ok(after.Reservations?.flatMap((r) => r.Instances ?? []).every((i) => i.State?.Name === 'terminated'));
  assert.equal((await launcher().status(job)).state, 'planned');
});

test('preflight: the checks and the launch template\'s DryRun, nothing created; a launch given those checks does not repeat them', async () => {
  const job = jobOf();
  const plan = planJob(job, { catalogue: shippedCatalogue() });
  const report = await launcher().preflight({ job, plan, userData: USER_DATA });
  assert.deepEqual(report.checks.filter((c) => /DryRun/.test(c)), ['CreateLaunchTemplate: would succeed (DryRun).']);
  assert.match(report.checks[0]!, /s3:\/\/ckpt-bucket\/run1: reachable/);
  assert.deepEqual(proxy().requests.filter((r) => /^Create/.test(r.operation ?? '')).map((r) => `${r.operation}:${params(r.body).get('DryRun')}`), ['CreateLaunchTemplate:true']);
  assert.deepEqual(await templates(), []);
  // moto's spot price history answers $0.00001 for every type: no market price, so the catalogue's stands in and says so
  assert.ok(!report.checks.some((c) => /^Current spot prices/.test(c)), report.checks.join('\n'));
  assert.match(report.checks.find((c) => /spot price history/.test(c)) ?? '', /^EC2's spot price history has no usable price for g5\.2xlarge, g6\.2xlarge \(\$0\.0000\/h: under 5 % of on-demand, not a market price\): the catalogue's spot prices stand in \(.+ \(snapshot, \d{4}-\d\d-\d\d\)\)\.$/);
  proxy().clear();
  const result = await launcher().launch({ job, plan, userData: USER_DATA, checked: report });
  const ops = proxy().requests.filter((r) => /^Create/.test(r.operation ?? '')).map((r) => `${r.operation}${params(r.body).get('DryRun') === 'true' ? ':dry' : ''}`);
  assert.deepEqual(ops, ['CreateLaunchTemplate', 'CreateFleet:dry', 'CreateFleet']);
  assert.deepEqual(result.dryRun.checks.slice(0, report.checks.length), report.checks);
  await launcher().stop(job);
});

test('DryRun UnauthorizedOperation on the launch template: a permission error naming the action, nothing created', async () => {
  const job = jobOf();
  proxy().inject({ ...ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403), operation: 'CreateLaunchTemplate' });
  await assert.rejects(launcher().launch({ job, plan: planJob(job, { catalogue: shippedCatalogue() }), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'permission') && /ec2:CreateLaunchTemplate/.test(e.message) && /IAM policy/.test(e.fix));
  assert.equal(proxy().of('CreateLaunchTemplate').length, 1, 'only the DryRun was sent');
  assert.deepEqual(await templates(), []);
});

test('DryRun UnauthorizedOperation on the fleet: the launch template just created is deleted and the error says so', async () => {
  const job = jobOf();
  proxy().inject({ ...ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403), operation: 'CreateFleet' });
  await assert.rejects(launcher().launch({ job, plan: planJob(job, { catalogue: shippedCatalogue() }), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'permission') && /ec2:CreateFleet/.test(e.message) && /launch template lt-[0-9a-f]+\) was deleted/.test(e.message));
  assert.deepEqual(await templates(), []);
  assert.deepEqual(await liveFleets(), []);
});

test('a subnet that does not exist: an input error naming the job file\'s aws settings, and the template deleted', async () => {
  const job = jobOf('', ['subnet-0dead']);
  await assert.rejects(launcher().launch({ job, plan: planJob(job, { catalogue: shippedCatalogue() }), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'input') && /subnet-0dead/.test(e.message) && /was deleted/.test(e.message) && /subnets/.test(e.fix));
  assert.deepEqual(await templates(), []);
});

for (const code of ['InsufficientInstanceCapacity', 'MaxSpotInstanceCountExceeded']) {
  test(`${code} from CreateFleet: a clear message with the fix, and nothing left behind`, async () => {
    const job = jobOf();
    proxy().inject({ operation: 'CreateFleet', status: 412, headers: { 'content-type': 'text/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>DryRunOperation</Code><Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors><RequestID>1</RequestID></Response>' });
    proxy().inject({ ...ec2Error(code, 'There is no Spot capacity available that matches your request.'), operation: 'CreateFleet' });
    await assert.rejects(launcher().launch({ job, plan: planJob(job, { catalogue: shippedCatalogue() }), userData: USER_DATA }), (e: unknown) => {
      assert.ok(isFinOpsError(e, 'unavailable'), String(e));
      assert.match(e.message, new RegExp(code));
      assert.match(e.message, /was deleted/);
      assert.match(e.fix, code === 'MaxSpotInstanceCountExceeded' ? /quota/ : /more instance types/);
      return true;
    });
    assert.deepEqual(await templates(), []);
    assert.deepEqual(await liveFleets(), []);
  });
}

test('a max price below the current spot price of every type is refused before anything is created', async () => {
  const job = jobOf('maxPricePerHour: 0.5\n');
  const item = (type: string, zone: string, price: string) => `<item><instanceType>${type}</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>${price}</spotPrice><timestamp>${new Date().toISOString()}</timestamp><availabilityZone>${zone}</availabilityZone></item>`;
  proxy().inject({ operation: 'DescribeSpotPriceHistory', status: 200, headers: { 'content-type': 'text/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeSpotPriceHistoryResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId><spotPriceHistorySet>${item('g5.2xlarge', 'us-east-1a', '0.710000')}${item('g5.2xlarge', 'us-east-1b', '0.640000')}${item('g6.2xlarge', 'us-east-1a', '0.820000')}</spotPriceHistorySet><nextToken></nextToken></DescribeSpotPriceHistoryResponse>` });
  await assert.rejects(launcher().launch({ job, plan: planJob(job, { catalogue: shippedCatalogue() }), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'input') && /max price \$0.5000\/h is below the current spot price .* g5.2xlarge at \$0.6400\/h/.test(e.message) && /nothing was created/.test(e.message));
  assert.equal(proxy().of('CreateLaunchTemplate').length, 0);
  assert.deepEqual(await templates(), []);
});

test('preflight: credible current spot prices are reported as EC2\'s; a type without one is priced from the catalogue, with its source', async () => {
  const job = jobOf();
  const item = (type: string, zone: string, price: string) => `<item><instanceType>${type}</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>${price}</spotPrice><timestamp>${new Date().toISOString()}</timestamp><availabilityZone>${zone}</availabilityZone></item>`;
  proxy().inject({ operation: 'DescribeSpotPriceHistory', status: 200, headers: { 'content-type': 'text/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeSpotPriceHistoryResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId><spotPriceHistorySet>${item('g5.2xlarge', 'us-east-1a', '0.710000')}${item('g5.2xlarge', 'us-east-1b', '0.640000')}</spotPriceHistorySet><nextToken></nextToken></DescribeSpotPriceHistoryResponse>` });
  const plan = planJob(job, { catalogue: shippedCatalogue() });
  const report = await launcher().preflight({ job, plan, userData: USER_DATA });
  assert.ok(report.checks.includes('Current spot prices (EC2 spot price history): g5.2xlarge $0.6400/h.'), report.checks.join('\n'));
  const g6 = plan.types.find((t) => t.instanceType === 'g6.2xlarge')!;
  assert.match(report.checks.find((c) => /no usable price/.test(c)) ?? '', /^EC2's spot price history has no usable price for g6\.2xlarge: the catalogue's spot prices stand in \(/);
  assert.ok(g6.spotHourly! > 0);
  assert.deepEqual(await templates(), []);
});

test('a checkpoint bucket that does not exist, or cannot be reached, stops the launch before anything is created', async () => {
  const job = requireJob(`${minimalJob.replace('s3://ckpt-bucket/run1', 's3://no-such-bucket/run1')}`, 'jobs/train-a.yaml');
  await assert.rejects(launcher().launch({ job, plan: planJob(job, { catalogue: shippedCatalogue() }), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'input') && /checkpoint bucket no-such-bucket does not exist/.test(e.message) && /aws s3 mb s3:\/\/no-such-bucket/.test(e.fix));
  const dead = `http://127.0.0.1:${await freePort()}`;
  await assert.rejects(launcher(dead).launch({ job: jobOf(), plan: planJob(jobOf(), { catalogue: shippedCatalogue() }), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'unavailable') && /cannot be reached/.test(e.message));
  assert.equal(proxy().of('CreateLaunchTemplate').length, 0);
  assert.deepEqual(await templates(), []);
});

test('mlfinops spot launch needs --yes; then launch, status and stop against the emulator', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlfinops-spot-cli-'));
  mkdirSync(join(dir, '.finops/jobs'), { recursive: true });
  writeFileSync(join(dir, '.finops/jobs/train-a.yaml'), `${minimalJob}aws: { subnets: [${subnets.join(', ')}], imageId: ami-0123abcd }\n`);
  const cli = (...args: string[]) => runCli(['spot', ...args, '--endpoint', proxy().endpoint], { cwd: dir, env: { ...process.env, ...offlineEnv } });
  const refused = await cli('launch', 'train-a');
  assert.equal(refused.code, 2);
  assert.match(refused.err, /Will create:/);
  assert.match(refused.err, /Nothing was launched: a launch spends money \(about \$\d+\.\d\d for 10 h on spot\), so it needs --yes/);
  assert.equal(proxy().of('CreateLaunchTemplate').length, 0);

  const launched = await cli('launch', 'train-a', '--yes');
  assert.equal(launched.code, 0, launched.err);
  assert.match(launched.out, /✓ CreateLaunchTemplate: would succeed \(DryRun\)\./);
  assert.match(launched.out, /Launched: launch template lt-\w+ \(mlfinops-train-a\), EC2 Fleet fleet-/);
  assert.match(launched.out, /Job "train-a": running/);
  const versions = await ec2().send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'mlfinops-train-a', Versions: ['$Latest'] }));
  const userData = Buffer.from(versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData ?? '', 'base64').toString('utf8');
  assert.match(userData, /sh \/opt\/mlfinops\/bootstrap.sh/);
  assert.match(userData, /"checkpointUri": "s3:\/\/ckpt-bucket\/run1"/);

  const status = await cli('status', 'train-a', '--format', 'json');
  assert.equal(status.code, 0, status.err);
  const s = JSON.parse(status.out);
  assert.equal(s.state, 'running');
  assert.equal(s.instances.length, 1);
  const text = await cli('status', 'train-a');
  // moto's spot price ($0.00001) is no market price: the catalogue's, labelled with its source and date
  assert.match(text.out, /^Runtime \d+ min, \$\d+\.\d{4}\/h \(catalogue\) now, about \$\d+\.\d\d so far \(instances running now, at the catalogue's spot prices \(.+ \(snapshot, \d{4}-\d\d-\d\d\)\): the cloud reports none usable\)\.$/m, text.out);
  assert.match(text.out, /^ {2}i-\w+ {2}g[56]\.2xlarge {2}us-east-1[ab] {2}spot {2}running {2}\$0\.\d{4}\/h \(catalogue\)$/m, text.out);

  const stopped = await cli('stop', 'train-a');
  assert.equal(stopped.code, 0, stopped.err);
  assert.match(stopped.out, /Stopped "train-a": deleted EC2 Fleet fleet-.*, launch template lt-/);
  assert.deepEqual(await templates(), []);
  assert.deepEqual(await liveFleets(), []);
  const again = await cli('stop', 'train-a');
  assert.match(again.out, /Nothing of "train-a" was running/);
});
