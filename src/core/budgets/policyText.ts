import { Document, isMap, isScalar, isSeq, parseDocument, type Pair, type YAMLSeq } from 'yaml';
import { FinOpsError } from '../errors';

/**
 * Adding budgets to the text of a team policy (`.finops.yaml`) the way a person would: the new entries are written
 * after the last budget, in the file's own indentation, and every other byte of the file (comments, blank lines,
 * quoting, flow collections, number spellings, long lines) stays as it was. The YAML Document API finds where the
 * list is and writes the entries; the whole file is never re-serialised, which would reformat it.
 */

/** The names of the entries of `budgets:` in a policy text (entries without a name are left out). */
export function budgetNamesInPolicyText(text: string): string[] {
  const doc = parseDocument(text);
  const list: unknown = isMap(doc.contents) ? doc.contents.get('budgets') : undefined;
  if (!isSeq(list)) return [];
  return list.items.flatMap((item) => {
    const name: unknown = isMap(item) ? item.get('name') : undefined;
    return typeof name === 'string' ? [name] : [];
  });
}

function bad(message: string, fix: string): FinOpsError {
  return new FinOpsError('input', message, { fix });
}

/** Column of offset `at` in `text`. */
function columnOf(text: string, at: number): number {
  return at - (text.lastIndexOf('\n', at - 1) + 1);
}

/** The offset just after the line on which the text before `end` last has something other than white space. */
function afterLastLine(text: string, end: number): { at: number; newline: boolean } {
  let q = end;
  while (q > 0 && /\s/.test(text[q - 1]!)) q--;
  const nl = text.indexOf('\n', q);
  return nl < 0 ? { at: text.length, newline: true } : { at: nl + 1, newline: false };
}

/** One entry as block YAML: `- name: …` at column `dash`, its keys at column `content`, nested by `content - dash`. */
function blockItem(entry: Record<string, unknown>, dash: number, content: number, eol: string): string {
  const indent = Math.max(2, content - dash);
  const lines = new Document(entry).toString({ indent, lineWidth: 0 }).replace(/\n$/, '').split('\n');
  return lines.map((line, i) => (i === 0 ? `${' '.repeat(dash)}-${' '.repeat(indent - 1)}${line}` : line ? `${' '.repeat(dash + indent)}${line}` : line)).join(eol) + eol;
}

/** The indentation step the file uses for its top-level mappings (2 when nothing says otherwise). */
function indentStep(text: string): number {
  const m = /^[^\s#][^\n]*:[ \t]*(?:#[^\n]*)?\r?\n( +)[^\s#-]/m.exec(text);
  return m ? m[1]!.length : 2;
}

/**
 * `text` with `entries` added at the end of its `budgets:` list (the list is created at the end of the file when
 * there is none). Refuses, with the fix, a file that is not valid YAML or whose top level or `budgets:` is not what
 * the policy expects; the result is checked to read back as the old budgets followed by the new ones.
 */
export function addBudgetsToPolicyText(text: string, entries: readonly Record<string, unknown>[], file = '.finops.yaml'): string {
  if (!entries.length) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const doc = parseDocument(text);
  if (doc.errors.length) throw bad(`${file} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); the budgets were not written.`, `Fix ${file} first (the Problems view names the line).`);
  const before: unknown[] = (() => {
    const b: unknown = isMap(doc.contents) ? doc.contents.get('budgets') : undefined;
    return isSeq(b) ? (b.toJSON() as unknown[]) : [];
  })();
  let out: string;
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    // an empty file, or one with comments only
    const step = indentStep(text);
    const { at, newline } = afterLastLine(text, text.length);
    const lead = at === 0 ? '' : newline ? eol : '';
    out = text.slice(0, at) + lead + `budgets:${eol}` + entries.map((e) => blockItem(e, step, 2 * step, eol)).join('') + text.slice(at);
  } else if (!isMap(doc.contents)) {
    throw bad(`${file} is not a YAML mapping; the budgets were not written.`, `Make ${file} a mapping with a "budgets:" list.`);
  } else {
    const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'budgets') as Pair<unknown, unknown> | undefined;
    const value = pair?.value;
    if (!pair) {
      const step = indentStep(text);
      const end = doc.contents.range?.[1] ?? text.length;
      const { at, newline } = afterLastLine(text, end);
      out = text.slice(0, at) + (newline ? eol : '') + `budgets:${eol}` + entries.map((e) => blockItem(e, step, 2 * step, eol)).join('') + text.slice(at);
    } else if (isSeq(value) && !value.flow && value.items.length) {
      const seq = value as YAMLSeq<unknown>;
      const dashAt = seq.range?.[0] ?? 0;
      const dash = columnOf(text, dashAt);
      const first = seq.items[0] as { range?: [number, number, number] } | undefined;
      const content = first?.range ? columnOf(text, first.range[0]) : dash + 2;
      const last = seq.items[seq.items.length - 1] as { range?: [number, number, number] } | undefined;
      const { at, newline } = afterLastLine(text, last?.range?.[1] ?? seq.range?.[1] ?? text.length);
      out = text.slice(0, at) + (newline ? eol : '') + entries.map((e) => blockItem(e, dash, content > dash + 1 ? content : dash + 2, eol)).join('') + text.slice(at);
    } else if (isSeq(value) && value.flow) {
      // `budgets: [ … ]`: the entries go inside the brackets, in flow style
      const end = value.range?.[1] ?? 0;
      const close = text.lastIndexOf(']', end);
      if (close < 0) throw bad(`"budgets:" in ${file} could not be read as a list; the budgets were not written.`, `Write "budgets:" as a list of entries.`);
      const flow = entries.map((e) => new Document(e).toString({ collectionStyle: 'flow', lineWidth: 0 }).trim()).join(', ');
      const inner = text.slice((value.range?.[0] ?? 0) + 1, close).trim();
      out = text.slice(0, close).replace(/\s*$/, '') + (inner ? ', ' : '') + flow + text.slice(close);
    } else if (isScalar(value) ? value.value === null : value === null || value === undefined) {
      // `budgets:` with nothing (or `~`, `null`) after it: the list starts on the next line
      const key = pair.key as { range?: [number, number, number] };
      const valueRange = (value as { range?: [number, number, number] } | null)?.range;
      const step = indentStep(text);
      const keyCol = columnOf(text, key.range?.[0] ?? 0);
      const items = entries.map((e) => blockItem(e, keyCol + step, keyCol + 2 * step, eol)).join('');
      if (valueRange && valueRange[1] > valueRange[0]) {
        // drop the written null, keep a comment after it
        const lineEnd = text.indexOf('\n', valueRange[1]);
        const cut = lineEnd < 0 ? text.length : lineEnd + 1;
        out = text.slice(0, valueRange[0]).replace(/[ \t]*$/, '') + text.slice(valueRange[1], cut).replace(/\r?\n$/, '') + eol + items + text.slice(cut);
      } else {
        const from = key.range?.[1] ?? 0;
        const nl = text.indexOf('\n', from);
        const cut = nl < 0 ? text.length : nl + 1;
        out = text.slice(0, cut) + (nl < 0 ? eol : '') + items + text.slice(cut);
      }
    } else {
      throw bad(`"budgets:" in ${file} is not a list; the budgets were not written.`, `Write "budgets:" as a list of entries (- name: …).`);
    }
  }
  // what was written reads back as the old budgets followed by the new ones, and nothing else changed
  const check = parseDocument(out);
  const after: unknown = isMap(check.contents) ? check.contents.get('budgets') : undefined;
  const expected = [...before, ...entries.map((e) => new Document(e).toJSON() as unknown)];
  const rest = (d: typeof doc): string => JSON.stringify(isMap(d.contents) ? Object.fromEntries(d.contents.items.filter((p) => !(isScalar(p.key) && p.key.value === 'budgets')).map((p) => [String(isScalar(p.key) ? p.key.value : p.key), (p.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? p.value])) : {});
  if (check.errors.length || !isSeq(after) || JSON.stringify(after.toJSON()) !== JSON.stringify(expected) || rest(check) !== rest(doc)) {
    throw new FinOpsError('internal', `The budgets could not be added to ${file} without changing the rest of it.`, { fix: `Add the budgets to ${file} by hand; this is a bug, please report it with the file.` });
  }
  return out;
}
