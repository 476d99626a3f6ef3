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

test('output to a closed pipe (mlfinops … | head) ends quietly, with the command\'s own exit code', async () => {
  const { spawn } = await import('node:child_process');
  const root = join(__dirname, '../../..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'costs', '--focus', 'demo/billing/demo-org.focus-1.2.csv.gz',
    '--group-by', 'ResourceId', '--format', 'json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  // the reader takes the first line and goes away, as `head -1` does; the rest of the output (~140 kB, more than a pipe holds) meets EPIPE
  const first = await new Promise<string>((resolve) => child.stdout.setEncoding('utf8').once('data', (t: string) => { child.stdout.destroy(); resolve(t); }));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.match(first, /^\[/);
  assert.equal(stderr.replace(/^mlfinops: Node\.js .* past end of life.*\n/m, ''), '', 'nothing on stderr: no EPIPE, no stack');
  assert.equal(code, 0);
});
