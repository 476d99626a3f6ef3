import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../support/waitFor';

const EXTENSION_ID = 'ml-finops.ml-finops';

function folder(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the tests need the fixture workspace folder');
  return path.join(f.uri.fsPath, 'tagging');
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'ML FinOps');
}

function summary(uri: vscode.Uri): string[] {
  return ours(uri)
    .sort((a, b) => a.range.start.compareTo(b.range.start))
    .map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)} ${vscode.DiagnosticSeverity[d.severity]}`);
}

async function codeActions(uri: vscode.Uri, range: vscode.Range, kind?: vscode.CodeActionKind): Promise<vscode.CodeAction[]> {
  await vscode.workspace.openTextDocument(uri); // the command needs the document loaded
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind?.value)) ?? [];
}

/**
 * Creates a scratch file in tagging/scratch/ with a workspace edit, as a user creating a file in VS Code does
 * (one file at a time, so each is its own Terraform module). Deleted again in teardown.
 */
const scratch: vscode.Uri[] = [];
async function writeScratch(name: string, text: string): Promise<vscode.Uri> {
  const uri = vscode.Uri.file(path.join(folder(), 'scratch', name));
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(uri, { overwrite: true, contents: new TextEncoder().encode(text) });
  assert.ok(await vscode.workspace.applyEdit(edit), `cannot create ${name}`);
  scratch.push(uri);
  return uri;
}

suite('Tag diagnostics: Problems, quick fixes, policy file', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const uri of scratch.splice(0)) {
      if (!fs.existsSync(uri.fsPath)) continue;
      const edit = new vscode.WorkspaceEdit();
      edit.deleteFile(uri, { ignoreIfNotExists: true });
      await vscode.workspace.applyEdit(edit);
      await waitFor(() => ours(uri).length === 0, `diagnostics of ${path.basename(uri.fsPath)} cleared after it was deleted`);
    }
  });

  test('the workspace scan fills Problems for files that are not open, with exact ranges, codes and source', async () => {
    const main = vscode.Uri.file(path.join(folder(), 'main.tf'));
    await waitFor(() => ours(main).length === 3, 'diagnostics on tagging/main.tf', 60_000);
    assert.deepEqual(summary(main), [
      '20:9-22:3 missing-tag Warning',
      '25:0-25:31 missing-tag Warning',
      '33:4-33:8 invalid-label-key Warning',
    ]);
    const notebook = ours(main).find((d) => d.range.start.line === 20)!;
    assert.equal(notebook.message, 'aws_instance.notebook is missing required tags: "Owner", "Project", "Team"');
    const stack = vscode.Uri.file(path.join(folder(), 'stack.yaml'));
    await waitFor(() => ours(stack).length === 1, 'diagnostics on tagging/stack.yaml');
    assert.deepEqual(summary(stack), ['9:8-12:20 missing-tag Warning']);
  });

  test('the scan skips .terraform/ and honours files.exclude', async () => {
    const generated = vscode.Uri.file(path.join(folder(), 'generated', 'main.tf'));
    const cached = vscode.Uri.file(path.join(folder(), '.terraform', 'modules', 'vpc', 'main.tf'));
    await waitFor(() => ours(generated).length === 1, 'diagnostics on generated/main.tf', 60_000);
    assert.equal(ours(cached).length, 0, '.terraform/ is never scanned');
    const files = vscode.workspace.getConfiguration('files');
    await files.update('exclude', { '**/generated': true }, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('mlFinops.checkTags');
      await waitFor(() => ours(generated).length === 0, 'generated/ excluded after a rescan');
    } finally {
      await files.update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await vscode.commands.executeCommand('mlFinops.checkTags');
    await waitFor(() => ours(generated).length === 1, 'generated/ checked again');
    assert.equal(ours(cached).length, 0);
  });

  test('the preferred quick fix adds the missing tags, with the allowed value choice; its placeholders stay problems until filled in', async () => {
    const uri = await writeScratch('fixme.tf', 'resource "aws_instance" "gpu" {\n  instance_type = "p4d.24xlarge"\n  tags = {\n    Name = "gpu"\n  }\n}\n');
    const diag = await waitFor(() => ours(uri)[0], 'a diagnostic on the new file');
    assert.equal(diag.code, 'missing-tag');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const actions = await codeActions(uri, diag.range);
    const preferred = actions.filter((a) => a.isPreferred);
    assert.deepEqual(preferred.map((a) => a.title), ['Add missing tags "CostCenter", "Environment", "Owner", "Project", "Team" to aws_instance.gpu']);
    assert.ok(!actions.some((a) => a.title.includes('default tags')), 'no provider block, so no default-tags fix');
    assert.equal(preferred[0]!.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.ok(await vscode.workspace.applyEdit(preferred[0]!.edit!));
    assert.equal(doc.getText(), 'resource "aws_instance" "gpu" {\n  instance_type = "p4d.24xlarge"\n  tags = {\n    Name = "gpu"\n    CostCenter  = "TODO"\n    Environment = "dev"\n    Owner       = "owner@example.com"\n    Project     = "TODO"\n    Team        = "TODO"\n  }\n}\n');
    // the missing-tag problem is gone as you type; the three TODO values it wrote are problems on the values themselves
    const placeholders = await waitFor(() => {
      const d = ours(uri);
      return d.length === 3 && d.every((x) => x.code === 'placeholder-tag-value') ? d : undefined;
    }, 'a placeholder problem on each TODO the fix wrote');
    assert.deepEqual(placeholders.map((d) => doc.getText(d.range)).sort(), ['"TODO"', '"TODO"', '"TODO"']);
    const edit = new vscode.WorkspaceEdit();
    for (const d of placeholders) edit.replace(uri, d.range, '"ml"');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(() => ours(uri).length === 0, 'no problem once the values are filled in');
  });

  test('"add to the provider default tags" and "fix all in file" fix every problem in the file', async () => {
    const uri = await writeScratch('fixall.tf', 'provider "aws" {\n  region = "us-east-1"\n}\n\nresource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n\nresource "aws_instance" "b" {\n  tags = local.common\n}\n\nlocals {\n  common = { Team = "x" }\n}\n');
    await waitFor(() => ours(uri).length === 2, 'two diagnostics on the new file');
    const first = ours(uri).sort((a, b) => a.range.start.compareTo(b.range.start))[0]!;
    const actions = await codeActions(uri, first.range);
    const viaDefaults = actions.find((a) => a.title.includes('default tags of provider "aws"'));
    assert.ok(viaDefaults, `no default-tags fix among ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(viaDefaults.isPreferred, false);
    const fixAll = actions.find((a) => a.title.startsWith('Fix all 2 ML FinOps tag problems'));
    assert.ok(fixAll, 'no fix-all action');
    const sourceFixAll = await codeActions(uri, new vscode.Range(0, 0, 0, 0), vscode.CodeActionKind.SourceFixAll);
    assert.equal(sourceFixAll.length, 1, 'the fix-all is also offered as source.fixAll');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.ok(await vscode.workspace.applyEdit(fixAll.edit!));
    assert.match(doc.getText(), /resource "aws_s3_bucket" "a" \{\n  bucket = "a"\n  tags = \{\n    CostCenter  = "TODO"\n/);
    assert.match(doc.getText(), /tags = merge\(local\.common, \{\n    CostCenter  = "TODO"\n/);
    await waitFor(() => ours(uri).length > 0 && ours(uri).every((d) => d.code === 'placeholder-tag-value'), 'only the placeholders the fixes wrote are left');
  });

  test('a GCP label quick fix renames the key', async () => {
    const uri = await writeScratch('labels.tf', 'resource "google_storage_bucket" "b" {\n  labels = {\n    Team        = "vision"\n    project     = "x"\n    environment = "dev"\n    cost_center = "ml"\n    owner       = "me"\n  }\n}\n');
    const diag = await waitFor(() => ours(uri).find((d) => d.code === 'invalid-label-key'), 'the invalid label key');
    assert.deepEqual([diag.range.start.line, diag.range.start.character, diag.range.end.character], [2, 4, 8]);
    const [fix] = (await codeActions(uri, diag.range)).filter((a) => a.isPreferred);
    assert.equal(fix?.title, 'Rename label "Team" to "team"');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.ok(await vscode.workspace.applyEdit(fix!.edit!));
    assert.match(doc.getText(), /\n {4}team {8}= "vision"\n/);
  });

  test('diagnostics follow typing (debounced) and unsaved results are dropped when the editor closes', async () => {
    const uri = await writeScratch('typing.tf', 'resource "aws_instance" "ok" {\n  tags = { Environment = "dev", Team = "a", Project = "b", CostCenter = "c", Owner = "o@example.com" }\n}\n');
        const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await waitFor(() => ours(uri).length === 0 && ours(uri), 'a clean start');
    await editor.edit((b) => b.insert(new vscode.Position(3, 0), '\nresource "aws_instance" "new" {}\n'));
    const added = await waitFor(() => ours(uri).find((d) => d.range.start.line === 4), 'a diagnostic for the typed resource');
    assert.equal(added.message, 'aws_instance.new is missing required tags: "CostCenter", "Environment", "Owner", "Project", "Team"');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor(() => ours(uri).length === 0, 'the unsaved result to be dropped on close').catch((e: Error) => {
      throw new Error(`${e.message}; left: ${JSON.stringify(ours(uri).map((d) => d.message))}; open: ${vscode.window.visibleTextEditors.map((x) => `${x.document.fileName}${x.document.isDirty ? '*' : ''}`).join(', ')}`);
    });
  });

  test('files written and deleted by another program are checked and cleared (file watcher)', async () => {
    const uri = vscode.Uri.file(path.join(folder(), 'scratch', 'external.tf'));
    fs.writeFileSync(uri.fsPath, 'resource "aws_instance" "x" {}\n');
    scratch.push(uri);
    await waitFor(() => ours(uri).length === 1, 'the diagnostic on the new file (file watcher)', 60_000);
    fs.rmSync(uri.fsPath);
    await waitFor(() => ours(uri).length === 0, 'diagnostics cleared after the file watcher reports the delete', 60_000);
  });

  test('an invalid policy file gets diagnostics with exact ranges, and its valid parts apply', async () => {
    const config = vscode.workspace.getConfiguration('mlFinops', vscode.workspace.workspaceFolders![0]!.uri);
    const policy = vscode.Uri.file(path.join(folder(), 'bad.finops.yaml'));
    const main = vscode.Uri.file(path.join(folder(), 'main.tf'));
    await config.update('tags.policyFile', 'tagging/bad.finops.yaml', vscode.ConfigurationTarget.WorkspaceFolder);
    try {
      await waitFor(() => ours(policy).length === 2, 'two problems on bad.finops.yaml');
      assert.deepEqual(summary(policy), ['3:22-3:26 invalid-policy Error', '4:2-4:8 invalid-policy Error']);
      assert.match(ours(policy).find((d) => d.range.start.line === 4)!.message, /Unknown key "exclud" in tags/);
      // required: [Team, Owner] applies: the notebook now misses both
      await waitFor(() => ours(main).some((d) => d.message === 'aws_instance.notebook is missing required tags: "Owner", "Team"'), 'the policy applied to main.tf');
    } finally {
      await config.update('tags.policyFile', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
    await waitFor(() => ours(policy).length === 0, 'policy diagnostics removed when it is no longer the policy');
    await waitFor(() => ours(main).some((d) => d.message === 'aws_instance.notebook is missing required tags: "Owner", "Project", "Team"'), 'the default policy back');
  });
});
