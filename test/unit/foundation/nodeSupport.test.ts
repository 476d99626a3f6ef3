import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeSupportWarning, SUPPORTED_NODE_MAJORS } from '../../../src/cli/main';
import pkg from '../../../package.json';

test('the CLI warns on Node.js lines past end of life and not on the supported LTS lines', () => {
  assert.match(nodeSupportWarning('v20.20.2') ?? '', /Node\.js v20\.20\.2 is past end of life; ML FinOps supports Node\.js 22 and 24/);
  assert.match(nodeSupportWarning('v18.0.0') ?? '', /past end of life/);
  assert.equal(nodeSupportWarning('v22.12.0'), undefined);
  assert.equal(nodeSupportWarning('v24.22.3'), undefined);
  assert.equal(nodeSupportWarning('v26.1.0'), undefined);
});

test('package.json engines name the supported LTS lines', () => {
  for (const major of SUPPORTED_NODE_MAJORS) assert.match(pkg.engines.node, new RegExp(`\\b${major}\\b`));
  assert.doesNotMatch(pkg.engines.node, /\b20\b/);
});
