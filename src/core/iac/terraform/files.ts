import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Attribute, Block, Body, Expr, HclFile, SyntaxError } from '../hcl/ast';
import { parseHcl } from '../hcl/parser';
import { LineIndex } from '../model';
import { terraformTaggable } from '../tagSupport';

/** One parsed Terraform file (`.tf`, `.tf.json`, `.tfvars`, `.tfvars.json`). */
export interface TfFile {
  path: string;
  text: string;
  lines: LineIndex;
  hcl: HclFile;
  json: boolean;
}

export function isTerraformPath(p: string): boolean {
  return /\.tf(\.json)?$/i.test(p);
}

export function isTfvarsPath(p: string): boolean {
  const base = p.replace(/^.*[\\/]/, '');
  return base === 'terraform.tfvars' || base === 'terraform.tfvars.json' || /\.auto\.tfvars(\.json)?$/.test(base);
}

/** Top-level blocks tag analysis never reads: their bodies are only checked for balanced brackets. */
const unreadBlocks = new Set(['output', 'data', 'terraform', 'moved', 'import', 'removed', 'check']);
const skipBody = (type: string, labels: ReadonlyArray<{ value: string }>): boolean =>
  unreadBlocks.has(type) || (type === 'resource' && !terraformTaggable(labels[0]?.value ?? ''));

export function parseTerraformFile(path: string, text: string): TfFile {
  const json = /\.json$/i.test(path);
  let lines: LineIndex | undefined;
  return {
    path, text, json,
    get lines() { return (lines ??= new LineIndex(text)); },
    hcl: json ? parseJsonSyntax(text, isTfvarsPath(path)) : parseHcl(text, { skipBody }),
  };
}

/** Nested keys that are blocks (not attributes) in Terraform's JSON syntax, where it matters for tags. */
const jsonBlockKeys = new Set(['default_tags', 'tag', 'dynamic', 'lifecycle']);

/**
 * Terraform JSON syntax (`.tf.json`) mapped onto the same tree as native syntax, with source offsets.
 * Strings holding `${…}` templates are left unevaluated (their value is unknown).
 */
function parseJsonSyntax(text: string, tfvars: boolean): HclFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, strict: false });
  const errors: SyntaxError[] = doc.errors.map((e) => ({ message: `JSON syntax: ${e.message.split('\n')[0]}`, start: e.pos[0], end: e.pos[1] }));
  const root = doc.contents;
  const body: Body = { attributes: [], blocks: [], start: 0, end: text.length };
  if (!isMap(root)) return { body, errors };
  const rangeOf = (n: unknown): [number, number] => {
    const r = (n as YamlNode | null)?.range;
    return r ? [r[0], r[1]] : [0, 0];
  };
  const toExpr = (n: unknown): Expr => {
    const [start, end] = rangeOf(n);
    if (isScalar(n)) {
      const v = n.value;
      if (typeof v === 'string') {
        if (v.includes('${')) return { type: 'traversal', root: '__template', steps: [], start, end };
        return { type: 'template', parts: v ? [v] : [], hasDirective: false, heredoc: false, start, end };
      }
      if (typeof v === 'number' || typeof v === 'boolean' || v === null) return { type: 'literal', value: v, start, end };
      return { type: 'invalid', start, end };
    }
    if (isMap(n)) {
      return {
        type: 'object', start, end,
        items: n.items.map((it) => {
          const key = toExpr(it.key);
          const value = toExpr(it.value);
          return { key, value, start: key.start, end: value.end };
        }),
      };
    }
    if (isSeq(n)) return { type: 'tuple', items: n.items.map(toExpr), start, end };
    return { type: 'invalid', start, end };
  };
  const toBody = (n: unknown): Body => {
    const [start, end] = rangeOf(n);
    const b: Body = { attributes: [], blocks: [], start, end };
    if (!isMap(n)) return b;
    for (const it of n.items) {
      const name = isScalar(it.key) ? String(it.key.value) : '';
      const [ks, ke] = rangeOf(it.key);
      if (jsonBlockKeys.has(name) && (isMap(it.value) || isSeq(it.value))) {
        const items = isSeq(it.value) ? it.value.items : [it.value];
        for (const item of items) b.blocks.push(block(name, [], ks, ke, item));
      } else {
        const expr = toExpr(it.value);
        const attr: Attribute = { kind: 'attribute', name, nameSpan: { start: ks, end: ke }, expr, start: ks, end: expr.end };
        b.attributes.push(attr);
      }
    }
    return b;
  };
  const block = (type: string, labels: Array<{ value: string; start: number; end: number }>, ts: number, te: number, value: unknown): Block => {
    const [start, end] = rangeOf(value);
    return { kind: 'block', type, typeSpan: { start: ts, end: te }, labels, open: start, close: Math.max(start, end - 1), body: toBody(value), start: ts, end };
  };
  if (tfvars) return { body: toBody(root), errors };
  for (const top of root.items) {
    const kind = isScalar(top.key) ? String(top.key.value) : '';
    const [ts, te] = rangeOf(top.key);
    const v = top.value;
    if (kind === 'locals') {
      const items = isSeq(v) ? v.items : [v];
      for (const item of items) body.blocks.push(block('locals', [], ts, te, item));
      continue;
    }
    if (!isMap(v)) continue;
    const labelled = (depth: number, node: unknown, labels: Array<{ value: string; start: number; end: number }>): void => {
      if (depth === 0) {
        const items = isSeq(node) ? node.items : [node];
        for (const item of items) body.blocks.push(block(kind, labels, ts, te, item));
        return;
      }
      if (!isMap(node)) return;
      for (const it of node.items) {
        const [ls, le] = rangeOf(it.key);
        labelled(depth - 1, it.value, [...labels, { value: isScalar(it.key) ? String(it.key.value) : '', start: ls, end: le }]);
      }
    };
    const depth = kind === 'resource' || kind === 'data' ? 2 : kind === 'provider' || kind === 'variable' || kind === 'module' || kind === 'output' ? 1 : 0;
    labelled(depth, v, []);
  }
  return { body, errors };
}
