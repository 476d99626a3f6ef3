import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cloudBudgetServices } from '../../../src/providers/cloudBudgets';
import { parseSettings } from '../../../src/core/settings';

const SUB = '2f1c0c51-3f7e-4a6b-9d51-0a8a6f0f1a11';

describe('cloud budget services from the settings', () => {
  test('each cloud is built when turned on in a trusted workspace, else says what is missing', () => {
    const off = cloudBudgetServices(parseSettings({}).settings, { trusted: true });
    assert.deepEqual(off.map((c) => [c.provider, 'missing' in c]), [['aws', true], ['gcp', true], ['azure', true]]);

    const on = parseSettings({ 'aws.enabled': true, 'gcp.enabled': true, 'gcp.projectId': 'ml-training-prod', 'azure.enabled': true, 'azure.scope': `/subscriptions/${SUB}` }).settings;
    const built = cloudBudgetServices(on, { trusted: true });
    assert.deepEqual(built.map((c) => [c.provider, 'service' in c]), [['aws', true], ['gcp', true], ['azure', true]]);

    const untrusted = cloudBudgetServices(on, { trusted: false });
    assert.ok(untrusted.every((c) => 'missing' in c && /not trusted/.test(c.missing)));

    const noProject = cloudBudgetServices(parseSettings({ 'gcp.enabled': true }).settings, { trusted: true }).find((c) => c.provider === 'gcp')!;
    assert.ok('missing' in noProject && /mlFinops\.gcp\.projectId/.test(noProject.missing));
    const badScope = cloudBudgetServices(parseSettings({ 'azure.enabled': true, 'azure.scope': '/foo/bar' }).settings, { trusted: true }).find((c) => c.provider === 'azure')!;
    assert.ok('missing' in badScope && /not an Azure Cost Management scope/.test(badScope.missing));
  });
});
