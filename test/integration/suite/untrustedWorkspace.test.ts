import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import type { ConfirmRequest } from '../../../src/platform/confirmations';
import type { ApplyTagsOutcome } from '../../../src/features/applyTags/register';
import { untrustedRefusal } from '../../../src/core/act/trust';

const EXTENSION_ID = 'ml-finops.ml-finops';

// Runs only in the untrusted run (`node scripts/runIntegration.mjs --untrusted`, part of `npm test`): the workspace
// opens in Restricted Mode.
suite('Untrusted workspace: nothing that changes cloud resources runs', () => {
  test('Apply Tags… is refused with a message naming the fix, before any question, modal or cloud call', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the untrusted run opens its workspace in Restricted Mode');
    const api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
    const asked: ConfirmRequest[] = [];
    // were the guard gone, the plan would reach this modal and be declined (nothing written either way)
    api.confirmations.answerWith((r) => { asked.push(r); return false; });
    try {
      const outcome = await vscode.commands.executeCommand<ApplyTagsOutcome>(Commands.applyTags, {
        resources: [{ provider: 'AWS', id: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0', type: 'ec2:instance', name: 'gpu-box', region: 'us-east-1', tags: {} }],
        values: { Team: 'ml-research' },
      });
      assert.deepEqual(outcome, { outcome: 'refused', message: untrustedRefusal(false, 'apply tags') });
      assert.match(outcome.message, /untrusted workspace\. Trust the workspace \(Manage Workspace Trust\), then apply tags\.$/);
      assert.equal(asked.length, 0, 'no modal');
    } finally {
      api.confirmations.answerWith(undefined);
    }
  });
});
