import * as vscode from 'vscode';
import { untrustedRefusal } from '../core/act/trust';

/**
 * The guard of every command that changes cloud resources: in an untrusted workspace, an error naming the fix with a
 * "Manage Workspace Trust" button, and the message returned (the command then does nothing); undefined when trusted.
 */
export function refuseUntrusted(action: string): string | undefined {
  const message = untrustedRefusal(vscode.workspace.isTrusted, action);
  if (message) {
    void vscode.window.showErrorMessage(message, 'Manage Workspace Trust').then((c) => { if (c) void vscode.commands.executeCommand('workbench.trust.manage'); });
  }
  return message;
}
