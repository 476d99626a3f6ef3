import * as vscode from 'vscode';
import { Commands } from '../../shared/commands';
import type { Services } from '../../platform/services';
import { TagCodeActions } from './codeActions';
import { IAC_GLOB, TagDiagnosticsController } from './controller';

/** Documents the code actions apply to: Terraform (any language id an extension gives it) and templates. */
const selector: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.{tf,tf.json,tfvars,tfvars.json}' },
  { scheme: 'file', language: 'terraform' },
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'json' },
];

/**
 * Tag diagnostics: Problems for untagged Terraform and CloudFormation resources, updated as you type, on
 * disk changes and when the policy changes; quick fixes; diagnostics on `.finops.yaml` itself. The workspace
 * scan starts after activation returns, so activation stays fast.
 */
export function register(services: Services): vscode.Disposable[] {
  const controller = new TagDiagnosticsController(services.log);
  const watcher = vscode.workspace.createFileSystemWatcher(IAC_GLOB);
  const disposables: vscode.Disposable[] = [
    controller,
    watcher,
    vscode.languages.registerCodeActionsProvider(selector, new TagCodeActions(controller), TagCodeActions.metadata),
    vscode.workspace.onDidOpenTextDocument((d) => controller.onOpen(d)),
    vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length > 0) controller.onChange(e.document); }),
    vscode.workspace.onDidCloseTextDocument((d) => { void controller.onClose(d); }),
    watcher.onDidChange((u) => { void controller.onDiskChange(u, false); }),
    watcher.onDidCreate((u) => { void controller.onDiskChange(u, false); }),
    watcher.onDidDelete((u) => { void controller.onDiskChange(u, true); }),
    // operations made in VS Code (explorer, workspace edits, saves) are handled at once, not when the OS watcher reports them
    vscode.workspace.onDidCreateFiles((e) => { for (const u of e.files) void controller.onDiskChange(u, false); }),
    vscode.workspace.onDidDeleteFiles((e) => { for (const u of e.files) void controller.onDiskChange(u, true); }),
    vscode.workspace.onDidRenameFiles((e) => {
      for (const { oldUri, newUri } of e.files) {
        void controller.onDiskChange(oldUri, true);
        void controller.onDiskChange(newUri, false);
      }
    }),
    vscode.workspace.onDidSaveTextDocument((d) => { if (controller.isPolicyFile(d.uri)) void controller.reloadPolicy(d.uri); }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mlFinops.tags.policyFile') || e.affectsConfiguration('mlFinops.tags.showCannotVerify')) void controller.reloadPolicy();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => { void controller.scanWorkspace(); }),
    vscode.commands.registerCommand(Commands.checkTags, () => controller.scanWorkspace()),
  ];
  const start = setTimeout(() => { void controller.scanWorkspace(); }, 0);
  disposables.push({ dispose: () => clearTimeout(start) });
  return disposables;
}
