import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import type { ConfirmRequest } from '../../../src/platform/confirmations';
import type { ApplyTagsOutcome } from '../../../src/features/applyTags/register';
import type { ScheduleOutcome } from '../../../src/features/shutdownSchedule/register';
import type { SkyPilotOutcome } from '../../../src/features/spotTraining/skypilot';
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
  test('Schedule Shutdown… is refused with the same message, before any question, modal or cloud call', async () => {
    const api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
    const asked: ConfirmRequest[] = [];
    api.confirmations.answerWith((r) => { asked.push(r); return false; });
    try {
      // no endpoint is set: were the guard gone, the plan would fail or reach the modal, never "refused" with this message
      const outcome = await vscode.commands.executeCommand<ScheduleOutcome>(Commands.scheduleShutdown, {
        resourceId: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0', schedule: 'Mon-Fri 08:00-19:00 Europe/Berlin', mode: 'eventbridge',
      });
      assert.deepEqual(outcome, { status: 'refused', message: untrustedRefusal(false, 'schedule the shutdown') });
      assert.equal(asked.length, 0, 'no modal');
    } finally {
      api.confirmations.answerWith(undefined);
    }
  });

  test('SkyPilot: Export and Launch are refused before the job file is read; nothing is written, no terminal opens', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, 'the untrusted run opens a folder');
    const job = vscode.Uri.joinPath(folder, '.finops/jobs/untrusted-check.yaml');
    const terminalsBefore = vscode.window.terminals.length;
    for (const command of [Commands.exportSpotJobToSkyPilot, Commands.launchSpotJobWithSkyPilot]) {
      const outcome = await vscode.commands.executeCommand<SkyPilotOutcome>(command, job);
      assert.equal(outcome.outcome, 'refused', `${command}: ${JSON.stringify(outcome)}`);
      if (outcome.outcome === 'refused') assert.match(outcome.reason, /untrusted workspace.*Trust the workspace first\.$/);
    }
    const written = await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, '.finops/skypilot')).then(() => true, () => false);
    assert.equal(written, false, 'no .finops/skypilot folder');
    assert.equal(vscode.window.terminals.length, terminalsBefore, 'no terminal opened');
  });
});
