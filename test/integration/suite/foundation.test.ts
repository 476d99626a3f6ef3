import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import { waitFor } from '../support/waitFor';

const EXTENSION_ID = 'ml-finops.ml-finops';

suite('Foundation: activation, commands, welcome view, settings', () => {
  let api: MlFinOpsApi;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed in the extension host`);
    api = await ext.activate();
  });

  test('activates and exposes its settings service', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.equal(ext.isActive, true);
    assert.equal(api.settings.get('cost.period'), 'last30Days');
  });

  test('registers every command it contributes, and each one runs', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed: { command: string }[] = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
    for (const { command } of contributed) assert.ok(registered.has(command), `${command} is contributed but not registered`);
    for (const id of Object.values(Commands)) assert.ok(registered.has(id), `${id} is not registered`);
    await vscode.commands.executeCommand(Commands.showLogs);
    await vscode.commands.executeCommand(Commands.refresh);
  });

  test('the welcome view offers the demo, cloud accounts and logs, each a registered command', async () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const welcome = pkg.contributes.viewsWelcome.find((w: { view: string }) => w.view === 'mlFinops.resources');
    assert.ok(welcome, 'no welcome view for mlFinops.resources');
    const links = [...String(welcome.contents).matchAll(/\[([^\]]+)\]\(command:([\w.]+)\)/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(links.map(([label]) => label), ['Open the Demo Workspace', 'Configure Cloud Accounts', 'Show Logs']);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const [, command] of links) assert.ok(registered.has(command!), `${command} is linked from the welcome view but not registered`);
  });

  test('"Open the demo workspace" copies the bundled demo to global storage', async () => {
    const target = await vscode.commands.executeCommand<vscode.Uri>(Commands.openDemo, { open: false });
    assert.ok(target, 'the command returned no folder');
    assert.ok(fs.existsSync(vscode.Uri.joinPath(target, 'infra/main.tf').fsPath), 'demo/infra/main.tf was not copied');
  });

  test('an invalid setting falls back to its default and is reported once; a valid one is used', async () => {
    const config = vscode.workspace.getConfiguration('mlFinops');
    try {
      await config.update('cost.period', 'fortnight', vscode.ConfigurationTarget.Workspace);
      await waitFor(() => api.settings.currentProblems.some((p) => p.key === 'cost.period'), 'the invalid cost.period to be reported');
      assert.equal(api.settings.get('cost.period'), 'last30Days');
      await config.update('cost.period', 'monthToDate', vscode.ConfigurationTarget.Workspace);
      await waitFor(() => api.settings.get('cost.period') === 'monthToDate', 'the valid cost.period to be used');
      assert.equal(api.settings.currentProblems.some((p) => p.key === 'cost.period'), false);
    } finally {
      await config.update('cost.period', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
