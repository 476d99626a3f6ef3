import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from '../../support/cli';
import { applyOfflineEnv, offlineEnv } from '../../support/moto';

applyOfflineEnv();
import { coRecommendation, startNativeFake, type NativeFake } from '../../support/fakes/nativeRecommenders';

let scratch: string;
let fake: NativeFake;
before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'mlfinops-native-'));
  fake = await startNativeFake();
});
after(async () => {
  await fake?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const run = (...args: string[]): Promise<CliRun> => runCli(['savings', ...args], { cwd: scratch, env: { ...process.env, ...offlineEnv, XDG_CACHE_HOME: scratch } });

test('mlfinops savings --native: the clouds\' own rows beside ours (table, JSON, Markdown); a failing recommender is named, the rest print', async () => {
  fake.reset();
  fake.computeOptimizer.push(coRecommendation({ arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc', current: 'p3.8xlarge', recommended: 'p3.2xlarge', saving: 6701.4 }));
  // (Azure Advisor's own rows are tested with a credential in test/unit/providers: the CLI would ask the real sign-in chain)
  const base = ['--instance-type', 'p3.8xlarge', '--region', 'us-east-1', '--native', '--compute-optimizer-endpoint', fake.endpoint];
  const table = await run(...base);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /^Kind {2}/m, 'our options first');
  assert.match(table.out, /## The clouds' own recommenders\n\n- \*\*AWS Compute Optimizer: trainer \(i-0abc\) p3\.8xlarge → p3\.2xlarge saves \$6,701\.40\/mo\*\* — AWS Compute Optimizer, refreshed 2026-11-30; priced on public on-demand prices; 14-day lookback\./);

  const json = await run(...base, '--format', 'json');
  assert.equal(json.code, 0, json.err);
  const rows = JSON.parse(json.out) as Array<Record<string, unknown>>;
  const native = rows.filter((r) => r.kind === 'native');
  assert.deepEqual(native.map((r) => [r.source, r.recommendedType, r.monthlySaving, r.lookbackDays, r.refreshedAt]), [['AWS Compute Optimizer', 'p3.2xlarge', 6701.4, 14, '2026-11-30T06:00:00.000Z']]);
  assert.ok(rows.some((r) => r.kind === 'spot'), 'ours are still there');

  const md = await run(...base, '--format', 'markdown');
  assert.equal(md.code, 0, md.err);
  assert.match(md.out, /## The clouds' own recommenders\n\n- \*\*AWS Compute Optimizer: trainer \(i-0abc\) p3\.8xlarge → p3\.2xlarge saves \$6,701\.40\/mo\*\*/);
  assert.ok(md.out.indexOf('## Options') < md.out.indexOf('## The clouds\' own recommenders'), 'beside ours, after them');

  // only the recommendations for the type asked about
  const other = await run('--instance-type', 'g5.xlarge', '--region', 'us-east-1', '--native', '--compute-optimizer-endpoint', fake.endpoint);
  assert.match(other.out, /The clouds' own recommenders have nothing for this type\./);

  fake.fail('aws', 400, { __type: 'OptInRequiredException', message: 'not opted in' });
  const failed = await run(...base);
  assert.equal(failed.code, 0, failed.err);
  assert.match(failed.err, /AWS Compute Optimizer: This AWS account is not opted in to Compute Optimizer.*update-enrollment-status --status Active/);
  assert.match(failed.out, /^Kind {2}/m, 'our estimate still prints');
});
