import { LineIndex } from './model';

/**
 * `# finops:ignore RULE` directives in IaC files, which silence one recommendation for one resource:
 *
 * - Terraform (HCL): `# finops:ignore rightsizing` (or `//`) at the end of the attribute's line, on the comment
 *   lines directly above the attribute, or directly above the `resource` block (the whole resource);
 * - CloudFormation YAML: the same with `#`, comments no less indented than the key they stand above are not
 *   counted when more indented (such lines belong to a block scalar above, not to the key);
 * - CloudFormation JSON has no comments: the resource's `Metadata` says it, `"Metadata": {"finops": {"ignore":
 *   ["rightsizing"]}}` (YAML templates may use it too).
 *
 * Several rules may be named (`# finops:ignore rightsizing, schedule`), and a reason after ` -- `.
 */

export const IGNORE_PREFIX = 'finops:ignore';

export interface IgnoreDirective {
  rules: string[];
  reason?: string;
  /** 0-based line of the comment (or of the resource, for Metadata). */
  line: number;
  where: 'endOfLine' | 'above' | 'resource' | 'metadata';
}

const DIRECTIVE = /^finops:ignore(?:[ \t]+([A-Za-z][\w-]*(?:[ \t]*,?[ \t]*[A-Za-z][\w-]*)*))?(?:[ \t]+--[ \t]*(.*))?[ \t]*$/;

/** The rules and reason of one comment's text (without its `#` / `//`), or undefined when it is no directive. */
export function parseIgnoreComment(comment: string): { rules: string[]; reason?: string } | undefined {
  const m = DIRECTIVE.exec(comment.trim());
  if (!m || !m[1]) return undefined;
  const rules = m[1].split(/[\s,]+/).filter(Boolean).map((r) => r.toLowerCase());
  const reason = m[2]?.trim();
  return { rules, ...(reason ? { reason } : {}) };
}

/** The comment text of a whole-line comment (`  # text` → `text`), or undefined when the line is not one. */
function fullLineComment(line: string, format: 'hcl' | 'yaml'): { text: string; indent: number } | undefined {
  const m = (format === 'hcl' ? /^([ \t]*)(?:#|\/\/)(.*)$/ : /^([ \t]*)#(.*)$/).exec(line);
  return m ? { text: m[2] ?? '', indent: (m[1] ?? '').length } : undefined;
}

/**
 * The comment that ends a line after `from` (the end of a value): only whitespace may come between. Text that is
 * anything else (another token, a string holding `#`) is no comment.
 */
function trailingComment(text: string, from: number, format: 'hcl' | 'yaml'): string | undefined {
  const nl = text.indexOf('\n', from);
  const rest = text.slice(from, nl < 0 ? text.length : nl).replace(/\r$/, '');
  // YAML needs whitespace before `#`; HCL takes `#` or `//` anywhere after the value
  const m = (format === 'hcl' ? /^[ \t]*(?:#|\/\/)(.*)$/ : /^[ \t]+#(.*)$/).exec(rest);
  return m ? m[1] : undefined;
}

/** Directives on the comment lines directly above `line` (no blank line between), nearest first. */
function commentsAbove(lines: string[], line: number, format: 'hcl' | 'yaml', keyIndent: number): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  for (let l = line - 1; l >= 0; l--) {
    const c = fullLineComment((lines[l] ?? '').replace(/\r$/, ''), format);
    if (!c) break;
    if (format === 'yaml' && c.indent > keyIndent) break;
    out.push({ text: c.text, line: l });
  }
  return out;
}

/** What the ignore check needs of a declaration (see SizeDeclaration). */
export interface IgnoreTarget {
  format: 'hcl' | 'yaml' | 'json';
  /** End offset of the value (quotes excluded); its closing quote, if any, is skipped. */
  valueEnd: number;
  /** Line of the attribute / key. */
  attributeLine: number;
  /** Line of the resource header / logical id. */
  resourceLine: number;
  /** Rules the resource's `Metadata.finops.ignore` names (CloudFormation). */
  metadataIgnores?: readonly string[];
}

/**
 * The directive that silences `rule` for this declaration, or undefined. `lines` may be given when checking many
 * declarations of one text.
 */
export function findIgnore(text: string, target: IgnoreTarget, rule: string, lines: string[] = text.split('\n')): IgnoreDirective | undefined {
  const wanted = rule.toLowerCase();
  if (target.metadataIgnores?.some((r) => r.toLowerCase() === wanted)) return { rules: [...target.metadataIgnores], line: target.resourceLine, where: 'metadata' };
  if (target.format === 'json') return undefined;
  const format = target.format;
  const matches = (comment: string | undefined) => {
    const d = comment === undefined ? undefined : parseIgnoreComment(comment);
    return d && d.rules.includes(wanted) ? d : undefined;
  };
  // end of line: after the value's closing quote
  const q = text[target.valueEnd];
  const afterValue = q === '"' || q === "'" ? target.valueEnd + 1 : target.valueEnd;
  const eol = matches(trailingComment(text, afterValue, format));
  if (eol) return { ...eol, line: new LineIndex(text).position(afterValue).line, where: 'endOfLine' };
  const indentOf = (l: number) => /^[ \t]*/.exec(lines[l] ?? '')?.[0].length ?? 0;
  for (const c of commentsAbove(lines, target.attributeLine, format, indentOf(target.attributeLine))) {
    const d = matches(c.text);
    if (d) return { ...d, line: c.line, where: 'above' };
  }
  for (const c of commentsAbove(lines, target.resourceLine, format, indentOf(target.resourceLine))) {
    const d = matches(c.text);
    if (d) return { ...d, line: c.line, where: 'resource' };
  }
  return undefined;
}

/** "main.tf:18 (# finops:ignore rightsizing)", for reports. */
export function describeIgnore(file: string, d: IgnoreDirective): string {
  const what = d.where === 'metadata' ? `Metadata finops.ignore [${d.rules.join(', ')}]` : `# ${IGNORE_PREFIX} ${d.rules.join(', ')}`;
  return `${file}:${d.line + 1} (${what})${d.reason ? `: ${d.reason}` : ''}`;
}

/**
 * The edit that adds an ignore directive for `rule`: a comment line above the attribute with its indentation (HCL
 * and YAML), or for JSON a `Metadata` entry on the resource. Offsets into `text`; undefined when no edit can be
 * written safely (a JSON resource whose `Metadata.finops` has another shape).
 */
export function ignoreEdit(
  text: string,
  target: { format: 'hcl' | 'yaml' | 'json'; attributeLine: number; json?: JsonResourceShape },
  rule: string,
): { start: number; end: number; newText: string } | undefined {
  if (target.format !== 'json') {
    const lines = new LineIndex(text);
    const start = lines.offset({ line: target.attributeLine, character: 0 });
    const indent = lines.indentAt(start);
    return { start, end: start, newText: `${indent}# ${IGNORE_PREFIX} ${rule}\n` };
  }
  const shape = target.json;
  if (!shape) return undefined;
  const entry = `"finops": { "ignore": [${JSON.stringify(rule)}] }`;
  if (shape.finopsIgnoreArray) {
    const { open, empty } = shape.finopsIgnoreArray;
    return { start: open + 1, end: open + 1, newText: `${JSON.stringify(rule)}${empty ? '' : ', '}` };
  }
  if (shape.hasFinops) return undefined;
  if (shape.metadataObject) {
    const { open, empty } = shape.metadataObject;
    return { start: open + 1, end: open + 1, newText: ` ${entry}${empty ? ' ' : ','}` };
  }
  if (shape.hasMetadata) return undefined;
  // a new Metadata entry before the resource's first key, on its own line with that key's indentation
  const lines = new LineIndex(text);
  const indent = lines.indentAt(shape.firstKey);
  const sameLine = lines.position(shape.firstKey).line === lines.position(shape.open).line;
  return sameLine
    ? { start: shape.firstKey, end: shape.firstKey, newText: `"Metadata": { ${entry} }, ` }
    : { start: shape.firstKey, end: shape.firstKey, newText: `"Metadata": { ${entry} },\n${indent}` };
}

/** Where a JSON resource's Metadata lives, for `ignoreEdit`. */
export interface JsonResourceShape {
  /** Offset of the resource object's `{` and of its first key. */
  open: number;
  firstKey: number;
  hasMetadata: boolean;
  /** `{` of Metadata when it is an object. */
  metadataObject?: { open: number; empty: boolean };
  hasFinops: boolean;
  /** `[` of Metadata.finops.ignore when it is an array. */
  finopsIgnoreArray?: { open: number; empty: boolean };
}
