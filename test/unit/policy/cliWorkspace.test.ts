import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findPolicyFile } from '../../../src/cli/workspace';
import { insideFolder, parseSettings } from '../../../src/core/settings';
import { ExitCode } from '../../../src/cli/io';
import { runCli } from '../../support/cli';
import { scratch } from '../../support/scratch';

const files = scratch('workspace');

const bill = [
  'BillingCurrency,BilledCost,EffectiveCost,ChargePeriodStart,ProviderName,Tags',
  'USD,1,1,2024-09-01 00:00:00,AWS,"{""Team"": ""vision""}"',
  'USD,2,2,2024-09-01 00:00:00,Google Cloud,"{""squad"": ""vision""}"',
];
const policy = 'tags:\n  required: [Team]\n  rules: {}\n  placeholders: [FIXME]\n  gcp:\n    labelKeys:\n      Team: squad\n';

describe('the CLI reads the workspace policy as the extension does', () => {
  it('from a subfolder, costs and lint find .finops.yaml up to the repository root', async () => {
    const repo = path.join(files.dir, 'repo');
    files.write('repo/.git/HEAD', 'ref: refs/heads/main\n');
    files.write('repo/.finops.yaml', policy);
    files.write('repo/billing/bill.csv', bill);
    files.write('repo/infra/main.tf', 'resource "aws_s3_bucket" "a" {\n  tags = { Team = "FIXME" }\n}\nresource "aws_s3_bucket" "b" {\n  tags = { Team = "TODO" }\n}\n');
    const costs = await runCli(['costs', '--focus', 'bill.csv', '--group-by', 'tag:Team', '--granularity', 'total', '--format', 'json'], { cwd: path.join(repo, 'billing') });
    assert.equal(costs.code, ExitCode.ok, costs.err);
    assert.deepEqual(JSON.parse(costs.out), [{ 'tag:Team': 'vision', period: '2024-09-01', cost: 3, currency: 'USD' }], 'the GCP label "squad" is Team, as the policy says');
    const lint = await runCli(['lint', '--format', 'json'], { cwd: path.join(repo, 'infra') });
    assert.equal(lint.code, ExitCode.findings, lint.err);
    assert.deepEqual((JSON.parse(lint.out) as { resource: string; code: string }[]).map((f) => [f.resource, f.code]), [['aws_s3_bucket.a', 'placeholder-tag-value']],
      'the workspace policy\'s placeholders (FIXME), not the default ones (TODO)');
  });

  it('mlFinops.tags.policyFile in .vscode/settings.json (comments, trailing commas) names the file', async () => {
    const ws = path.join(files.dir, 'ws');
    files.write('ws/.git/HEAD', '');
    files.write('ws/.vscode/settings.json', '{\n\t// the team policy\n\t"mlFinops.tags.policyFile": "policy/tags.yaml", /* shared */\n\t"editor.tabSize": 2,\n}\n');
    files.write('ws/policy/tags.yaml', policy);
    files.write('ws/.finops.yaml', 'tags:\n  required: [Other]\n');
    fs.mkdirSync(path.join(ws, 'a/b'), { recursive: true });
    assert.deepEqual(await findPolicyFile(path.join(ws, 'a/b')), { root: ws, file: path.join(ws, 'policy/tags.yaml') });
  });

  it('stops at the repository root; with no policy the default applies and the folder is the root', async () => {
    files.write('.finops.yaml', policy); // above the repository: not its policy
    files.write('other/.git/HEAD', '');
    files.write('other/main.tf', 'resource "aws_s3_bucket" "a" {\n  tags = { Team = "FIXME" }\n}\n');
    assert.equal(await findPolicyFile(path.join(files.dir, 'other')), undefined);
    const lint = await runCli(['lint', '--format', 'json'], { cwd: path.join(files.dir, 'other') });
    assert.deepEqual((JSON.parse(lint.out) as { code: string; missing?: string[] }[]).map((f) => f.missing), [['CostCenter', 'Environment', 'Owner', 'Project']], 'the default policy');
  });

  it('an explicit --policy that cannot be read is a usage error', async () => {
    const r = await runCli(['lint', '--policy', 'nope.yaml'], { cwd: files.dir });
    assert.equal(r.code, ExitCode.usage);
    assert.match(r.err, /cannot read the policy file nope\.yaml/);
  });

  it('mlFinops.tags.policyFile stays inside the workspace folder: absolute paths, .. above the folder and links out are ignored', async () => {
    for (const p of ['.finops.yaml', 'policies/tags.yaml', './a/../tags.yaml', 'a/b/../../c.yaml']) assert.ok(insideFolder(p), p);
    for (const p of ['/etc/passwd', '../secrets.yaml', 'a/../../x.yaml', 'C:\\Users\\x.yaml', 'c:x', '\\\\server\\share\\x', '~/.aws/credentials', '.', 'a/..', 'a\0b']) {
      assert.equal(insideFolder(p), false, p);
    }
    // the extension's settings: the invalid value falls back to the default and is reported
    const { settings, problems } = parseSettings({ 'tags.policyFile': '../../home/user/.aws/credentials' });
    assert.equal(settings['tags.policyFile'], '.finops.yaml');
    assert.match(problems.find((x) => x.key === 'tags.policyFile')?.message ?? '', /inside the workspace folder/);
    // the CLI: a repository's settings cannot point outside it, neither by path nor through a link
    files.write('outside/secret.yaml', 'tags:\n  required: [Secret]\n');
    files.write('escape/.git/HEAD', '');
    files.write('escape/.vscode/settings.json', JSON.stringify({ 'mlFinops.tags.policyFile': '../outside/secret.yaml' }));
    assert.equal(await findPolicyFile(path.join(files.dir, 'escape')), undefined);
    files.write('linked/.git/HEAD', '');
    fs.symlinkSync(path.join(files.dir, 'outside/secret.yaml'), path.join(files.dir, 'linked/.finops.yaml'));
    assert.equal(await findPolicyFile(path.join(files.dir, 'linked')), undefined);
  });
});
