import * as vscode from 'vscode';
import { Commands } from '../../shared/commands';
import type { Services } from '../../services';

export const VIEW_ID = 'mlFinops.resources';

/** The Resources view. Until a source is configured it is empty, and the welcome view explains what to do. */
class ResourcesProvider implements vscode.TreeDataProvider<never> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  refresh(): void {
    this.emitter.fire();
  }
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
  getChildren(): never[] {
    return [];
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export function register(_services: Services): vscode.Disposable[] {
  const provider = new ResourcesProvider();
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  return [provider, view, vscode.commands.registerCommand(Commands.refresh, () => provider.refresh())];
}
