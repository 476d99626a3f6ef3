import { z } from 'zod';

/** The tag hierarchy used when neither the settings nor `.finops.yaml` name one. */
export const DEFAULT_HIERARCHY: readonly string[] = ['Team', 'Project'];
const MAX_HIERARCHY_DEPTH = 5;

const hierarchySchema = z
  .array(z.string().trim().min(1, 'a tag key cannot be empty'))
  .min(1, 'name at least one tag key')
  .max(MAX_HIERARCHY_DEPTH, `name at most ${MAX_HIERARCHY_DEPTH} tag keys`)
  .refine((keys) => new Set(keys.map(normalizeTagKey)).size === keys.length, 'a tag key is listed twice');

type HierarchyOrigin = 'view' | 'policy' | 'settings' | 'default';

export interface ResolvedHierarchy {
  keys: string[];
  origin: HierarchyOrigin;
}

/**
 * Which hierarchy applies: a choice made in the view wins for that user, then the team's `.finops.yaml`,
 * then the `mlFinops.resources.hierarchy` setting, then Team → Project.
 */
export function resolveHierarchy(input: { view?: readonly string[]; policy?: readonly string[]; settings?: readonly string[] }): ResolvedHierarchy {
  const candidates: [HierarchyOrigin, readonly string[] | undefined][] = [
    ['view', input.view], ['policy', input.policy], ['settings', input.settings],
  ];
  for (const [origin, keys] of candidates) {
    if (keys && hierarchySchema.safeParse(keys).success) return { keys: [...keys], origin };
  }
  return { keys: [...DEFAULT_HIERARCHY], origin: 'default' };
}

/** Parses a hierarchy typed by a user: "Team, Project" or "Team > Project" or "Team → Project". */
export function parseHierarchyInput(text: string): { keys?: string[]; problem?: string } {
  const keys = text.split(/\s*(?:,|>|→|\/)\s*/).map((k) => k.trim()).filter((k) => k.length > 0);
  const parsed = hierarchySchema.safeParse(keys);
  return parsed.success ? { keys: parsed.data } : { problem: parsed.error.issues[0]?.message ?? 'invalid hierarchy' };
}

/**
 * A tag key compared across clouds: case, spaces, `_`, `-`, `.` and `:` ignored, so the policy key
 * `CostCenter` matches the AWS tag `CostCenter`, the GCP label `cost_center` and `cost-center`.
 */
export function normalizeTagKey(key: string): string {
  return key.toLowerCase().replace(/[\s_\-.:]/g, '');
}

/** The value of a policy key in a tag map, matching the key as `normalizeTagKey` does; exact match first. */
export function tagValue(tags: Readonly<Record<string, string>>, key: string): string | undefined {
  const exact = tags[key];
  if (exact !== undefined) return exact;
  const wanted = normalizeTagKey(key);
  for (const [k, v] of Object.entries(tags)) if (normalizeTagKey(k) === wanted) return v;
  return undefined;
}

export function formatHierarchy(keys: readonly string[]): string {
  return keys.join(' → ');
}
