import * as vscode from 'vscode';
import { LineIndex, type Finding, type Fix, type Range } from '../../core/iac/model';
import type { PolicyProblem, Severity } from '../../core/policy/model';

export const DIAGNOSTIC_SOURCE = 'ML FinOps';

const severities: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toDiagnostic(f: Finding): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(f.range), f.message, severities[f.severity]);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = f.code;
  return d;
}

export function policyDiagnostic(p: PolicyProblem): vscode.Diagnostic {
  const range = new vscode.Range(p.line - 1, p.column - 1, p.endLine - 1, Math.max(p.endColumn - 1, p.line === p.endLine ? p.column : 0));
  const d = new vscode.Diagnostic(range, p.message, severities[p.severity]);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = 'invalid-policy';
  return d;
}

/** Whether a diagnostic VS Code hands back (a copy) is the one made from this finding. */
export function sameDiagnostic(d: vscode.Diagnostic, f: Finding): boolean {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return d.source === DIAGNOSTIC_SOURCE && code === f.code && d.message === f.message && d.range.isEqual(toRange(f.range));
}

/**
 * A fix's edits as a WorkspaceEdit. Offsets refer to the texts the analysis saw (`textOf`). With `snippets`,
 * an edit in `snippetFile` carries its snippet form (tab stops, a choice of allowed values).
 */
export function toWorkspaceEdit(
  edits: Fix['edits'],
  textOf: (file: string) => string | undefined,
  options: { snippets?: boolean; snippetFile?: string } = {},
): vscode.WorkspaceEdit | undefined {
  const byFile = new Map<string, Fix['edits']>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const we = new vscode.WorkspaceEdit();
  for (const [file, list] of byFile) {
    const text = textOf(file);
    if (text === undefined) return undefined;
    const lines = new LineIndex(text);
    const uri = vscode.Uri.file(file);
    const range = (e: Fix['edits'][number]) => toRange(lines.range(e.start, e.end));
    if (options.snippets && file === options.snippetFile && list.length === 1 && list[0]!.snippet !== undefined) {
      const e = list[0]!;
      we.set(uri, [new vscode.SnippetTextEdit(range(e), new vscode.SnippetString(e.snippet))]);
    } else {
      we.set(uri, list.map((e) => new vscode.TextEdit(range(e), e.newText)));
    }
  }
  return we;
}

/** The preferred fixes of many findings as one set of edits, dropping any that overlap an earlier one. */
export function combinePreferred(findings: readonly Finding[]): Fix['edits'] {
  const edits = findings.flatMap((f) => f.fixes?.find((x) => x.preferred)?.edits ?? []);
  const byFile = new Map<string, Fix['edits']>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const out: Fix['edits'] = [];
  for (const list of byFile.values()) {
    const sorted = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
    let end = -1;
    for (const e of sorted) {
      if (e.start < end) continue;
      out.push(e);
      end = Math.max(end, e.end);
    }
  }
  return out;
}
