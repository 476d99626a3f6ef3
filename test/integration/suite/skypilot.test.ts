import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import type { ConfirmRequest } from '../../../src/platform/confirmations';
import type { SkyPilotOutcome } from '../../../src/features/spotTraining/skypilot';
import { loadDefaultPolicy } from '../../../src/core/policy/load';
import { prepareJob } from '../../../src/core/spot/prepare';
import { planSummary } from '../../../src/core/spot/plan';
import { usd } from '../../../src/core/savings/estimate';

const EXTENSION_ID = 'ml-finops.ml-finops';
const JOB = 'it-sky';

/** A multi-region AWS job with an on-demand fallback: what SkyPilot is for. */
const jobText = `cloud: aws
regions: [us-east-1, us-west-2]
instanceTypes: [g5.2xlarge, g6.2xlarge]
count: 1
maxPricePerHour: 1.10
onDemand: { fallback: true }
command: python train.py
code: { repo: https://example.invalid/llm-finetune.git, commit: 3f2c9a1e8b7d }
checkpoint: { uri: s3://it-sky-checkpoints/${JOB}, everySteps: 500, intervalMinutes: 20 }
maxRuntimeHours: 12
tags: { Environment: dev, Team: nlp, Project: llm-finetune, CostCenter: cc-4521, Owner: ml-platform@example.com }
`;

/** A stand-in for SkyPilot's `sky`: records its working folder and arguments, and whether the task file was there. */
function fakeSky(dir: string, name: string, record: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n{ pwd; for a in "$@"; do echo "arg:$a"; done; [ -f "$5" ] && echo "task-file-present"; } > "${record}.tmp" && mv "${record}.tmp" "${record}"\n`);
  chmodSync(file, 0o755);
  return file;
}

async function poll<T>(what: string, read: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

suite('SkyPilot: export a spot job, launch it with sky jobs launch in a terminal after a modal with the plan\'s estimate', () => {
  let api: MlFinOpsApi;
  let folder: vscode.Uri;
  let bin: string;
  let empty: string;
  let record: string;
  let sky: string;
  const savedPath = process.env.PATH;
  const asked: ConfirmRequest[] = [];
  let answer = false;
  const config = () => vscode.workspace.getConfiguration('mlFinops');
  const jobUri = () => vscode.Uri.joinPath(folder, '.finops', 'jobs', `${JOB}.yaml`);
  const taskUri = () => vscode.Uri.joinPath(folder, '.finops', 'skypilot', `${JOB}.yaml`);
  const run = (command: string, arg: unknown = jobUri()) => vscode.commands.executeCommand<SkyPilotOutcome>(command, arg);
  const skyTerminals = () => vscode.window.terminals.filter((t) => t.name === `SkyPilot: ${JOB}`);

  suiteSetup(async function () {
    this.timeout(120_000);
    api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
    folder = vscode.workspace.workspaceFolders![0]!.uri;
    await vscode.workspace.fs.writeFile(jobUri(), new TextEncoder().encode(jobText));
    bin = mkdtempSync(path.join(tmpdir(), 'mlfinops-it-sky-bin-'));
    empty = mkdtempSync(path.join(tmpdir(), 'mlfinops-it-sky-empty-'));
    record = path.join(bin, 'argv.txt');
    sky = fakeSky(bin, 'sky', record);
    api.confirmations.answerWith((r) => { asked.push(r); return answer; });
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    api?.confirmations.answerWith(undefined);
    process.env.PATH = savedPath;
    await config().update('spot.skyPath', undefined, vscode.ConfigurationTarget.Global);
    for (const t of skyTerminals()) t.dispose();
    for (const uri of [jobUri(), vscode.Uri.joinPath(folder, '.finops', 'skypilot')]) await vscode.workspace.fs.delete(uri, { recursive: true }).then(undefined, () => undefined);
    for (const d of [bin, empty]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test('export writes .finops/skypilot/<job>.yaml — the CLI\'s export, byte for byte — and finds sky on PATH', async function () {
    this.timeout(60_000);
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`;
    const out = await run(Commands.exportSpotJobToSkyPilot);
    assert.equal(out.outcome, 'exported', JSON.stringify(out));
    if (out.outcome !== 'exported') return;
    assert.equal(out.file.toString(), taskUri().toString());
    assert.equal(out.sky, sky);
    assert.match(out.message, /^Wrote \.finops\/skypilot\/it-sky\.yaml: SkyPilot runs it as a managed spot job \(sky jobs launch -n it-sky \.finops\/skypilot\/it-sky\.yaml\)\.$/);
    const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(taskUri()));
    const root = process.env.MLFINOPS_TEST_ROOT!;
    const cli = execFileSync(process.execPath, [path.join(root, 'dist/cli.js'), 'spot', 'export', JOB], { cwd: folder.fsPath, encoding: 'utf8' });
    assert.equal(written, cli, 'the editor and the CLI write the same task');
    assert.match(written, /use_spot: true/);
    assert.match(written, /infra: aws\/us-west-2/);
    // opened beside, and not taken for a job file (the Spot Jobs view lists job files only)
    assert.ok(vscode.workspace.textDocuments.some((d) => d.uri.toString() === taskUri().toString()), 'the task is open');
    await api.spotJobs.model.reload();
    assert.ok(!api.spotJobs.model.jobs.some((e) => e.file.uri.toString() === taskUri().toString()));
  });

  test('launch: declining the modal runs nothing; confirming runs sky jobs launch -n <job> <task> -y in the job\'s terminal', async function () {
    this.timeout(120_000);
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`;
    rmSync(record, { force: true });
    asked.length = 0;
    answer = false;
    const declined = await run(Commands.launchSpotJobWithSkyPilot);
    assert.equal(declined.outcome, 'cancelled', JSON.stringify(declined));
    assert.equal(asked.length, 1, 'one modal');
    const question = asked[0]!;
    assert.equal(question.action, 'Launch with SkyPilot');
    // the plan's own figures, from the same function as the Launch Spot Training modal and `mlfinops spot plan`
    const expected = prepareJob(jobText, `.finops/jobs/${JOB}.yaml`, loadDefaultPolicy().policy).plan;
    assert.ok(question.message.includes(`for about ${usd(expected.total.spot)} `), question.message);
    assert.ok(question.detail.startsWith(planSummary(expected)), question.detail);
    assert.match(question.detail, /Runs in the terminal "SkyPilot: it-sky": sky jobs launch -n it-sky \.finops\/skypilot\/it-sky\.yaml -y/);
    assert.match(question.detail, /jobs controller/);
    assert.deepEqual(skyTerminals(), [], 'no terminal');
    assert.equal(existsSync(record), false, 'sky did not run');

    answer = true;
    const launched = await run(Commands.launchSpotJobWithSkyPilot, { kind: 'job', uri: jobUri() });
    assert.equal(launched.outcome, 'launched', JSON.stringify(launched));
    assert.equal(asked.length, 2);
    const lines = (await poll('the fake sky to record its arguments', () => (existsSync(record) ? readFileSync(record, 'utf8') : undefined))).trim().split('\n');
    assert.equal(lines[0], folder.fsPath, 'run in the workspace folder');
    assert.deepEqual(lines.slice(1).filter((l) => l.startsWith('arg:')).map((l) => l.slice(4)), ['jobs', 'launch', '-n', JOB, '.finops/skypilot/it-sky.yaml', '-y']);
    assert.ok(lines.includes('task-file-present'), 'the exported task was there when sky ran');
    assert.equal(skyTerminals().length, 1, 'a terminal named after the job');
  });

  test('the sky path setting is used; one that names no executable, and no sky at all, each give the message with the fix and run nothing', async function () {
    this.timeout(120_000);
    process.env.PATH = empty;
    answer = true;
    for (const t of skyTerminals()) t.dispose();

    // SkyPilot not installed: the export still writes the task and says how to install it; a launch is refused
    await config().update('spot.skyPath', undefined, vscode.ConfigurationTarget.Global);
    const exported = await run(Commands.exportSpotJobToSkyPilot);
    assert.equal(exported.outcome, 'exported');
    if (exported.outcome === 'exported') {
      assert.equal(exported.sky, undefined);
      assert.match(exported.message, /SkyPilot is not installed here: its sky command is not on PATH\. Install SkyPilot \(`pip install -U "skypilot\[aws,gcp,azure\]"`/);
    }
    asked.length = 0;
    const missing = await run(Commands.launchSpotJobWithSkyPilot);
    assert.equal(missing.outcome, 'refused', JSON.stringify(missing));
    if (missing.outcome === 'refused') assert.match(missing.reason, /not on PATH.*mlFinops\.spot\.skyPath/);
    assert.equal(asked.length, 0, 'no modal without sky');

    // a path that is not an executable file
    await config().update('spot.skyPath', path.join(bin, 'nothere'), vscode.ConfigurationTarget.Global);
    await poll('the setting', () => (api.settings.get('spot.skyPath') === path.join(bin, 'nothere') ? true : undefined), 10_000);
    const bad = await run(Commands.launchSpotJobWithSkyPilot);
    assert.equal(bad.outcome, 'refused');
    if (bad.outcome === 'refused') assert.match(bad.reason, /mlFinops\.spot\.skyPath is ".*nothere", which is not an executable file/);
    assert.deepEqual(skyTerminals(), []);

    // the setting names the sky to run
    const otherRecord = path.join(bin, 'argv-setting.txt');
    const other = fakeSky(bin, 'sky-from-setting', otherRecord);
    await config().update('spot.skyPath', other, vscode.ConfigurationTarget.Global);
    await poll('the setting', () => (api.settings.get('spot.skyPath') === other ? true : undefined), 10_000);
    const launched = await run(Commands.launchSpotJobWithSkyPilot);
    assert.equal(launched.outcome, 'launched', JSON.stringify(launched));
    const lines = (await poll('the configured sky to record its arguments', () => (existsSync(otherRecord) ? readFileSync(otherRecord, 'utf8') : undefined))).trim().split('\n');
    assert.ok(lines.includes('arg:-y') && lines.includes(`arg:${JOB}`), lines.join('\n'));
  });
});
