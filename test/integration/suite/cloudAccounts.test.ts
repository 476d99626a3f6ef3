import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import type { SourceState } from '../../../src/core/sources';
import { resolvePeriod, todayUtc } from '../../../src/core/period';
import { startMoto, type Moto } from '../../support/moto';
import { startRecordingProxy, type RecordingProxy } from '../../support/fakes/recordingProxy';
import { waitFor } from '../support/waitFor';

const EXTENSION_ID = 'ml-finops.ml-finops';
const PROFILE = 'mlfinops-it';

suite('Cloud accounts: connection test through the SDK credential chain, and the cost cache', () => {
  let moto: Moto;
  let proxy: RecordingProxy;
  let scratch: string;
  const savedEnv: Record<string, string | undefined> = {};
  const config = () => vscode.workspace.getConfiguration('mlFinops');
  const keys = ['aws.enabled', 'aws.profile', 'aws.region', 'aws.endpoint'];

  suiteSetup(async function () {
    this.timeout(120_000);
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    // Credentials reach the extension the way a user's do: a named profile in the shared credentials file.
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlfinops-it-'));
    fs.writeFileSync(path.join(scratch, 'credentials'), `[${PROFILE}]\naws_access_key_id = testing\naws_secret_access_key = testing\n`);
    fs.writeFileSync(path.join(scratch, 'config'), `[profile ${PROFILE}]\nregion = us-east-1\n`);
    for (const [k, v] of Object.entries({ AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'credentials'), AWS_CONFIG_FILE: path.join(scratch, 'config'), AWS_EC2_METADATA_DISABLED: 'true' })) {
      savedEnv[k] = process.env[k];
      process.env[k] = v;
    }
    moto = await startMoto();
    proxy = await startRecordingProxy(moto.endpoint);
  });

  suiteTeardown(async () => {
    for (const k of keys) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    for (const [k, v] of Object.entries(savedEnv)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    await proxy?.stop();
    await moto?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const configure = (source: string) => vscode.commands.executeCommand<SourceState | undefined>(Commands.configureAccounts, { source });

  test('with nothing configured, every cloud says which setting turns it on, and no request is made', async () => {
    for (const source of ['aws', 'azure', 'gcp']) {
      const state = await configure(source);
      assert.equal(state?.kind, 'notConfigured', source);
      assert.match((state as { fix: string }).fix, new RegExp(`mlFinops\\.${source}\\.enabled`));
    }
    assert.equal(proxy.requests.length, 0);
  });

  test('AWS against moto: signs in with the profile, proves each API, and a second test costs 0 Cost Explorer requests', async function () {
    this.timeout(120_000);
    const mtd = resolvePeriod({ preset: 'monthToDate' }, todayUtc());
    // moto answers GetCostAndUsage from a queue of seeded results, one per request: the budget and anomaly
    // watchers query the same account in the background, so each request, whoever makes it, gets one
    const answer = { ResultsByTime: [{ TimePeriod: { Start: mtd.start, End: mtd.end }, Total: { AmortizedCost: { Amount: '1234.5', Unit: 'USD' }, UnblendedCost: { Amount: '1300', Unit: 'USD' } }, Groups: [] }] };
    await moto.seedCostAndUsage(Array.from({ length: 20 }, () => answer));
    await config().update('aws.endpoint', proxy.endpoint, vscode.ConfigurationTarget.Global);
    await config().update('aws.profile', PROFILE, vscode.ConfigurationTarget.Global);
    await config().update('aws.region', 'us-east-1', vscode.ConfigurationTarget.Global);
    await config().update('aws.enabled', true, vscode.ConfigurationTarget.Global);

    const state = await waitFor(async () => {
      const s = await configure('aws');
      return s && s.kind !== 'notConfigured' ? s : undefined;
    }, 'the AWS source to pick up the settings', 60_000, 200);
    assert.equal(state.kind, 'ok', JSON.stringify(state));
    const detail = (state as { detail: string }).detail;
    assert.match(detail, new RegExp(`profile "${PROFILE}"`));
    assert.match(detail, /Cost Explorer answered: USD [\d,.]+ month to date/);
    // the connection test's own requests: the budget and anomaly watchers' daily history queries are separate
    // features, counted by their own tests
    const connectionCe = () => proxy.of('GetCostAndUsage').filter((r) => !/"Granularity":"DAILY"/.test(r.body));
    const ce = connectionCe();
    // at least the connection test's own request
    assert.ok(ce.length >= 1, `the connection test asked Cost Explorer (${ce.length})`);
    assert.match(String(ce[0]?.headers.authorization ?? ''), /Credential=testing\//, 'signed with the profile\'s keys');
    assert.ok(proxy.of('GetResources').length >= 1, 'the tagging API was tried');

    const again = await configure('aws');
    assert.equal(again?.kind, 'ok');
    assert.match((again as { detail: string }).detail, /from the cache/);
    assert.equal(connectionCe().length, ce.length, 'the second test made no Cost Explorer request');
  });

  test('an unknown profile is named, with the fix', async function () {
    this.timeout(60_000);
    await config().update('aws.profile', 'no-such-profile', vscode.ConfigurationTarget.Global);
    const state = await waitFor(async () => {
      const s = await configure('aws');
      return s && s.kind !== 'ok' && s.kind !== 'loading' ? s : undefined;
    }, 'the AWS source to fail on the unknown profile', 60_000, 200);
    const text = JSON.stringify(state);
    assert.match(text, /no-such-profile/);
    assert.match(text, /aws configure|aws sso login|mlFinops\.aws\.profile/);
  });
});
