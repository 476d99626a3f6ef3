import { z } from 'zod';

/**
 * A path relative to the workspace folder that stays inside it: not absolute (`/etc/x`, `C:\x`, `\\server\x`,
 * `~/x`), and no `..` that climbs above the folder. A repository's `.vscode/settings.json` cannot make the extension
 * or the CLI read a file outside the repository.
 */
export function insideFolder(p: string): boolean {
  if (/^([\\/]|[A-Za-z]:|~)/.test(p) || p.includes('\0')) return false;
  let depth = 0;
  for (const part of p.split(/[\\/]+/)) {
    if (part === '..') depth--;
    else if (part !== '.' && part !== '') depth++;
    if (depth < 0) return false;
  }
  return depth > 0;
}

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
  'aws.schedulerRoleArn': z.string().regex(/^(arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512})?$/, 'an IAM role ARN such as arn:aws:iam::123456789012:role/mlfinops-scheduler').default(''),
  'aws.costSource': z.enum(['costExplorer', 'athena']).default('costExplorer'),
  'aws.athena.database': z.string().regex(/^[A-Za-z0-9_-]*$/, 'a Glue database name').default(''),
  'aws.athena.table': z.string().regex(/^[A-Za-z0-9_-]*$/, 'a Glue table name').default(''),
  'aws.athena.workgroup': z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'an Athena workgroup name').default('primary'),
  'aws.athena.outputLocation': z.string().regex(/^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?)?$/, 'an S3 location such as s3://bucket/prefix/').default(''),
  'azure.enabled': z.boolean().default(false),
  'azure.scope': z.string().regex(/^(\/[^/]+\/[^/]+)*$/, 'a scope such as /subscriptions/<id>').default(''),
  'azure.endpoint': z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  'azure.tenantId': z.string().regex(/^([0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)?$/, 'a tenant id (GUID) or domain').default(''),
  'gcp.enabled': z.boolean().default(false),
  'gcp.projectId': z.string().regex(/^([a-z][a-z0-9-]{4,28}[a-z0-9])?$/, 'a project id such as ml-training-prod').default(''),
  'gcp.billingTable': z.string().regex(/^([\w-]+\.[\w-]+\.[\w$-]+)?$/, 'project.dataset.table').default(''),
  'gcp.endpoint': z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  'gcp.billingSchema': z.enum(['auto', 'standard', 'focus']).default('auto'),
  'gcp.assetScope': z.string().regex(/^((projects|folders|organizations)\/[\w.:-]+)?$/, 'projects/<id>, folders/<number> or organizations/<number>').default(''),
  'cost.period': z.enum(['last30Days', 'monthToDate', 'lastMonth']).default('last30Days'),
  'cost.metric': z.enum(['EffectiveCost', 'BilledCost', 'ListCost']).default('EffectiveCost'),
  'cost.cacheTtlHours': z.number().min(0).max(168).default(8),
  'resources.hierarchy': z.array(z.string().min(1)).min(1).max(5).default(['Team', 'Project']),
  'tags.policyFile': z.string().min(1).refine(insideFolder, 'a path inside the workspace folder, such as .finops.yaml or policies/tags.yaml').default('.finops.yaml'),
  'tags.showCannotVerify': z.boolean().default(false),
  'savings.codeLens': z.boolean().default(true),
  'savings.livePrices': z.boolean().default(false),
  'savings.azureRetailPricesEndpoint': z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  'savings.hoursPerMonth': z.number().min(1).max(744).default(730),
  'savings.schedule': z.string().regex(/^(|[^;]*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}.*)$/, 'days, running hours and a time zone, such as Mon-Fri 08:00-19:00 Europe/Berlin').default('Mon-Fri 08:00-19:00'),
  'savings.spotInterruptionsPerDay': z.number().min(0).max(48).default(1),
  'savings.checkpointIntervalMinutes': z.number().min(1).max(1440).default(60),
  'savings.checkpointWriteMinutes': z.number().min(0).max(120).default(1),
  'savings.lookbackDays': z.number().int().min(2).max(63).default(14),
  'savings.nativeRecommenders': z.boolean().default(true),
  'savings.gcpZones': z.array(z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, 'a zone such as us-central1-a')).max(50).default([]),
  'aws.computeOptimizerEndpoint': z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  'spot.skyPath': z.string().regex(/^(|[\w.+-]+|\/[^\0\n\r]*|[A-Za-z]:[\\/][^\0\n\r]*|\\\\[^\0\n\r]*)$/, 'empty (sky on PATH), a command name, or the full path of the sky command such as /home/me/.venvs/sky/bin/sky').default(''),
  'anomalies.groupBy': z.array(z.string().regex(/^(tag:[^,]{1,128}|[A-Z][A-Za-z]{1,63})$/, 'FOCUS dimensions or tags written tag:Key')).min(1).max(5).default(['tag:Team', 'ServiceName', 'SubAccountId']),
  'anomalies.minAmount': z.number().min(0).max(1e9).default(50),
  'anomalies.minPercent': z.number().min(0).max(100000).default(50),
  'anomalies.notify': z.boolean().default(true),
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
    const result = parseSetting(key, raw[key]);
    if (result.success) {
      settings[key] = result.data;
    } else {
      settings[key] = schema.parse(undefined);
      problems.push({ key, value: raw[key], message: result.message });
    }
  }
  return { settings: settings as Settings, problems };
}

/**
 * The schema's verdict, never an exception: zod runs a string's checks even on a value that is not a string, so
 * an array nested thousands deep or an object whose `toString` is not a function would throw out of `safeParse`.
 */
export function parseSetting<K extends SettingKey>(key: K, value: unknown): { success: true; data: Settings[K] } | { success: false; message: string } {
  try {
    const r = settingSchemas[key].safeParse(value);
    return r.success ? { success: true, data: r.data as Settings[K] } : { success: false, message: r.error.issues[0]?.message ?? 'invalid value' };
  } catch {
    return { success: false, message: 'not a valid value (nested too deeply, or not plain JSON)' };
  }
}

export function settingDefault<K extends SettingKey>(key: K): Settings[K] {
  return settingSchemas[key].parse(undefined) as Settings[K];
}
