import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseSetting, parseSettings } from '../../../src/core/settings';

test('settings: values no schema can read (deep arrays, objects with a toString that is not a function) fall back to the default with a problem, never a throw', () => {
  let deep: unknown = 'x';
  for (let i = 0; i < 20_000; i++) deep = [deep];
  const odd = { toString: 'not a function', length: { toString: [] } };
  const { settings, problems } = parseSettings({ 'aws.region': deep, 'gcp.projectId': odd, 'resources.hierarchy': deep, 'savings.schedule': [odd], 'aws.profile': 'ml' });
  assert.equal(settings['aws.region'], 'us-east-1');
  assert.equal(settings['gcp.projectId'], '');
  assert.deepEqual(settings['resources.hierarchy'], ['Team', 'Project']);
  assert.equal(settings['aws.profile'], 'ml');
  assert.deepEqual(problems.map((p) => p.key).sort(), ['aws.region', 'gcp.projectId', 'resources.hierarchy', 'savings.schedule']);
  assert.equal(parseSetting('tags.policyFile', odd).success, false);
  assert.deepEqual(parseSetting('tags.policyFile', 'policies/tags.yaml'), { success: true, data: 'policies/tags.yaml' });
});
