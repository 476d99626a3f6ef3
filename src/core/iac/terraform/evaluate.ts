import type { Expr, TraversalStep } from '../hcl/ast';

/** Where a value was written: a file and offsets into it. */
interface Origin {
  file: string;
  start: number;
  end: number;
}

export interface Entry {
  value: Value;
  key?: Origin;
  at?: Origin;
}

/** A statically known (or partly known) Terraform value. */
export type Value =
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'bool'; v: boolean }
  | { k: 'null' }
  /** `complete: false` means further keys may exist that cannot be known statically. */
  | { k: 'obj'; entries: Map<string, Entry>; complete: boolean }
  | { k: 'list'; items: Value[] }
  | { k: 'unknown' };

export const unknown: Value = { k: 'unknown' };
export const emptyObject = (): Value => ({ k: 'obj', entries: new Map(), complete: true });

export interface Scope {
  /** Resolves `local.NAME` (memoised by the caller). */
  local(name: string): Value;
  /** Resolves `var.NAME`. */
  variable(name: string): Value;
}

function scalarText(v: Value): string | undefined {
  if (v.k === 'str') return v.v;
  if (v.k === 'num') return String(v.v);
  if (v.k === 'bool') return String(v.v);
  return undefined;
}

function truthy(v: Value): boolean | undefined {
  if (v.k === 'bool') return v.v;
  if (v.k === 'str' && (v.v === 'true' || v.v === 'false')) return v.v === 'true';
  return undefined;
}

function equal(a: Value, b: Value): boolean | undefined {
  if (a.k === 'unknown' || b.k === 'unknown') return undefined;
  if (a.k === 'null' || b.k === 'null') return a.k === b.k;
  const sa = scalarText(a);
  const sb = scalarText(b);
  if (sa !== undefined && sb !== undefined && a.k === b.k) return sa === sb;
  return undefined;
}

function step(v: Value, s: TraversalStep, evalKey: (e: Expr) => Value): Value {
  if (s.kind === 'splat') return unknown;
  const key = s.kind === 'attr' ? ({ k: 'str', v: s.name } as Value) : evalKey(s.key);
  const text = scalarText(key);
  if (text === undefined) return unknown;
  if (v.k === 'obj') {
    const e = v.entries.get(text);
    if (e) return e.value;
    return v.complete ? unknown : unknown;
  }
  if (v.k === 'list' && key.k === 'num') return v.items[key.v] ?? unknown;
  return unknown;
}

/** Combines two possible values (branches of a conditional): what holds in both. */
function either(a: Value, b: Value): Value {
  if (a.k === 'obj' && b.k === 'obj') {
    const entries = new Map<string, Entry>();
    let complete = a.complete && b.complete;
    for (const [key, ea] of a.entries) {
      const eb = b.entries.get(key);
      if (!eb) { complete = false; continue; }
      const same = equal(ea.value, eb.value);
      entries.set(key, same ? ea : { value: unknown, ...(ea.key ? { key: ea.key } : {}) });
    }
    for (const key of b.entries.keys()) if (!a.entries.has(key)) complete = false;
    return { k: 'obj', entries, complete };
  }
  if (a.k === 'null' && b.k === 'obj') return either(emptyObject(), b);
  if (b.k === 'null' && a.k === 'obj') return either(a, emptyObject());
  return equal(a, b) ? a : unknown;
}

function merge(values: Value[]): Value {
  const entries = new Map<string, Entry>();
  let complete = true;
  for (const v of values) {
    if (v.k === 'null') continue;
    if (v.k === 'obj') {
      if (!v.complete) complete = false;
      for (const [key, e] of v.entries) entries.set(key, e);
    } else {
      // an unknown argument may add or override any key: known values after it still stand
      complete = false;
      for (const [key, e] of entries) entries.set(key, { ...e, value: unknown });
    }
  }
  return { k: 'obj', entries, complete };
}

/**
 * Evaluates an expression as far as it can be known without running Terraform: literals, templates,
 * maps, `merge`, `tomap`, `lookup`, `coalesce`, `try`, `lower`/`upper`, conditionals with known
 * conditions, `local.*` and `var.*`. Anything else is `unknown` (never guessed).
 */
export function evaluate(expr: Expr, file: string, scope: Scope): Value {
  // nesting is bounded by the parser, but locals chain across attributes and files: past the bound the value is unknown
  if (evaluating >= maxEvaluationDepth) return unknown;
  evaluating++;
  try {
    return evaluateNode(expr, file, scope);
  } finally {
    evaluating--;
  }
}

/**
 * How many evaluations may nest (an expression's own nesting plus `local.a` → `local.b` → … chains). Beyond it
 * the value is unknown: never guessed, and never a stack overflow.
 */
export const maxEvaluationDepth = 400;
let evaluating = 0;

function evaluateNode(expr: Expr, file: string, scope: Scope): Value {
  const ev = (e: Expr): Value => evaluate(e, file, scope);
  switch (expr.type) {
    case 'literal':
      if (expr.value === null) return { k: 'null' };
      if (typeof expr.value === 'string') return { k: 'str', v: expr.value };
      if (typeof expr.value === 'number') return { k: 'num', v: expr.value };
      return { k: 'bool', v: expr.value };
    case 'template': {
      if (expr.hasDirective) return unknown;
      let out = '';
      for (const p of expr.parts) {
        if (typeof p === 'string') { out += p; continue; }
        const v = scalarText(ev(p));
        if (v === undefined) return unknown;
        out += v;
      }
      return { k: 'str', v: out };
    }
    case 'tuple':
      return { k: 'list', items: expr.items.map(ev) };
    case 'object': {
      const entries = new Map<string, Entry>();
      let complete = true;
      for (const item of expr.items) {
        let keyText: string | undefined;
        const k = item.key;
        if (k.type === 'traversal' && k.steps.length === 0) keyText = k.root;
        else if (k.type === 'literal' && k.value !== null) keyText = String(k.value);
        else keyText = scalarText(ev(k.type === 'paren' ? k.inner : k));
        if (keyText === undefined) { complete = false; continue; }
        entries.set(keyText, {
          value: ev(item.value),
          key: { file, start: k.start, end: k.end },
          at: { file, start: item.value.start, end: item.value.end },
        });
      }
      return { k: 'obj', entries, complete };
    }
    case 'paren':
      return ev(expr.inner);
    case 'traversal': {
      let v: Value;
      const [first, ...rest] = expr.steps;
      if ((expr.root === 'local' || expr.root === 'var') && first?.kind === 'attr') {
        v = expr.root === 'local' ? scope.local(first.name) : scope.variable(first.name);
        for (const s of rest) v = step(v, s, ev);
        return v;
      }
      return unknown;
    }
    case 'relative': {
      let v = ev(expr.source);
      for (const s of expr.steps) v = step(v, s, ev);
      return v;
    }
    case 'conditional': {
      const c = truthy(ev(expr.condition));
      if (c === true) return ev(expr.whenTrue);
      if (c === false) return ev(expr.whenFalse);
      return either(ev(expr.whenTrue), ev(expr.whenFalse));
    }
    case 'binary': {
      const l = ev(expr.left);
      const r = ev(expr.right);
      if (expr.op === '==' || expr.op === '!=') {
        const eq = equal(l, r);
        return eq === undefined ? unknown : { k: 'bool', v: expr.op === '==' ? eq : !eq };
      }
      if (expr.op === '&&' || expr.op === '||') {
        const a = truthy(l);
        const b = truthy(r);
        if (expr.op === '&&') return a === false || b === false ? { k: 'bool', v: false } : a && b ? { k: 'bool', v: true } : unknown;
        return a === true || b === true ? { k: 'bool', v: true } : a === false && b === false ? { k: 'bool', v: false } : unknown;
      }
      return unknown;
    }
    case 'unary': {
      const v = ev(expr.operand);
      if (expr.op === '!') { const t = truthy(v); return t === undefined ? unknown : { k: 'bool', v: !t }; }
      return v.k === 'num' ? { k: 'num', v: -v.v } : unknown;
    }
    case 'call':
      return call(expr.name, expr.args, expr.expandFinal, ev);
    case 'for':
    case 'invalid':
      return unknown;
  }
}

function call(name: string, args: Expr[], expandFinal: boolean, ev: (e: Expr) => Value): Value {
  if (expandFinal) return unknown;
  switch (name) {
    case 'merge':
      return merge(args.map(ev));
    case 'tomap':
      return args[0] ? (v => (v.k === 'obj' || v.k === 'null' ? v : unknown))(ev(args[0])) : unknown;
    case 'try':
    case 'coalesce': {
      for (const a of args) {
        const v = ev(a);
        if (v.k === 'unknown') return unknown;
        if (name === 'try') return v;
        if (v.k !== 'null' && !(v.k === 'str' && v.v === '')) return v;
      }
      return unknown;
    }
    case 'toset':
    case 'tolist': {
      const v = args[0] ? ev(args[0]) : unknown;
      if (v.k !== 'list') return unknown;
      if (name === 'tolist') return v;
      // a set of strings keeps each known value once (Terraform converts the elements to strings); an unknown
      // element makes its size unknown
      const seen = new Set<string>();
      for (const item of v.items) {
        const t = scalarText(item);
        if (t === undefined) return unknown;
        seen.add(t);
      }
      return { k: 'list', items: [...seen].map((t) => ({ k: 'str', v: t })) };
    }
    case 'lookup': {
      const [m, key, dflt] = args;
      if (!m || !key) return unknown;
      const mv = ev(m);
      const kv = scalarText(ev(key));
      if (mv.k !== 'obj' || kv === undefined) return unknown;
      const e = mv.entries.get(kv);
      if (e) return e.value;
      return mv.complete && dflt ? ev(dflt) : unknown;
    }
    case 'lower':
    case 'upper':
    case 'tostring': {
      const v = args[0] ? ev(args[0]) : unknown;
      const t = scalarText(v);
      if (t === undefined) return unknown;
      return { k: 'str', v: name === 'lower' ? t.toLowerCase() : name === 'upper' ? t.toUpperCase() : t };
    }
    default:
      return unknown;
  }
}

/** The keys and known string values of an object value. */
export function tagsOf(v: Value): { keys: Map<string, string | undefined>; complete: boolean; entries: Map<string, Entry> } {
  const keys = new Map<string, string | undefined>();
  if (v.k === 'null') return { keys, complete: true, entries: new Map() };
  if (v.k !== 'obj') return { keys, complete: false, entries: new Map() };
  for (const [key, e] of v.entries) keys.set(key, scalarText(e.value));
  return { keys, complete: v.complete, entries: v.entries };
}

export { merge as mergeValues };
