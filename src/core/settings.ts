import { z } from 'zod';

/**
 * The extension's settings: one zod schema per key (the same keys, defaults and enums as package.json;
 * a unit test keeps them in sync). An invalid value falls back to the default and is reported once.
 */
export const settingSchemas = {
  'focus.files': z.array(z.string().min(1)).default([]),
  'demo.enabled': z.boolean().default(false),
  'aws.enabled': z.boolean().default(false),
  'aws.profile': z.string().default(''),
  'aws.region': z.string().regex(/^([a-z]{2}(-gov)?-[a-z]+-\d)?$/, 'an AWS region such as us-east-1').default('us-east-1'),
  'aws.endpoint': z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  'azure.enabled': z.boolean().default(false),
  'azure.scope': z.string().regex(/^(\/[^/]+\/[^/]+)*$/, 'a scope such as /subscriptions/<id>').default(''),
  'azure.endpoint': z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  'gcp.enabled': z.boolean().default(false),
  'gcp.projectId': z.string().regex(/^([a-z][a-z0-9-]{4,28}[a-z0-9])?$/, 'a project id such as ml-training-prod').default(''),
  'gcp.billingTable': z.string().regex(/^([\w-]+\.[\w-]+\.[\w$-]+)?$/, 'project.dataset.table').default(''),
  'gcp.endpoint': z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  'cost.period': z.enum(['last30Days', 'monthToDate', 'lastMonth']).default('last30Days'),
  'cost.metric': z.enum(['EffectiveCost', 'BilledCost', 'ListCost']).default('EffectiveCost'),
  'cost.cacheTtlHours': z.number().min(0).max(168).default(8),
  'resources.hierarchy': z.array(z.string().min(1)).min(1).max(5).default(['Team', 'Project']),
  'tags.policyFile': z.string().min(1).default('.finops.yaml'),
  'tags.showCannotVerify': z.boolean().default(false),
} as const;

export type SettingKey = keyof typeof settingSchemas;
export type Settings = { [K in SettingKey]: z.output<(typeof settingSchemas)[K]> };

export interface SettingProblem {
  key: SettingKey;
  value: unknown;
  message: string;
}

/** Validates raw values (undefined = not set) key by key; invalid ones fall back to their default. */
export function parseSettings(raw: Partial<Record<SettingKey, unknown>>): { settings: Settings; problems: SettingProblem[] } {
  const problems: SettingProblem[] = [];
  const settings: Record<string, unknown> = {};
  for (const key of Object.keys(settingSchemas) as SettingKey[]) {
    const schema = settingSchemas[key];
    const result = schema.safeParse(raw[key]);
    if (result.success) {
      settings[key] = result.data;
    } else {
      settings[key] = schema.parse(undefined);
      const issue = result.error.issues[0];
      problems.push({ key, value: raw[key], message: issue ? issue.message : 'invalid value' });
    }
  }
  return { settings: settings as Settings, problems };
}

export function settingDefault<K extends SettingKey>(key: K): Settings[K] {
  return settingSchemas[key].parse(undefined) as Settings[K];
}
