import * as vscode from 'vscode';
import { combinePreferred, DIAGNOSTIC_SOURCE, sameDiagnostic, toWorkspaceEdit } from './convert';
import type { TagDiagnosticsController } from './controller';

const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('mlFinops');

/**
 * Quick fixes for ML FinOps diagnostics: add the missing tags to the resource (preferred, with the allowed
 * values as a snippet choice), add them to the provider's default tags instead, fix a GCP label, and fix every
 * problem in the file at once.
 */
export class TagCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND],
  };

  constructor(private readonly controller: TagDiagnosticsController) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    const wantsFixAll = context.only?.contains(FIX_ALL_KIND) || context.only?.contains(vscode.CodeActionKind.SourceFixAll);
    if (ours.length === 0 && !wantsFixAll) return [];
    this.controller.syncNow(document);
    const findings = this.controller.findingsFor(document.uri);
    const textOf = (file: string) => this.controller.textOf(file);
    const actions: vscode.CodeAction[] = [];
    if (!wantsFixAll) {
      for (const diag of ours) {
        const finding = findings.find((f) => sameDiagnostic(diag, f));
        for (const fix of finding?.fixes ?? []) {
          const edit = toWorkspaceEdit(fix.edits, textOf, { snippets: true, snippetFile: document.uri.fsPath });
          if (!edit) continue;
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.edit = edit;
          action.diagnostics = [diag];
          action.isPreferred = fix.preferred;
          actions.push(action);
        }
      }
    }
    const fixable = findings.filter((f) => f.fixes?.some((x) => x.preferred));
    if (fixable.length > (wantsFixAll ? 0 : 1) || (wantsFixAll && fixable.length > 0)) {
      const edit = toWorkspaceEdit(combinePreferred(fixable), textOf);
      if (edit) {
        const all = new vscode.CodeAction(`Fix all ${fixable.length} ML FinOps tag problems in this file`, wantsFixAll ? FIX_ALL_KIND : vscode.CodeActionKind.QuickFix);
        all.edit = edit;
        all.diagnostics = [...ours];
        actions.push(all);
      }
    }
    return actions;
  }
}
