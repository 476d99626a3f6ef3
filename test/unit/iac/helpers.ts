import { IacWorkspace } from '../../../src/core/iac/workspace';
import type { Finding, TextEdit } from '../../../src/core/iac/model';
import { loadPolicy } from '../../../src/core/policy/load';
import { defaultPolicy } from '../../../src/core/policy/defaults';
import type { TagPolicy } from '../../../src/core/policy/model';

/** Builds a policy from YAML, failing the test on any policy error. */
export function policyFrom(yaml?: string): TagPolicy {
  if (yaml === undefined) return defaultPolicy();
  const { policy, problems } = loadPolicy(yaml, '.finops.yaml');
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new Error(`policy errors: ${JSON.stringify(errors)}`);
  return policy;
}

/** Lints in-memory files (paths like `/w/main.tf`) and returns every finding, sorted. */
export function lint(files: Record<string, string>, policy: TagPolicy = defaultPolicy(), reportUnknown = false): Finding[] {
  const ws = new IacWorkspace({ policy, reportUnknown });
  for (const [p, text] of Object.entries(files)) ws.upsert(p, text);
  return [...ws.analyze().findingsByFile.values()].flat();
}

/** Applies non-overlapping edits to one text (later offsets first). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** The text a 0-based range covers. */
export function textAt(text: string, f: Finding): string {
  const lines = text.split('\n');
  const { start, end } = f.range;
  if (start.line === end.line) return lines[start.line]!.slice(start.character, end.character);
  return [lines[start.line]!.slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line]!.slice(0, end.character)].join('\n');
}
