import type { Attribute, Block, Body, Expr, HclFile } from '../hcl/ast';
import { parseHcl } from '../hcl/parser';
import { parseJsonWithOffsets, type JsonNode } from '../json';
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
 * Terraform JSON syntax (`.tf.json`) mapped onto the same tree as native syntax, with source offsets. Read as
 * strict JSON with bounded nesting (never through a YAML parser). Strings holding `${…}` templates are left
 * unevaluated (their value is unknown).
 */
function parseJsonSyntax(text: string, tfvars: boolean): HclFile {
  const body: Body = { attributes: [], blocks: [], start: 0, end: text.length };
  const { value: root, error } = parseJsonWithOffsets(text);
  if (error) return { body, errors: [{ message: `JSON syntax: ${error.message}`, start: error.start, end: error.end }], unparseable: true };
  if (root?.t !== 'obj') return { body, errors: [] };
  const keyText = (n: JsonNode) => (n.t === 'str' ? n.v : '');
  const toExpr = (n: JsonNode): Expr => {
    const { start, end } = n;
    switch (n.t) {
      case 'str':
        if (n.v.includes('${')) return { type: 'traversal', root: '__template', steps: [], start, end };
        return { type: 'template', parts: n.v ? [n.v] : [], hasDirective: false, heredoc: false, start, end };
      case 'num':
      case 'bool':
        return { type: 'literal', value: n.v, start, end };
      case 'null':
        return { type: 'literal', value: null, start, end };
      case 'obj':
        return {
          type: 'object', start, end,
          items: n.items.map((it) => {
            const key = toExpr(it.key);
            const value = toExpr(it.value);
            return { key, value, start: key.start, end: value.end };
          }),
        };
      case 'arr':
        return { type: 'tuple', items: n.items.map(toExpr), start, end };
    }
  };
  const toBody = (n: JsonNode): Body => {
    const b: Body = { attributes: [], blocks: [], start: n.start, end: n.end };
    if (n.t !== 'obj') return b;
    for (const it of n.items) {
      const name = it.key.v;
      const { start: ks, end: ke } = it.key;
      if (jsonBlockKeys.has(name) && (it.value.t === 'obj' || it.value.t === 'arr')) {
        const items = it.value.t === 'arr' ? it.value.items : [it.value];
        for (const item of items) b.blocks.push(block(name, [], ks, ke, item));
      } else {
        const expr = toExpr(it.value);
        const attr: Attribute = { kind: 'attribute', name, nameSpan: { start: ks, end: ke }, expr, start: ks, end: expr.end };
        b.attributes.push(attr);
      }
    }
    return b;
  };
  const block = (type: string, labels: Array<{ value: string; start: number; end: number }>, ts: number, te: number, value: JsonNode): Block => {
    const { start, end } = value;
    return { kind: 'block', type, typeSpan: { start: ts, end: te }, labels, open: start, close: Math.max(start, end - 1), body: toBody(value), start: ts, end };
  };
  if (tfvars) return { body: toBody(root), errors: [] };
  for (const top of root.items) {
    const kind = keyText(top.key);
    const { start: ts, end: te } = top.key;
    const v = top.value;
    if (kind === 'locals') {
      const items = v.t === 'arr' ? v.items : [v];
      for (const item of items) body.blocks.push(block('locals', [], ts, te, item));
      continue;
    }
    if (v.t !== 'obj') continue;
    const labelled = (depth: number, node: JsonNode, labels: Array<{ value: string; start: number; end: number }>): void => {
      if (depth === 0) {
        const items = node.t === 'arr' ? node.items : [node];
        for (const item of items) body.blocks.push(block(kind, labels, ts, te, item));
        return;
      }
      if (node.t !== 'obj') return;
      for (const it of node.items) labelled(depth - 1, it.value, [...labels, { value: it.key.v, start: it.key.start, end: it.key.end }]);
    };
    const depth = kind === 'resource' || kind === 'data' ? 2 : kind === 'provider' || kind === 'variable' || kind === 'module' || kind === 'output' ? 1 : 0;
    labelled(depth, v, []);
  }
  return { body, errors: [] };
}
