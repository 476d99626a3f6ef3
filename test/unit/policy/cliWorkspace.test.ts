import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findPolicyFile } from '../../../src/cli/workspace';
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
});
