import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { RE2JS } from 're2js';
import { maxYamlDepth, yamlTooDeep } from '../yamlDepth';
import { z } from 'zod';
import { parseBudgetSections } from '../budgets/schema';
import { defaultPolicy } from './defaults';
import { findingCodes, type Cloud, type LoadedPolicy, type PolicyProblem, type Severity, type TagPolicy, type TagRule } from './model';

const severity = z.enum(['error', 'warning', 'info']);
const cloud = z.enum(['aws', 'gcp', 'azure']);
const tagKey = z.string().min(1, 'a tag key cannot be empty').max(128, 'a tag key has at most 128 characters');
/** Scalars in lists of values may be written unquoted (`[100, 200]`); they are tag values, so strings. */
const valueString = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

/** Patterns run on RE2's linear-time engine (no look-around, no back-references), so no value can make them hang. */
const validRegExp = (s: string): boolean => {
  try {
    RE2JS.compile(s);
    return true;
  } catch {
    return false;
  }
};

const ruleSchema = z.strictObject({
  allowed: z.array(valueString).min(1, 'list at least one allowed value').optional(),
  pattern: z.string().max(1000, 'a pattern has at most 1,000 characters').refine(validRegExp, 'not a regular expression the linear-time engine (RE2 syntax: no look-around or back-references) accepts').optional(),
  ignoreCase: z.boolean().optional(),
  providers: z.array(cloud).min(1).optional(),
  example: z.string().optional(),
  description: z.string().optional(),
  severity: severity.optional(),
});

const tagsSchema = z.strictObject({
  required: z.array(tagKey).optional(),
  optional: z.array(tagKey).optional(),
  rules: z.record(tagKey, ruleSchema).optional(),
  exclude: z.array(z.string().min(1)).optional(),
  include: z.array(z.string().min(1)).optional(),
  excludeResources: z.array(z.string().min(1)).optional(),
  excludePaths: z.array(z.string().min(1)).optional(),
  severity: severity.optional(),
  severities: z.partialRecord(z.enum(findingCodes), severity).optional(),
  gcp: z.strictObject({
    labelKeys: z.record(tagKey, z.union([z.string().min(1).transform((s) => [s]), z.array(z.string().min(1)).min(1)])).optional(),
  }).optional(),
  placeholders: z.array(valueString).optional(),
  reportUnknown: z.boolean().optional(),
});

/** Top-level keys of `.finops.yaml` this module reads; other features read other keys (budgets, …). */
const fileSchema = z.looseObject({
  version: z.literal(1).optional(),
  tags: tagsSchema.optional(),
  hierarchy: z.array(z.string().min(1)).min(1).max(5).optional(),
});

/** Read by src/core/budgets (parseBudgetSections), reported here on their lines like the rest of the file. */
const budgetTopLevel = ['budgets', 'showback'];

const knownTopLevel = ['version', 'tags', 'hierarchy', ...budgetTopLevel];

/** The AWS Organizations tag policy shape (management policy syntax with `@@assign`). */
const assign = <T extends z.ZodType>(inner: T) => z.looseObject({ '@@assign': inner });
const awsOrgSchema = z.looseObject({
  tags: z.record(z.string(), z.looseObject({
    tag_key: assign(z.string().min(1)).optional(),
    tag_value: assign(z.array(z.string())).optional(),
    enforced_for: assign(z.array(z.string())).optional(),
    report_required_tag_for: assign(z.array(z.string())).optional(),
  })),
});

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

interface Located {
  problem(message: string, path: ReadonlyArray<PropertyKey>, severity?: Severity, onKey?: boolean): PolicyProblem;
}

function locator(doc: Document | undefined, lc: LineCounter): Located {
  const pos = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  return {
    problem(message, path, sev = 'error', onKey = false) {
      let range: [number, number] = [0, 0];
      if (doc) {
        // walk down as far as the path exists; point at the deepest node (or its key)
        let node: unknown = doc.contents;
        let keyNode: YamlNode | undefined;
        for (const step of path) {
          if (isMap(node)) {
            const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(step));
            if (!pair) break;
            keyNode = pair.key as YamlNode;
            node = pair.value;
          } else if (node && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown[] }).items) && typeof step === 'number') {
            const next = (node as { items: unknown[] }).items[step];
            if (next === undefined) break;
            keyNode = undefined;
            node = next;
          } else {
            break;
          }
        }
        const target = (onKey && keyNode) || (node as YamlNode | null | undefined) || keyNode;
        if (target?.range) range = [target.range[0], target.range[1]];
        else if (keyNode?.range) range = [keyNode.range[0], keyNode.range[1]];
      }
      const s = pos(range[0]);
      const e = pos(Math.max(range[1], range[0]));
      return { message, severity: sev, ...(path[0] !== undefined ? { section: String(path[0]) } : {}), line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
    },
  };
}

function deleteAt(data: unknown, path: ReadonlyArray<PropertyKey>): boolean {
  if (path.length === 0) return false;
  let node = data as Record<PropertyKey, unknown>;
  for (const step of path.slice(0, -1)) {
    const next = node?.[step];
    if (next === null || typeof next !== 'object') return false;
    node = next as Record<PropertyKey, unknown>;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else delete node[last];
  return true;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.map(String).join('.') : 'the file';
  if (issue.code === 'unrecognized_keys') {
    return `Unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} in ${where}.`;
  }
  return `${where}: ${issue.message}.`.replace(/\.\.$/, '.');
}

/**
 * Parses a policy file: `.finops.yaml` (or JSON of the same shape) or an AWS Organizations tag policy.
 * Never throws for bad content: each problem comes back with its line and column, the parts that are
 * valid are used, and the rest falls back to the defaults.
 */
export function loadPolicy(text: string, file?: string): LoadedPolicy {
  try {
    return readPolicy(text, file);
  } catch (e) {
    // a failure nobody foresaw is still a problem on the file, never an exception out of the loader
    const problem: PolicyProblem = { message: `The policy could not be read (${e instanceof Error ? e.message : String(e)}); the default policy applies.`, severity: 'error', line: 1, column: 1, endLine: 1, endColumn: 1 };
    return { policy: { ...defaultPolicy(), source: { kind: 'yaml', ...(file ? { file } : {}) } }, problems: [problem] };
  }
}

/**
 * Policy files larger than this are not read: a team's policy, with its budgets, is a few KB, and YAML of
 * hundreds of KB (generated, or hostile) takes the parser seconds on every keystroke.
 */
export const maxPolicyBytes = 64 * 1024;

function readPolicy(text: string, file?: string): LoadedPolicy {
  const lc = new LineCounter();
  const base = defaultPolicy();
  const source: TagPolicy['source'] = { kind: 'yaml', ...(file ? { file } : {}) };
  if (text.length > maxPolicyBytes) {
    const problem: PolicyProblem = {
      message: `The policy is ${(text.length / 1024).toFixed(0)} KB; policy files over ${maxPolicyBytes / 1024} KB are not read (is it generated?). The default policy applies.`,
      severity: 'error', line: 1, column: 1, endLine: 1, endColumn: 1,
    };
    return { policy: { ...base, source }, problems: [problem] };
  }
  const deep = yamlTooDeep(text);
  if (deep) {
    const before = text.slice(0, deep.offset);
    const line = before.split('\n').length;
    const column = deep.offset - before.lastIndexOf('\n');
    const problem = { message: `The policy nests more than ${maxYamlDepth} levels deep; it is not read.`, severity: 'error' as const, line, column, endLine: line, endColumn: column + 1 };
    return { policy: { ...base, source }, problems: [problem] };
  }
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: false, logLevel: 'silent' });
  const loc = locator(doc, lc);
  const problems: PolicyProblem[] = [];
  for (const err of doc.errors) {
    const s = lc.linePos(err.pos[0]);
    const e = lc.linePos(err.pos[1]);
    problems.push({ message: `YAML syntax: ${err.message.split('\n')[0]}`, severity: 'error', line: s.line, column: s.col, endLine: e.line, endColumn: e.col });
  }
  if (doc.errors.length > 0) {
    return { policy: { ...base, source }, problems };
  }
  const read = documentData(doc);
  if ('problem' in read) {
    const r = read.at?.range ?? [0, 0];
    const s = lc.linePos(r[0]);
    const e = lc.linePos(Math.max(r[0], r[1]));
    problems.push({ message: read.problem, severity: 'error', line: s.line, column: s.col, endLine: e.line, endColumn: e.col });
    return { policy: { ...base, source }, problems };
  }
  const data = read.data;
  if (data === null || data === undefined) {
    return { policy: { ...base, source }, problems };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push(loc.problem('A policy file is a map with a "tags" key (see the ML FinOps README).', []));
    return { policy: { ...base, source }, problems };
  }
  if (isAwsOrganizationsPolicy(data)) return fromAwsOrganizations(data, loc, file);

  for (const key of Object.keys(data)) {
    if (knownTopLevel.includes(key)) continue;
    const near = knownTopLevel.find((k) => editDistance(k, key.toLowerCase()) <= 2);
    if (near) problems.push({ ...loc.problem(`Unknown key "${key}": did you mean "${near}"?`, [key], 'warning', true), section: near });
  }
  const sections = parseBudgetSections((data as Record<string, unknown>).budgets, (data as Record<string, unknown>).showback);
  for (const issue of sections.issues) problems.push(loc.problem(issue.message, issue.path, 'error', issue.message.startsWith('Unknown key')));
  for (const key of budgetTopLevel) delete (data as Record<string, unknown>)[key];
  const budgetParts = { budgets: sections.budgets, showback: sections.showback };
  let parsed = fileSchema.safeParse(data);
  for (let round = 0; !parsed.success && round < 20; round++) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          problems.push(loc.problem(`Unknown key "${k}" in ${issue.path.map(String).join('.') || 'the file'}: the keys are ${knownKeysAt(issue.path)}.`, [...issue.path, k], 'error', true));
          deleteAt(data, [...issue.path, k]);
        }
      } else {
        problems.push(loc.problem(describeIssue(issue), issue.path));
        if (!deleteAt(data, issue.path)) break;
      }
    }
    parsed = fileSchema.safeParse(data);
  }
  if (!parsed.success) return { policy: { ...base, source }, problems, ...budgetParts };
  const t = parsed.data.tags ?? {};
  const policy: TagPolicy = {
    source,
    required: t.required ?? base.required,
    optional: t.optional ?? base.optional,
    rules: t.rules ? normaliseRules(t.rules) : base.rules,
    exclude: t.exclude ?? [],
    include: t.include ?? [],
    excludeResources: t.excludeResources ?? [],
    excludePaths: t.excludePaths ?? [],
    severity: t.severity ?? base.severity,
    severities: ownMap({ ...base.severities, ...(t.severities ?? {}) }),
    gcpLabelKeys: ownMap((t.gcp?.labelKeys as Record<string, string[]> | undefined) ?? {}),
    placeholders: t.placeholders ?? base.placeholders,
    ...(parsed.data.hierarchy ? { hierarchy: parsed.data.hierarchy } : {}),
    ...(t.reportUnknown !== undefined ? { reportUnknown: t.reportUnknown } : {}),
  };
  for (const key of Object.keys(policy.rules)) {
    if (!policy.required.includes(key) && !policy.optional.includes(key)) {
      problems.push(loc.problem(`The rule for "${key}" applies only when the tag is present: list "${key}" under tags.required or tags.optional.`, ['tags', 'rules', key], 'info', true));
    }
  }
  return { policy, problems, ...budgetParts };
}

function knownKeysAt(path: ReadonlyArray<PropertyKey>): string {
  const p = path.map(String);
  if (p.length === 1 && p[0] === 'tags') return Object.keys(tagsSchema.shape).join(', ');
  if (p[0] === 'tags' && p[1] === 'rules') return Object.keys(ruleSchema.shape).join(', ');
  if (p[0] === 'tags' && p[1] === 'gcp') return 'labelKeys';
  return knownTopLevel.join(', ');
}

function normaliseRules(rules: Record<string, z.output<typeof ruleSchema>>): Record<string, TagRule> {
  const out: Record<string, TagRule> = Object.create(null) as Record<string, TagRule>;
  for (const [key, r] of Object.entries(rules)) {
    const rule: TagRule = {};
    if (r.allowed) rule.allowed = r.allowed;
    if (r.pattern !== undefined) rule.pattern = r.pattern;
    if (r.ignoreCase !== undefined) rule.ignoreCase = r.ignoreCase;
    if (r.providers) rule.providers = r.providers as Cloud[];
    if (r.example !== undefined) rule.example = r.example;
    if (r.description !== undefined) rule.description = r.description;
    if (r.severity !== undefined) rule.severity = r.severity;
    out[key] = rule;
  }
  return out;
}

function isAwsOrganizationsPolicy(data: object): boolean {
  const tags = (data as { tags?: unknown }).tags;
  if (!tags || typeof tags !== 'object' || Array.isArray(tags)) return false;
  return Object.values(tags).some((v) => v && typeof v === 'object' && !Array.isArray(v)
    && ['tag_key', 'tag_value', 'enforced_for', 'report_required_tag_for'].some((k) => k in v));
}

/**
 * An AWS Organizations tag policy: each statement's `tag_key` (exact capitalisation) becomes a tag key,
 * `tag_value` its allowed values (with `*` wildcards). Keys named in `report_required_tag_for` are
 * required; when no statement uses it, every key in the policy is required (tag policies list the keys
 * an organisation expects on its resources).
 */
function fromAwsOrganizations(data: object, loc: Located, file?: string): LoadedPolicy {
  const problems: PolicyProblem[] = [];
  const parsed = awsOrgSchema.safeParse(data);
  const base = defaultPolicy();
  const source: TagPolicy['source'] = { kind: 'awsOrganizations', ...(file ? { file } : {}) };
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(loc.problem(`AWS tag policy: ${describeIssue(issue)}`, issue.path));
    return { policy: { ...base, source }, problems };
  }
  const keys: string[] = [];
  const requiredKeys: string[] = [];
  const rules: Record<string, TagRule> = Object.create(null) as Record<string, TagRule>;
  let anyRequired = false;
  for (const [policyKey, st] of Object.entries(parsed.data.tags)) {
    const key = st.tag_key?.['@@assign'] ?? policyKey.toLowerCase();
    if (key.toLowerCase() !== policyKey.toLowerCase()) {
      problems.push(loc.problem(`AWS tag policy: the tag_key "${key}" must match the policy key "${policyKey}" apart from case.`, ['tags', policyKey, 'tag_key'], 'warning'));
    }
    keys.push(key);
    if (st.report_required_tag_for) {
      anyRequired = true;
      requiredKeys.push(key);
    }
    const values = st.tag_value?.['@@assign'];
    if (values && values.length > 0) rules[key] = { allowed: values, providers: ['aws'] };
  }
  const policy: TagPolicy = { ...base, source, required: anyRequired ? requiredKeys : keys, optional: anyRequired ? keys.filter((k) => !requiredKeys.includes(k)) : [], rules };
  return { policy, problems };
}

/** How many values a policy may expand to, aliases included: more is an alias bomb, refused. */
const maxPolicyValues = 10_000;

/**
 * The document as plain data, in maps without a prototype (a key named `constructor` or `__proto__` is just a
 * key). Aliases are followed with a budget: an alias without its anchor, one that contains itself, or more than
 * `maxPolicyValues` values in all come back as a problem at the node, never as a thrown error.
 */
function documentData(doc: Document): { data: unknown } | { problem: string; at?: YamlNode } {
  let budget = maxPolicyValues;
  const following = new Set<unknown>();
  class Refused {
    constructor(readonly problem: string, readonly at: unknown) {}
  }
  const visit = (node: unknown, depth: number): unknown => {
    if (--budget < 0) throw new Refused(`The policy expands to more than ${maxPolicyValues.toLocaleString('en-US')} values through its aliases (*name); it is not read.`, node);
    if (depth > maxYamlDepth) throw new Refused(`The policy nests more than ${maxYamlDepth} levels deep through its aliases; it is not read.`, node);
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) throw new Refused(`The alias *${node.source} has no anchor &${node.source} before it.`, node);
      if (following.has(target)) throw new Refused(`The alias *${node.source} refers to a value that contains it.`, node);
      following.add(target);
      const value = visit(target, depth + 1);
      following.delete(target);
      return value;
    }
    if (isScalar(node)) {
      const v = node.value;
      return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    }
    if (isMap(node)) {
      const out = Object.create(null) as Record<string, unknown>;
      for (const pair of node.items) {
        const key = isAlias(pair.key) ? visit(pair.key, depth + 1) : isScalar(pair.key) ? pair.key.value : undefined;
        if (key !== null && typeof key === 'object') throw new Refused('A key must be text, not a list or a map.', pair.key);
        if (key === undefined) throw new Refused('A key must be text, not a list or a map.', pair.key ?? node);
        out[String(key)] = visit(pair.value, depth + 1);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((item) => visit(item, depth + 1));
    throw new Refused('This value cannot be read.', node);
  };
  try {
    return { data: visit(doc.contents, 0) };
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    return { problem: e.problem, ...(e.at && typeof e.at === 'object' && 'range' in e.at ? { at: e.at as YamlNode } : {}) };
  }
}

/** A copy of a map keyed by user text, without a prototype. */
function ownMap<T>(record: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, record);
}

/** The policy a workspace without a policy file uses. */
export function loadDefaultPolicy(): LoadedPolicy {
  return { policy: defaultPolicy(), problems: [] };
}
