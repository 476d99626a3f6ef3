import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import { waitFor } from '../support/waitFor';

const EXTENSION_ID = 'ml-finops.ml-finops';

suite('Migration estimate: "Estimate Moving to Another Cloud…" on a Terraform file and on a Resources view group', () => {
  let api: MlFinOpsApi;
  const config = () => vscode.workspace.getConfiguration('mlFinops');

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
  });

  suiteTeardown(async () => {
    for (const key of ['demo.enabled', 'resources.hierarchy']) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('on a Terraform file it opens the estimate and the checklist as Markdown, each machine mapped', async function () {
    this.timeout(60_000);
    const folder = vscode.workspace.workspaceFolders![0]!;
    const uri = vscode.Uri.file(path.join(folder.uri.fsPath, 'savings', 'main.tf'));
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>(Commands.estimateMigration, { uri, target: 'gcp' });
    assert.ok(doc, 'a document opened');
    assert.equal(doc.languageId, 'markdown');
    assert.equal(vscode.window.activeTextEditor?.document, doc);
    const text = doc.getText();
    assert.match(text, /^# Moving to Google Cloud \(us-central1\)/);
    // the notebook's g5.xlarge (A10G) becomes an L4 machine, and says why
    assert.match(text, /aws_instance\.notebook \| g5\.xlarge \(aws us-west-2\) \| 730 \|[^\n]*\| g2-standard-4 \|/);
    assert.match(text, /NVIDIA A10G is not sold on Google Cloud/);
    for (const h of ['## Migration checklist', '### GPU quotas on Google Cloud', '### Rollback plan', '## Sources']) assert.ok(text.includes(h), h);
    assert.match(text, /`aws_instance\.trainer` → /);
  });

  test('on a group of the Resources view it estimates from the bill: the month\'s hours, the stored data and its transfer', async function () {
    // the first query loads DuckDB and reads the demo bill: allow for a cold, busy machine
    this.timeout(240_000);
    await config().update('resources.hierarchy', ['Team'], vscode.ConfigurationTarget.Workspace);
    await config().update('demo.enabled', true, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand(Commands.refresh);
    const provider = () => api.costViews.tree.provider;
    const nlp = await waitFor(() => {
      const demo = provider().getChildren().find((n) => n.kind === 'source' && n.sourceId === 'demo');
      return demo ? provider().getChildren(demo).find((n) => n.kind === 'group' && /nlp/.test(String(provider().getTreeItem(n).label))) : undefined;
    }, 'the demo organisation\'s nlp group', 200_000);
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>(Commands.estimateMigrationFromTree, nlp, 'aws');
    assert.ok(doc, 'a document opened');
    const text = doc.getText();
    assert.match(text, /^# Moving to AWS \(us-east-1\): October 2026/);
    assert.match(text, /Selection: Team nlp \(tag:Team = nlp\)/);
    assert.match(text, /llm-pretrain-0 \| a3-highgpu-8g \(gcp us-central1\)[^\n]*\| p5\.48xlarge \|/);
    assert.match(text, /## One-off data transfer/);
    assert.match(text, /Copy `ml-llm-checkpoints`/);
  });
});
