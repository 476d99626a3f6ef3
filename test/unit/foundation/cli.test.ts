import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { exitCodeOf, type CliIO } from '../../../src/cli/io';
import { FinOpsError, type FailureReason } from '../../../src/core/errors';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd: process.cwd(), env: {} };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

test('mlfinops --version prints the package version', async () => {
  const r = await cli('--version');
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('mlfinops --help prints usage on stdout with every command and exits 0', async () => {
  const r = await cli('--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: mlfinops <command>/);
  assert.match(r.stdout, /--version/);
  assert.equal(r.stderr, '');
});

test('an unknown subcommand exits 2 with the usage on stderr', async () => {
  const r = await cli('frobnicate');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.match(r.stderr, /Usage: mlfinops/);
});

test('no arguments exits 2 with the usage on stderr', async () => {
  const r = await cli();
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Usage: mlfinops/);
});

test('package.json exposes the CLI as the mlfinops bin', () => {
  assert.equal(pkg.bin.mlfinops, './dist/cli.js');
});

test('exit codes: 2 for what the user gave or set up, 3 for a cloud or service that failed; one table for every reason', () => {
  const want: Record<FailureReason, number> = { usage: 2, input: 2, auth: 3, permission: 3, throttled: 3, unavailable: 3, internal: 3 };
  assert.deepEqual(exitCodeOf, want);
  for (const reason of Object.keys(want) as FailureReason[]) assert.ok(new FinOpsError(reason, 'x', { fix: 'y' }).fix, reason);
});
