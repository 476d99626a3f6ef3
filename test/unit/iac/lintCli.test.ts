import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../support/cli';

function workspace(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlfinops-lint-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

async function run(args: string[], cwd: string) {
  const r = await runCli(args, { cwd });
  return { code: r.code, stdout: r.out, stderr: r.err };
}

const infra = {
  'infra/main.tf': 'provider "aws" {\n  default_tags {\n    tags = { Environment = "dev" }\n  }\n}\n\nresource "aws_instance" "web" {\n  tags = {\n    Team = "vision"\n  }\n}\n',
  'infra/.terraform/modules/x/main.tf': 'resource "aws_instance" "cached" {}\n',
  'stack.yaml': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Box:\n    Type: AWS::EC2::Instance\n    Properties:\n      Tags:\n        - Key: Team\n          Value: vision\n',
  '.finops.yaml': 'tags:\n  required: [Environment, Team, CostCenter, Owner]\n',
};

test('mlfinops lint --format json: one array, 1-based positions, sorted by file then line, .terraform skipped', async () => {
  const dir = workspace(infra);
  const r = await run(['lint', '--format', 'json'], dir);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out, [
    {
      file: 'infra/main.tf', line: 8, column: 10, endLine: 10, endColumn: 4, code: 'missing-tag', severity: 'warning',
      resource: 'aws_instance.web', missing: ['CostCenter', 'Owner'], message: 'aws_instance.web is missing required tags: "CostCenter", "Owner"',
    },
    {
      file: 'stack.yaml', line: 7, column: 9, endLine: 8, endColumn: 24, code: 'missing-tag', severity: 'warning',
      resource: 'Box', missing: ['CostCenter', 'Environment', 'Owner'], message: 'Box (AWS::EC2::Instance) is missing required tags: "CostCenter", "Environment", "Owner"',
    },
  ]);
});

test('mlfinops lint --format sarif: SARIF 2.1.0 with rules, levels and regions', async () => {
  const dir = workspace(infra);
  const r = await run(['lint', 'infra', '--format', 'sarif'], dir);
  assert.equal(r.code, 1);
  const sarif = JSON.parse(r.stdout);
  assert.equal(sarif.version, '2.1.0');
  const [runObj] = sarif.runs;
  assert.equal(runObj.tool.driver.name, 'mlfinops');
  assert.deepEqual(runObj.tool.driver.rules.map((x: { id: string }) => x.id), ['missing-tag']);
  assert.deepEqual(runObj.results.map((x: { ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: object } }> }) => [x.ruleId, x.level, x.locations[0]!.physicalLocation.artifactLocation.uri, x.locations[0]!.physicalLocation.region]), [
    ['missing-tag', 'warning', 'infra/main.tf', { startLine: 8, startColumn: 10, endLine: 10, endColumn: 4 }],
  ]);
});

test('mlfinops lint text output and exit codes follow --fail-on', async () => {
  const dir = workspace(infra);
  const text = await run(['lint'], dir);
  assert.match(text.stdout, /^infra\/main\.tf:8:10 {2}warning {2}aws_instance\.web is missing required tags: "CostCenter", "Owner" {2}missing-tag$/m);
  assert.match(text.stdout, /2 problems \(0 errors, 2 warnings, 0 info\)/);
  assert.equal((await run(['lint', '--fail-on', 'error'], dir)).code, 0);
  assert.equal((await run(['lint', '--fail-on', 'never'], dir)).code, 0);
  const clean = workspace({ 'main.tf': 'resource "aws_instance" "a" {\n  tags = { Environment = "dev", Team = "a", Project = "b", CostCenter = "c", Owner = "a@b.co" }\n}\n' });
  const ok = await run(['lint'], clean);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /No problems: 1 resource in 1 file checked\./);
  const escalated = workspace({ ...infra, '.finops.yaml': 'tags:\n  required: [Owner]\n  severity: error\n' });
  assert.equal((await run(['lint', '--fail-on', 'error'], escalated)).code, 1);
});

test('usage and policy errors exit 2 with a message on stderr', async () => {
  const dir = workspace({ ...infra, 'bad.yaml': 'tags:\n  required: Team\n' });
  const badPolicy = await run(['lint', '--policy', 'bad.yaml'], dir);
  assert.equal(badPolicy.code, 2);
  assert.match(badPolicy.stderr, /bad\.yaml:2:13: error: tags\.required: .*array/);
  assert.match(badPolicy.stderr, /has 1 error; fix it and run again/);
  assert.equal(badPolicy.stdout, '');
  const missingPolicy = await run(['lint', '--policy', 'nope.yaml'], dir);
  assert.equal(missingPolicy.code, 2);
  assert.match(missingPolicy.stderr, /cannot read the policy file nope\.yaml/);
  const badFormat = await run(['lint', '--format', 'xml'], dir);
  assert.equal(badFormat.code, 2);
  assert.match(badFormat.stderr, /--format must be text, json or sarif/);
  const unknownFlag = await run(['lint', '--colour'], dir);
  assert.equal(unknownFlag.code, 2);
  const noPath = await run(['lint', 'does/not/exist'], dir);
  assert.equal(noPath.code, 2);
  assert.match(noPath.stderr, /No such file or folder: .*does\/not\/exist/);
});

test('an AWS Organizations tag policy JSON works as --policy', async () => {
  const dir = workspace({
    'main.tf': 'resource "aws_instance" "a" {\n  tags = { CostCenter = "999" }\n}\n',
    'org.json': JSON.stringify({ tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['1*'] } } } }),
  });
  const r = await run(['lint', '--policy', 'org.json', '--format', 'json'], dir);
  assert.deepEqual(JSON.parse(r.stdout).map((f: { code: string; message: string }) => [f.code, f.message]), [
    ['invalid-tag-value', 'aws_instance.a: tag "CostCenter" is "999"; expected one of "1*"'],
  ]);
});

test('bad files: malformed, binary and 10 MB files each get a clear finding and the rest is checked', async () => {
  const dir = workspace({
    'a/broken.tf': 'resource "aws_instance" "x" {\n  tags = {\n',
    'a/ok.tf': 'resource "aws_instance" "y" {}\n',
    'b/blob.tf': Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0]),
    'c/huge.tf': `${'# generated\n'.repeat(900_000)}`,
  });
  const r = await run(['lint', '--format', 'json', '--fail-on', 'never'], dir);
  assert.equal(r.code, 0);
  const out: Array<{ file: string; code: string; message: string }> = JSON.parse(r.stdout);
  assert.ok(out.some((f) => f.file === 'a/broken.tf' && f.code === 'syntax-error'), r.stdout);
  assert.ok(out.some((f) => f.file === 'a/ok.tf' && f.code === 'missing-tag'));
  assert.match(out.find((f) => f.file === 'b/blob.tf')!.message, /not a text file/);
  assert.match(out.find((f) => f.file === 'c/huge.tf')!.message, /huge\.tf is 10\.\d MB; files over 4 MB are not checked/);
});

test('mlfinops lint text output escapes control characters in file names and messages: no forged finding lines', async () => {
  const forged = 'a.tf\nok.tf:1:1  error  forged finding  missing-tag\n\u001b[2J';
  const dir = workspace({ [`${forged.replaceAll('/', '_')}.tf`]: 'resource "aws_instance" "x\\ny" {}\n', '.finops.yaml': 'tags:\n  required: [Team]\n' });
  const r = await run(['lint', '--format', 'text'], dir);
  assert.equal(r.code, 1);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 2, r.stdout);
  assert.ok(!/[\u0000-\u0008\u000b-\u001f]/.test(r.stdout), 'no raw control characters');
  assert.match(lines[0]!, /^a\.tf\\u000aok\.tf:1:1  error  forged finding  missing-tag\\u000a\\u001b\[2J\.tf:1:1  warning  aws_instance\.x\\u000ay is missing/);
});
