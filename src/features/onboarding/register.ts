import * as vscode from 'vscode';
import { Commands } from '../../shared/commands';
import type { Services } from '../../platform/services';

/** The welcome view's actions: open the demo workspace, configure cloud accounts, show logs. */
export function register(services: Services): vscode.Disposable[] {
  const { context, log, output } = services;
  return [
    vscode.commands.registerCommand(Commands.showLogs, () => output.show(true)),
    vscode.commands.registerCommand(Commands.openDemo, async (options?: { open?: boolean }) => {
      const target = await copyDemo(context);
      log.info(`Demo workspace ready at ${target.fsPath}`);
      if (options?.open !== false) await vscode.commands.executeCommand('vscode.openFolder', target, { forceNewWindow: false });
      return target;
    }),
  ];
}

/**
 * The demo ships inside the extension (read-only once installed); a fresh copy goes to global storage so the
 * user can edit it and quick fixes can be tried. An existing copy is kept unless it came from another version.
 */
async function copyDemo(context: vscode.ExtensionContext): Promise<vscode.Uri> {
  const version = String(context.extension.packageJSON.version ?? '0');
  const target = vscode.Uri.joinPath(context.globalStorageUri, 'demo');
  const stamp = vscode.Uri.joinPath(context.globalStorageUri, 'demo.version');
  let current = '';
  try {
    current = Buffer.from(await vscode.workspace.fs.readFile(stamp)).toString('utf8');
  } catch {
    // no copy yet
  }
  if (current !== version) {
    await vscode.workspace.fs.delete(target, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    await vscode.workspace.fs.createDirectory(context.globalStorageUri);
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(context.extensionUri, 'demo'), target, { overwrite: true });
    await vscode.workspace.fs.writeFile(stamp, Buffer.from(version));
  }
  return target;
}
