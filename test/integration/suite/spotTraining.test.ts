import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CreateSubnetCommand, CreateVpcCommand, DeleteFleetsCommand, DescribeFleetsCommand, DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import type { ConfirmRequest } from '../../../src/platform/confirmations';
import type { LaunchOutcome } from '../../../src/features/spotTraining/launch';
import { loadDefaultPolicy } from '../../../src/core/policy/load';
import { prepareJob } from '../../../src/core/spot/prepare';
import { planSummary } from '../../../src/core/spot/plan';
import { usd } from '../../../src/core/savings/estimate';
import { startMoto, type Moto } from '../../support/moto';
import { startRecordingProxy, type RecordingProxy } from '../../support/fakes/recordingProxy';

const EXTENSION_ID = 'ml-finops.ml-finops';
const BUCKET = 'it-spot-checkpoints';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** A job like the demo's (demo/.finops/jobs/llm-finetune.yaml), with the emulator's subnets. */
function jobText(subnets: string[], tags = 'Environment: dev, Team: nlp, Project: llm-finetune, CostCenter: cc-4521, Owner: ml-platform@example.com'): string {
  return `cloud: aws
regions: [us-east-1]
zones: [us-east-1a, us-east-1b]
instanceTypes: [g5.2xlarge, g6.2xlarge, g5.4xlarge]
count: 1
maxPricePerHour: 1.10
command: python train.py --config configs/finetune.yaml
code: { repo: https://example.invalid/llm-finetune.git, commit: 3f2c9a1e8b7d }
checkpoint: { uri: s3://${BUCKET}/it-train, everySteps: 500, intervalMinutes: 20 }
maxRuntimeHours: 36
tags: { ${tags} }
aws: { subnets: [${subnets.join(', ')}], imageId: ami-0123456789abcdef0, instanceProfile: mlfinops-training }
`;
}

suite('Spot training: launch from the editor after the plan, the DryRun and a modal; the Spot jobs view against moto; refused without the required tags', () => {
  let api: MlFinOpsApi;
  let moto: Moto;
  let proxy: RecordingProxy;
  let folder: vscode.Uri;
  let subnets: string[] = [];
  const savedEnv: Record<string, string | undefined> = {};
  const asked: ConfirmRequest[] = [];
  const config = () => vscode.workspace.getConfiguration('mlFinops');
  const ec2 = () => new EC2Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
  const jobUri = (name: string) => vscode.Uri.joinPath(folder, '.finops', 'jobs', `${name}.yaml`);
  const write = async (name: string, text: string) => vscode.workspace.fs.writeFile(jobUri(name), new TextEncoder().encode(text));
  const launch = (name: string) => vscode.commands.executeCommand<LaunchOutcome>(Commands.launchSpotTraining, jobUri(name));
  const templates = async () => (await ec2().send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? [];
  const liveFleets = async () => ((await ec2().send(new DescribeFleetsCommand({}))).Fleets ?? []).filter((f) => !/deleted/.test(f.FleetState ?? ''));

  suiteSetup(async function () {
    this.timeout(180_000);
    api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
    folder = vscode.workspace.workspaceFolders![0]!.uri;
    for (const [k, v] of Object.entries({ AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: undefined })) {
      savedEnv[k] = process.env[k];
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    moto = await startMoto();
    proxy = await startRecordingProxy(moto.endpoint);
    const bucket = await fetch(`${moto.endpoint}/${BUCKET}`, { method: 'PUT' });
    assert.ok(bucket.ok, `create bucket: ${bucket.status}`);
    const vpc = await ec2().send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    subnets = [];
    for (const [i, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
      subnets.push((await ec2().send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: zone }))).Subnet!.SubnetId!);
    }
    await config().update('aws.endpoint', proxy.endpoint, vscode.ConfigurationTarget.Global);
    await config().update('aws.profile', undefined, vscode.ConfigurationTarget.Global);
    api.confirmations.answerWith((r) => { asked.push(r); return false; });
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    api?.confirmations.answerWith(undefined);
    for (const f of moto ? await liveFleets().catch(() => []) : []) await ec2().send(new DeleteFleetsCommand({ FleetIds: [f.FleetId!], TerminateInstances: true })).catch(() => undefined);
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, '.finops'), { recursive: true }).then(undefined, () => undefined);
    await config().update('aws.endpoint', undefined, vscode.ConfigurationTarget.Global);
    for (const [k, v] of Object.entries(savedEnv)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    await proxy?.stop();
    await moto?.stop();
  });

  test('declining the modal creates nothing; confirming launches the fleet and the launch template with their tags, DryRun first', async function () {
    this.timeout(180_000);
    const text = jobText(subnets);
    await write('it-train', text);
    proxy.clear();

    // the modal is declined: the DryRun ran, nothing was created
    asked.length = 0;
    const declined = await launch('it-train');
    assert.equal(declined.outcome, 'cancelled', JSON.stringify(declined));
    assert.equal(asked.length, 1, 'one modal confirmation');
    const question = asked[0]!;
    assert.equal(question.action, 'Launch');
    // the same figures as the core's plan of the same file, and as `mlfinops spot plan` prints
    const expected = prepareJob(text, '.finops/jobs/it-train.yaml', loadDefaultPolicy().policy).plan;
    assert.ok(question.detail.startsWith(planSummary(expected)), question.detail);
    assert.ok(question.message.includes(`for about ${usd(expected.total.spot)} `), question.message);
    const root = process.env.MLFINOPS_TEST_ROOT!;
    const cliPlan = execFileSync(process.execPath, [path.join(root, 'dist/cli.js'), 'spot', 'plan', 'it-train'], { cwd: folder.fsPath, encoding: 'utf8' });
    const cliLine = /^Estimated cost: (.*)$/m.exec(cliPlan)?.[1];
    assert.equal(cliLine, planSummary(expected), 'the CLI prints the same estimate');
    assert.ok(question.detail.includes(cliLine!), 'the modal shows the CLI\'s estimate');
    assert.match(question.detail, /✓ CreateLaunchTemplate: would succeed \(DryRun\)\./);
    assert.match(question.detail, /✓ Checkpoint location s3:\/\/it-spot-checkpoints\/it-train: reachable\./);
    assert.match(question.detail, /EC2 Fleet \(type maintain\)/);
    const dry = proxy.of('CreateLaunchTemplate');
    assert.equal(dry.length, 1);
    assert.equal(new URLSearchParams(dry[0]!.body).get('DryRun'), 'true');
    assert.equal(proxy.of('CreateFleet').length, 0);
    assert.deepEqual(await templates(), []);
    assert.deepEqual(await liveFleets(), []);

    // the plan is shown beside, read-only
    const planDoc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'mlfinops-spot-plan');
    assert.ok(planDoc, 'the plan document');
    assert.match(planDoc.getText(), /Will create:/);
    assert.ok(planDoc.getText().includes(planSummary(expected)));

    // confirmed: created, with the job's tags on the launch template, the fleet, its instances and volumes
    api.confirmations.answerWith((r) => { asked.push(r); return true; });
    proxy.clear();
    const launched = await launch('it-train');
    assert.equal(launched.outcome, 'launched', JSON.stringify(launched));
    const ops = proxy.requests.filter((r) => /^Create(LaunchTemplate|Fleet)$/.test(r.operation ?? '')).map((r) => `${r.operation}${new URLSearchParams(r.body).get('DryRun') === 'true' ? ':dry' : ''}`);
    assert.deepEqual(ops, ['CreateLaunchTemplate:dry', 'CreateLaunchTemplate', 'CreateFleet:dry', 'CreateFleet']);
    const [template] = await templates();
    assert.equal(template?.LaunchTemplateName, 'mlfinops-it-train');
    const ltTags = Object.fromEntries((template?.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.equal(ltTags['mlfinops-job'], 'it-train');
    assert.equal(ltTags.Team, 'nlp');
    const versions = await ec2().send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'mlfinops-it-train', Versions: ['$Latest'] }));
    const data = versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
    assert.equal(data?.MetadataOptions?.HttpTokens, 'required');
    const specs = new Map((data?.TagSpecifications ?? []).map((t) => [t.ResourceType, Object.fromEntries((t.Tags ?? []).map((x) => [x.Key, x.Value]))]));
    assert.equal(specs.get('instance')?.Owner, 'ml-platform@example.com');
    assert.equal(specs.get('volume')?.CostCenter, 'cc-4521');
    const fleets = await liveFleets();
    assert.equal(fleets.length, 1);
    assert.equal(fleets[0]!.Type, 'maintain');
    const fleetTags = Object.fromEntries((fleets[0]!.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.equal(fleetTags['mlfinops-job'], 'it-train');
    assert.equal(fleetTags.Project, 'llm-finetune');
    if (launched.outcome === 'launched') {
      assert.deepEqual(launched.result.resources.map((r) => r.kind), ['launchTemplate', 'fleet']);
      assert.ok(launched.result.status.instances.length >= 1, 'the fleet has its instance');
    }
  });

  test('the Spot jobs view: the launched job with state, type, zone, price, runtime and cost so far; checkpoints from S3 newest first; refresh rate-limited; Stop and Resume behind a modal', async function () {
    this.timeout(180_000);
    // checkpoints as mlfinops_checkpoint publishes them (docs/spot-bootstrap.md): objects, then the manifest; one upload cut short
    const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials });
    const key = (step: number, id: string) => `checkpoints/step-${String(step).padStart(12, '0')}-${id}.ckpt`;
    const put = (k: string, size: number) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `it-train/${k}`, Body: Buffer.alloc(size, 7) }));
    await put(key(500, 'aaaa0500'), 2048);
    await put(key(1000, 'bbbb1000'), 4096);
    const entry = (step: number, id: string, size: number) => ({ key: key(step, id), step, size, sha256: '0'.repeat(64), savedAt: new Date(Date.now() - (2000 - step) * 1000).toISOString() });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'it-train/manifest.json', Body: JSON.stringify({ format: 'mlfinops-checkpoint/1', latest: key(1000, 'bbbb1000'), checkpoints: [entry(1000, 'bbbb1000', 4096), entry(500, 'aaaa0500', 2048)] }) }));
    await put(key(1500, 'cccc1500'), 100);

    const model = api.spotJobs.model;
    await model.refresh({ force: true });
    const jobNode = () => api.spotJobs.tree.getChildren().find((n) => n.kind === 'job' && n.entry.file.name === 'it-train')!;
    const item = api.spotJobs.tree.getTreeItem(jobNode());
    // moto's spot price history answers $0.00001, no market price: the view shows the catalogue's, labelled
    assert.match(String(item.description), /^running · g[56]\.[24]xlarge · us-east-1[ab] · \$0\.\d{4}\/h \(catalogue\) · \d+ min · \$\d+\.\d\d so far$/, String(item.description));
    assert.match(String(item.contextValue), /^spotJob launched console instances resumable$/);
    const checkpoints = api.spotJobs.tree.getChildren(jobNode()).map((n) => api.spotJobs.tree.getTreeItem(n));
    assert.deepEqual(checkpoints.map((c) => c.label), ['step 1,500', 'step 1,000', 'step 500']);
    assert.match(String(checkpoints[0]!.description), /^100 B · .* · not published$/);
    assert.match(String(checkpoints[1]!.description), /^4\.0 KB · \d+ min ago · latest$/);
    assert.match(String(checkpoints[2]!.description), /^2\.0 KB · \d+ min ago$/);

    // refresh is rate-limited: a second refresh within the interval asks the cloud nothing
    const count = model.refreshCount;
    proxy.clear();
    await vscode.commands.executeCommand(Commands.refreshSpotJobs);
    await model.refresh();
    assert.equal(model.refreshCount, count);
    assert.equal(proxy.requests.length, 0, proxy.requests.map((r) => r.operation ?? r.path).join());

    // Stop: declined, nothing is deleted; confirmed, the fleet (with its instance) and the template are deleted
    asked.length = 0;
    api.confirmations.answerWith((r) => { asked.push(r); return false; });
    assert.equal(await vscode.commands.executeCommand(Commands.stopSpotJob, jobNode()), false);
    assert.equal(asked[0]?.action, 'Stop Job');
    assert.match(asked[0]!.message, /Stop spot job "it-train"\? Its 1 instance is terminated now/);
    assert.match(asked[0]!.detail, /Deletes launch template lt-\w+, EC2 Fleet fleet-[\w-]+ with its instances\./);
    assert.match(asked[0]!.detail, /cost about \$\d+\.\d\d so far/);
    assert.match(asked[0]!.detail, /Checkpoints in s3:\/\/it-spot-checkpoints\/it-train are kept/);
    assert.equal((await liveFleets()).length, 1);
    api.confirmations.answerWith((r) => { asked.push(r); return true; });
    assert.equal(await vscode.commands.executeCommand(Commands.stopSpotJob, jobNode()), true);
    assert.deepEqual(await liveFleets(), []);
    assert.ok(!(await templates()).some((t) => t.LaunchTemplateName === 'mlfinops-it-train'));
    await model.refresh({ force: true });
    assert.match(String(api.spotJobs.tree.getTreeItem(jobNode()).description), /^planned · est\. \$/);
    assert.match(String(api.spotJobs.tree.getTreeItem(jobNode()).contextValue), /\bnotLaunched\b.*\bresumable\b/);

    // Resume from an older checkpoint: the modal says so; once confirmed it is what the trainer resumes from, and the fleet is back
    const older = api.spotJobs.tree.getChildren(jobNode()).find((n) => n.kind === 'checkpoint' && n.checkpoint.step === 500)!;
    asked.length = 0;
    const resumed = await vscode.commands.executeCommand<LaunchOutcome>(Commands.resumeSpotJob, older);
    assert.equal(resumed?.outcome, 'launched', JSON.stringify(resumed));
    assert.equal(asked[0]?.action, 'Resume');
    assert.match(asked[0]!.detail, /Resumes from the checkpoint of step 500/);
    const manifest = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'it-train/manifest.json' }))).Body!.transformToString());
    assert.equal(manifest.latest, key(500, 'aaaa0500'));
    assert.equal(manifest.checkpoints[0].key, key(500, 'aaaa0500'));
    assert.equal((await liveFleets()).length, 1);
  });

  test('a job without a required tag is refused with the policy\'s message: no modal, no EC2 request, nothing created', async function () {
    this.timeout(60_000);
    await write('it-untagged', jobText(subnets, 'Environment: dev, Team: nlp, Project: llm-finetune, CostCenter: cc-4521'));
    const before = (await templates()).length;
    asked.length = 0;
    await api.spotJobs.model.refresh(); // the view's own refresh after the last launch, if still running, ends first
    proxy.clear();
    const refused = await launch('it-untagged');
    assert.equal(refused.outcome, 'refused', JSON.stringify(refused));
    if (refused.outcome === 'refused') {
      assert.match(refused.reason, /breaks the tag policy/);
      assert.match(refused.reason, /missing required tag "Owner"/);
      assert.match(refused.reason, /Set the tags under "tags:" in \.finops\/jobs\/it-untagged\.yaml/);
    }
    assert.equal(asked.length, 0, 'no confirmation was asked');
    assert.deepEqual(proxy.requests.map((r) => r.operation ?? r.path), [], 'no request reached the cloud');
    assert.equal((await templates()).length, before);
    assert.ok(!(await templates()).some((t) => t.LaunchTemplateName === 'mlfinops-it-untagged'));
  });
});
