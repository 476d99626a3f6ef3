import type { GroupKey } from './model';
import { gcpLabelCandidates } from '../policy/gcpLabels';

/** The clouds a tag policy names keys for; `other` is any other FOCUS provider (Oracle, SaaS vendors…). */
export type Cloud = 'aws' | 'azure' | 'gcp' | 'other';
/**
 * How a tag key of a query (`tag:CostCenter`, the team policy's key) finds its value in a bill row. The rule, for
 * every reader of bills (local files, BigQuery, Athena); docs/column-mappings.md states it for users:
 *  - AWS: the key as written, then the policy's aliases for AWS; AWS tag keys are case-sensitive.
 *  - Azure: the same names, exactly first, then without regard to case (Azure tag names are case-insensitive:
 *    `costcenter` and `COSTCENTER` carry `CostCenter`).
 *  - Google Cloud: the label keys the policy maps the key to (`tags.gcp.labelKeys`), else the key's label forms:
 *    snake_case, lower case, kebab-case (`cost_center`, `costcenter`, `cost-center`); GCP labels are lower case.
 *  - Other providers (Oracle, SaaS): every name above, as written.
 * The first name present wins, in that order. `TagAliases` gives the names per cloud, most preferred first.
 */
export type TagAliases = (key: string, provider: Exclude<Cloud, 'other'>) => readonly string[];

/** A key matches only itself, on every cloud (kept for tests and callers that mean exactly that). */
export const exactTagAliases: TagAliases = (key) => [key];

/** True for the clouds whose tag names are compared without regard to case. */
export function caseInsensitiveTagKeys(cloud: Cloud): boolean {
  return cloud === 'azure';
}

/** The cloud of a FOCUS ProviderName value ("AWS", "Microsoft", "Google Cloud", …). */
export function cloudOfProvider(providerName: string | null | undefined): Cloud {
  const p = (providerName ?? '').trim().toLowerCase();
  if (p === 'aws' || p.startsWith('amazon')) return 'aws';
  if (p === 'microsoft' || p.startsWith('microsoft ') || p === 'azure' || p.startsWith('azure')) return 'azure';
  if (p === 'gcp' || p.startsWith('google')) return 'gcp';
  return 'other';
}

/** SQL condition on a ProviderName expression that holds for the providers of one cloud (mirror of cloudOfProvider). */
export function providerCloudCondition(providerSql: string, cloud: Exclude<Cloud, 'other'>): string {
  const p = `lower(trim(${providerSql}))`;
  switch (cloud) {
    case 'aws': return `(${p} = 'aws' OR starts_with(${p}, 'amazon'))`;
    case 'azure': return `(${p} = 'microsoft' OR starts_with(${p}, 'microsoft ') OR starts_with(${p}, 'azure'))`;
    case 'gcp': return `(${p} = 'gcp' OR starts_with(${p}, 'google'))`;
  }
}

/** `tag:Team` → `Team`; undefined for a FOCUS dimension. */
export function tagKeyOf(key: GroupKey | string): string | undefined {
  return key.startsWith('tag:') ? key.slice(4) : undefined;
}

/** The alias lists of a key per cloud, deduplicated, each keeping its order; empty names dropped. */
export function aliasesByCloud(key: string, aliases: TagAliases): Record<Cloud, string[]> {
  const out = {} as Record<Cloud, string[]>;
  for (const cloud of ['aws', 'azure', 'gcp'] as const) {
    const names = aliases(key, cloud).filter((n) => n.length > 0);
    out[cloud] = [...new Set(names.length ? names : [key])];
  }
  out.other = [...new Set([key, ...out.aws, ...out.azure, ...out.gcp])];
  return out;
}

/** Parses a FOCUS Tags value (a JSON object) into string values; anything else gives {}. */
export function parseTagsJson(text: string | null | undefined): Record<string, string> {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    tags[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return tags;
}

/**
 * Tag aliases from a team policy: on GCP a policy key is looked for under its label keys (the policy's
 * mapping, else `cost_center`, `costcenter`, `cost-center` for `CostCenter`); on AWS and Azure under itself.
 */
export function tagAliasesFromPolicy(policy: { gcpLabelKeys: Record<string, string[]> }): TagAliases {
  return (key, cloud) => (cloud === 'gcp' ? gcpLabelCandidates(key, policy.gcpLabelKeys) : [key]);
}

/** The rule without a policy: the key on AWS and Azure (any case there), its label forms on Google Cloud. */
export const defaultTagAliases: TagAliases = tagAliasesFromPolicy({ gcpLabelKeys: {} });
