import { LineCounter, isMap, isScalar, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { defaultPolicy } from './defaults';
import { findingCodes, type Cloud, type LoadedPolicy, type PolicyProblem, type Severity, type TagPolicy, type TagRule } from './model';

const severity = z.enum(['error', 'warning', 'info']);
const cloud = z.enum(['aws', 'gcp', 'azure']);
const tagKey = z.string().min(1, 'a tag key cannot be empty').max(128, 'a tag key has at most 128 characters');
/** Scalars in lists of values may be written unquoted (`[100, 200]`); they are tag values, so strings. */
const valueString = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

const validRegExp = (s: string): boolean => {
  try {
    new RegExp(s, 'u');
    return true;
  } catch {
    return false;
  }
};

const ruleSchema = z.strictObject({
  allowed: z.array(valueString).min(1, 'list at least one allowed value').optional(),
  pattern: z.string().refine(validRegExp, 'not a valid regular expression').optional(),
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

const knownTopLevel = ['version', 'tags', 'hierarchy'];

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
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: false });
  const loc = locator(doc, lc);
  const problems: PolicyProblem[] = [];
  for (const err of doc.errors) {
    const s = lc.linePos(err.pos[0]);
    const e = lc.linePos(err.pos[1]);
    problems.push({ message: `YAML syntax: ${err.message.split('\n')[0]}`, severity: 'error', line: s.line, column: s.col, endLine: e.line, endColumn: e.col });
  }
  const base = defaultPolicy();
  const source: TagPolicy['source'] = { kind: 'yaml', ...(file ? { file } : {}) };
  if (doc.errors.length > 0) {
    return { policy: { ...base, source }, problems };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
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
  if (!parsed.success) return { policy: { ...base, source }, problems };
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
    severities: { ...base.severities, ...(t.severities ?? {}) },
    gcpLabelKeys: (t.gcp?.labelKeys as Record<string, string[]> | undefined) ?? {},
    placeholders: t.placeholders ?? base.placeholders,
    ...(parsed.data.hierarchy ? { hierarchy: parsed.data.hierarchy } : {}),
    ...(t.reportUnknown !== undefined ? { reportUnknown: t.reportUnknown } : {}),
  };
  for (const key of Object.keys(policy.rules)) {
    if (!policy.required.includes(key) && !policy.optional.includes(key)) {
      problems.push(loc.problem(`The rule for "${key}" applies only when the tag is present: list "${key}" under tags.required or tags.optional.`, ['tags', 'rules', key], 'info', true));
    }
  }
  return { policy, problems };
}

function knownKeysAt(path: ReadonlyArray<PropertyKey>): string {
  const p = path.map(String);
  if (p.length === 1 && p[0] === 'tags') return Object.keys(tagsSchema.shape).join(', ');
  if (p[0] === 'tags' && p[1] === 'rules') return Object.keys(ruleSchema.shape).join(', ');
  if (p[0] === 'tags' && p[1] === 'gcp') return 'labelKeys';
  return knownTopLevel.join(', ');
}

function normaliseRules(rules: Record<string, z.output<typeof ruleSchema>>): Record<string, TagRule> {
  const out: Record<string, TagRule> = {};
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
  const rules: Record<string, TagRule> = {};
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

/** The policy a workspace without a policy file uses. */
export function loadDefaultPolicy(): LoadedPolicy {
  return { policy: defaultPolicy(), problems: [] };
}
