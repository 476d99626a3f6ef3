import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from '../../support/cli';
import { applyOfflineEnv, offlineEnv } from '../../support/moto';

applyOfflineEnv();
import { advisorRecommendation, coRecommendation, startNativeFake, type NativeFake } from '../../support/fakes/nativeRecommenders';

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

test('mlfinops savings --native on an Azure size: Azure Advisor\'s row (DefaultAzureCredential through a managed-identity endpoint), only that cloud asked; without --azure-scope a note names it', async (t) => {
  fake.reset();
  const SUB = '00000000-0000-0000-0000-000000000001';
  fake.advisor.push(
    advisorRecommendation({ subscription: SUB, group: 'ml', vm: 'inference', current: 'Standard_NC24ads_A100_v4', target: 'Standard_NC8as_T4_v3', saving: 2100.5 }),
    advisorRecommendation({ subscription: SUB, group: 'ml', vm: 'other', current: 'Standard_D4s_v5', target: 'Standard_D2s_v5', saving: 70 }),
  );
  const env = { ...process.env, ...offlineEnv, ...fake.identityEnv, XDG_CACHE_HOME: scratch };
  // the CLI runs in this process: the Azure SDK's credential chain reads process.env
  const saved = Object.fromEntries(['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID'].map((k) => [k, process.env[k]]));
  Object.assign(process.env, fake.identityEnv);
  delete process.env.AZURE_TENANT_ID;
  delete process.env.AZURE_CLIENT_ID;
  t.after(() => { for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v; });
  const base = ['savings', '--instance-type', 'Standard_NC24ads_A100_v4', '--region', 'eastus', '--native'];
  const json = await runCli([...base, '--azure-scope', `/subscriptions/${SUB}`, '--azure-endpoint', fake.endpoint, '--compute-optimizer-endpoint', fake.endpoint, '--format', 'json'], { cwd: scratch, env });
  assert.equal(json.code, 0, json.err);
  const native = (JSON.parse(json.out) as Array<Record<string, unknown>>).filter((r) => r.kind === 'native');
  assert.deepEqual(native.map((r) => [r.source, r.resourceId, r.currentType, r.recommendedType, r.monthlySaving, r.currency, r.lookbackDays, r.priceBasis, r.refreshedAt]), [[
    'Azure Advisor', `/subscriptions/${SUB}/resourceGroups/ml/providers/Microsoft.Compute/virtualMachines/inference`, 'Standard_NC24ads_A100_v4', 'Standard_NC8as_T4_v3', 2100.5, 'USD', 7,
    'Azure retail pay-as-you-go prices', '2026-11-28T10:00:00Z',
  ]], 'only the row for this size');
  assert.ok(fake.tokens >= 1, 'the token came from the managed-identity endpoint');
  assert.ok(fake.requests.some((q) => q.cloud === 'azure' && q.url.startsWith(`/subscriptions/${SUB}/providers/Microsoft.Advisor/recommendations?api-version=`)), JSON.stringify(fake.requests));
  assert.equal(fake.requests.filter((q) => q.cloud === 'azure').length, 2, 'both pages (nextLink) read');
  assert.equal(fake.requests.filter((q) => q.cloud !== 'azure').length, 0, 'Compute Optimizer is not asked about an Azure size');

  const table = await runCli([...base, '--azure-scope', `/subscriptions/${SUB}`, '--azure-endpoint', fake.endpoint], { cwd: scratch, env });
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /- \*\*Azure Advisor: inference Standard_NC24ads_A100_v4 → Standard_NC8as_T4_v3 saves \$2,100\.50\/mo\*\* — Azure Advisor, refreshed 2026-11-28; priced on Azure retail pay-as-you-go prices; 7-day lookback\./);

  fake.requests = [];
  const bare = await runCli(base, { cwd: scratch, env });
  assert.equal(bare.code, 0, bare.err);
  assert.match(bare.err, /Azure Advisor needs --azure-scope \/subscriptions\/ID to be asked\./);
  assert.match(bare.out, /The clouds' own recommenders have nothing for this type\./);
  assert.deepEqual(fake.requests, [], 'nothing asked');

  fake.fail('azure', 403, { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization to perform action Microsoft.Advisor/recommendations/read' } });
  const denied = await runCli([...base, '--azure-scope', `/subscriptions/${SUB}`, '--azure-endpoint', fake.endpoint], { cwd: scratch, env });
  assert.equal(denied.code, 0, denied.err);
  assert.match(denied.err, /Azure Advisor: .*Microsoft\.Advisor\/recommendations\/read.*Reader/);
  assert.match(denied.out, /^Kind {2}/m, 'our estimate still prints');
});
