import { gcpLabelCandidates, isValidGcpLabelKey, isValidGcpLabelValue, snakeCase } from './gcpLabels';
import { RE2JS } from 're2js';
import { own, type Cloud, type FindingCode, type Severity, type TagPolicy, type TagRule } from './model';
import { wildcardMatcher } from './wildcard';

/** What static analysis knows about one resource's tags. */
export interface ObservedTags {
  /** Keys known to be present; value undefined when it is not known statically. */
  keys: ReadonlyMap<string, string | undefined>;
  /** False when further keys may be present that analysis cannot see (unknown maps). */
  complete: boolean;
}

export type Violation =
  | { code: 'missing-tag'; missing: string[]; /** present keys that differ only in case, by missing key */ nearMisses: Record<string, string> }
  | { code: 'invalid-tag-value'; key: string; value: string; expected: string }
  | { code: 'placeholder-tag-value'; key: string; value: string }
  | { code: 'invalid-label-key'; key: string }
  | { code: 'invalid-label-value'; key: string; value: string }
  | { code: 'cannot-verify'; missing: string[] };

/** Matches a value against one allowed entry; `*` is a wildcard (AWS tag policy syntax). Linear time. */
export function matchesAllowed(value: string, allowed: string, ignoreCase = false): boolean {
  const v = ignoreCase ? value.toLowerCase() : value;
  const a = ignoreCase ? allowed.toLowerCase() : allowed;
  if (!a.includes('*')) return v === a;
  return wildcardMatcher(a, false)(v);
}

/** Glob with `*` (any run of characters) and `?` (one character), anchored. Linear time. */
export function globMatch(glob: string, value: string): boolean {
  if (!glob.includes('*') && !glob.includes('?')) return glob === value;
  return wildcardMatcher(glob, true)(value);
}

/**
 * A policy's `pattern`, compiled once for RE2's linear-time engine (re2js): matching takes time linear in the
 * value whatever the pattern, so `^(a+)+$` cannot hang a check. The loader refuses patterns RE2 does not accept.
 */
const patternCache = new Map<string, RE2JS | null>();
function compiled(pattern: string): RE2JS | null {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch {
      re = null;
    }
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

function ruleApplies(rule: TagRule, cloud: Cloud): boolean {
  return !rule.providers || rule.providers.includes(cloud);
}

/** Whether the policy checks resources of this type at this address at all. */
export function isChecked(policy: TagPolicy, type: string, address: string): boolean {
  if (policy.include.length > 0 && !policy.include.some((g) => globMatch(g, type))) return false;
  if (policy.exclude.some((g) => globMatch(g, type))) return false;
  if (policy.excludeResources.some((g) => globMatch(g, address))) return false;
  return true;
}

export function severityFor(policy: TagPolicy, code: FindingCode, key?: string): Severity {
  const ruleSeverity = key ? own(policy.rules, key)?.severity : undefined;
  return ruleSeverity ?? own(policy.severities, code) ?? policy.severity;
}

/** Describes what a rule expects, for messages: `one of "dev", "staging", "production"`. */
function describeRule(rule: TagRule): string {
  const parts: string[] = [];
  if (rule.allowed) parts.push(`one of ${rule.allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  if (rule.pattern) parts.push(`matching /${rule.pattern}/`);
  return parts.join(' and ');
}

function valueOk(rule: TagRule, value: string): boolean {
  if (rule.allowed && !rule.allowed.some((a) => matchesAllowed(value, a, rule.ignoreCase))) return false;
  if (rule.pattern) {
    const re = compiled(rule.pattern);
    if (re && !re.matcher(value).find()) return false;
  }
  return true;
}

/** Whether a tag value is one the policy marks as "not filled in yet" (`TODO`, `TBD`, `CHANGEME`, empty…). */
export function isPlaceholderValue(policy: Pick<TagPolicy, 'placeholders'>, value: string): boolean {
  const v = value.trim();
  return policy.placeholders.some((p) => matchesAllowed(v, p.trim(), true));
}

/**
 * Checks one resource's tags against the policy. On GCP, policy keys are looked for under their label
 * spellings and label keys/values are checked against GCP's rules. Unknown keys never produce a
 * `missing-tag` (no false positives): they produce `cannot-verify` instead.
 */
export function evaluateTags(policy: TagPolicy, cloud: Cloud, tags: ObservedTags): Violation[] {
  const out: Violation[] = [];
  const resolveKey = (policyKey: string): string | undefined => {
    if (cloud !== 'gcp') return tags.keys.has(policyKey) ? policyKey : undefined;
    const candidates = gcpLabelCandidates(policyKey, policy.gcpLabelKeys);
    for (const candidate of candidates) if (tags.keys.has(candidate)) return candidate;
    // a label spelled against GCP's rules (`Team`) counts as present: invalid-label-key reports it
    for (const k of tags.keys.keys()) if (candidates.includes(k.toLowerCase()) || candidates.includes(snakeCase(k))) return k;
    return undefined;
  };
  const missing: string[] = [];
  const nearMisses: Record<string, string> = {};
  for (const key of policy.required) if (resolveKey(key) === undefined) missing.push(key);
  missing.sort();
  if (cloud !== 'gcp') {
    for (const key of missing) {
      const near = [...tags.keys.keys()].find((k) => k.toLowerCase() === key.toLowerCase());
      if (near !== undefined) nearMisses[key] = near;
    }
  }
  if (missing.length > 0) {
    out.push(tags.complete ? { code: 'missing-tag', missing, nearMisses } : { code: 'cannot-verify', missing });
  }
  // a placeholder (what a quick fix wrote, or `TBD`) does not satisfy the policy: it is reported instead of the rule
  const placeholders = new Set<string>();
  for (const key of [...new Set([...policy.required, ...policy.optional])]) {
    const present = resolveKey(key);
    if (present === undefined || placeholders.has(present)) continue;
    const value = tags.keys.get(present);
    if (value === undefined || !isPlaceholderValue(policy, value)) continue;
    placeholders.add(present);
    out.push({ code: 'placeholder-tag-value', key: present, value });
  }
  for (const [key, rule] of Object.entries(policy.rules)) {
    if (!ruleApplies(rule, cloud)) continue;
    const present = resolveKey(key);
    if (present === undefined || placeholders.has(present)) continue;
    const value = tags.keys.get(present);
    if (value === undefined) continue;
    if (!valueOk(rule, value)) out.push({ code: 'invalid-tag-value', key: present, value, expected: describeRule(rule) });
  }
  if (cloud === 'gcp') {
    for (const [key, value] of tags.keys) {
      if (!isValidGcpLabelKey(key)) out.push({ code: 'invalid-label-key', key });
      else if (value !== undefined && !placeholders.has(key) && !isValidGcpLabelValue(value)) out.push({ code: 'invalid-label-value', key, value });
    }
  }
  return out;
}

/**
 * What is wrong with one value for one key on a cloud, in the policy's own words ("expected one of "dev", "staging",
 * "production" (why the rule exists)"), or undefined when the policy accepts it. The key is the policy key (on Google
 * Cloud, the label key it is written under is judged by the label rules).
 */
export function tagValueProblem(policy: TagPolicy, cloud: Cloud, key: string, value: string): string | undefined {
  if (isPlaceholderValue(policy, value)) return `"${value}" is a placeholder (${policy.placeholders.filter((p) => p !== '').map((p) => `"${p}"`).join(', ') || 'empty'}); give the real value`;
  const rule = own(policy.rules, key);
  if (rule && ruleApplies(rule, cloud) && !valueOk(rule, value)) return `expected ${describeRule(rule)}${rule.description ? ` (${rule.description})` : ''}`;
  if (cloud === 'gcp' && !isValidGcpLabelValue(value)) return 'Google Cloud label values hold only lowercase letters, digits, "_" and "-" (at most 63 characters)';
  if (cloud === 'aws' && value.length > 256) return 'AWS tag values have at most 256 characters';
  if (cloud === 'azure' && value.length > 256) return 'Azure tag values have at most 256 characters';
  return undefined;
}
