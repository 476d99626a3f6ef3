import { test } from 'node:test';
import assert from 'node:assert/strict';
import { untrustedRefusal } from '../../../src/core/act/trust';

test('a change to cloud resources is refused in an untrusted workspace with the fix named; a trusted one is not', () => {
  assert.equal(untrustedRefusal(true, 'apply tags'), undefined);
  assert.equal(untrustedRefusal(false, 'apply tags'), 'ML FinOps does not change cloud resources in an untrusted workspace. Trust the workspace (Manage Workspace Trust), then apply tags.');
  assert.match(untrustedRefusal(false, 'undo the schedule')!, /then undo the schedule\.$/);
});
