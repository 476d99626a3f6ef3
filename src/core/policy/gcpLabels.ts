import { own } from './model';

/**
 * Google Cloud labels: keys start with a lowercase letter and hold lowercase letters, digits, `_` and `-`
 * (at most 63 characters); values hold the same characters (may be empty). International lowercase
 * letters are allowed by Google and accepted here too.
 */
const labelKeyRe = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const labelValueRe = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

export function isValidGcpLabelKey(key: string): boolean {
  return labelKeyRe.test(key);
}

export function isValidGcpLabelValue(value: string): boolean {
  return labelValueRe.test(value);
}

/** `CostCenter` → `cost_center`; `ML Team` → `ml_team`. */
export function snakeCase(key: string): string {
  return key
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1_$2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1_$2')
    .replace(/[^\p{L}\p{N}_-]+/gu, '_')
    .toLowerCase();
}

/**
 * The label keys under which a policy key is looked for on a GCP resource, preferred first:
 * the team's mapping when given, else `cost_center`, `costcenter`, `cost-center` for `CostCenter`.
 */
const derivedCandidates = new Map<string, string[]>();

export function gcpLabelCandidates(policyKey: string, mapping: Record<string, string[]>): string[] {
  const mapped = own(mapping, policyKey);
  if (mapped && mapped.length > 0) return mapped;
  let derived = derivedCandidates.get(policyKey);
  if (!derived) {
    const snake = snakeCase(policyKey);
    derived = [...new Set([snake, policyKey.toLowerCase(), snake.replace(/_/g, '-')])];
    derivedCandidates.set(policyKey, derived);
  }
  return derived;
}

/** The label key a quick fix renames an invalid key to (`Team` → `team`, `Cost Center` → `cost_center`). */
export function fixGcpLabelKey(key: string, mapping: Record<string, string[]>, policyKeys: readonly string[]): string {
  const match = policyKeys.find((k) => k.toLowerCase() === key.toLowerCase() || snakeCase(k) === snakeCase(key));
  if (match) return gcpLabelCandidates(match, mapping)[0] ?? snakeCase(key);
  let fixed = snakeCase(key).replace(/^[^\p{Ll}\p{Lo}]+/u, '');
  if (!fixed) fixed = 'label';
  return fixed.slice(0, 63);
}

/** A label value made valid: lowercase, other characters to `_`, at most 63 characters. */
export function fixGcpLabelValue(value: string): string {
  return value.toLowerCase().replace(/[^\p{Ll}\p{Lo}\p{N}_-]/gu, '_').slice(0, 63);
}
