import type { FocusColumn } from '../../core/cost/focusColumns';
import type { CostFilter, CostMetric, CostQuery, GroupKey, Period } from '../../core/cost/model';
import { quoteIdent, type SqlParams } from '../../core/cost/sql';
import { aliasesByCloud, caseInsensitiveTagKeys, providerCloudCondition, tagKeyOf, type TagAliases } from '../../core/cost/tags';

/**
 * The DuckDB SQL of a CostQuery over a relation of normalised FOCUS columns (`FROM (…) AS focus`):
 * times are TIMESTAMP in UTC, costs DOUBLE, Tags a JSON object text. Values travel as parameters.
 */

const q = quoteIdent;

/** FOCUS columns a query reads (the relation projects only these). */
export function neededColumns(query: CostQuery): FocusColumn[] {
  const cols = new Set<FocusColumn>(['ChargePeriodStart', 'BillingCurrency', query.metric]);
  const keys = [...query.groupBy, ...(query.filters ?? []).map((f) => f.key)];
  if (query.usageHours) { cols.add('ConsumedQuantity'); cols.add('ConsumedUnit'); }
  for (const key of keys) {
    if (key === 'x_InstanceType') {
      cols.add('SkuPriceDetails');
      continue;
    }
    if (tagKeyOf(key) === undefined) {
      cols.add(key as FocusColumn);
      continue;
    }
    // a tag's name depends on the row's cloud (see tagExpression)
    cols.add('Tags');
    cols.add('ProviderName');
  }
  return [...cols];
}

/** JSON Pointer (RFC 6901) of a top-level key: no quoting issue whatever the key holds (`cost-center`, `a.b`, `x"y`). */
export function jsonPointer(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/**
 * The value of a policy tag key in a row, by the row's cloud, as src/core/cost/tags.ts states the rule: AWS and other
 * providers by the exact names, Azure by the exact names and then without regard to case, Google Cloud by its label
 * names. The first name present wins. Over `Tags` and `ProviderName` columns (of the relation or of a first stage).
 */
function tagExpression(key: string, aliases: TagAliases, params: SqlParams): string {
  const byCloud = aliasesByCloud(key, aliases);
  const tags = q('Tags');
  const exact = (names: readonly string[]) => names.map((n) => `json_extract_string(${tags}, ${params.add(jsonPointer(n))})`);
  // the first key equal to the name without regard to case, as a JSON Pointer
  const anyCase = (names: readonly string[]) => names.map((n) => `json_extract_string(${tags}, '/' || replace(replace(list_filter(json_keys(${tags}), k -> lower(k) = ${params.add(n.toLowerCase())})[1], '~', '~0'), '/', '~1'))`);
  // TRY: a malformed Tags value reads as "no tags" instead of failing the whole query.
  const lookup = (parts: string[]) => `TRY(${parts.length === 1 ? parts[0] : `COALESCE(${parts.join(', ')})`})`;
  const provider = q('ProviderName');
  return `CASE WHEN ${providerCloudCondition(provider, 'aws')} THEN ${lookup(exact(byCloud.aws))}
    WHEN ${providerCloudCondition(provider, 'azure')} THEN ${lookup([...exact(byCloud.azure), ...(caseInsensitiveTagKeys('azure') ? anyCase(byCloud.azure) : [])])}
    WHEN ${providerCloudCondition(provider, 'gcp')} THEN ${lookup(exact(byCloud.gcp))}
    ELSE ${lookup(exact(byCloud.other))} END`;
}

/** A dimension's value in a row of the relation: its column, or for x_InstanceType the type in SkuPriceDetails. */
function dimensionExpression(key: GroupKey): string {
  if (key === 'x_InstanceType') return `NULLIF(TRY(json_extract_string(${q('SkuPriceDetails')}, '$.InstanceType')), '')`;
  return q(key);
}

function keyExpression(key: GroupKey, aliases: TagAliases, params: SqlParams): string {
  const tag = tagKeyOf(key);
  return tag === undefined ? dimensionExpression(key) : tagExpression(tag, aliases, params);
}

/** Usage hours: ConsumedQuantity of the rows whose ConsumedUnit is hours (FOCUS writes "Hours"; exports "Hrs", "1 Hour"). */
const HOURS_SUM = `SUM(CASE WHEN regexp_matches(lower(COALESCE(${q('ConsumedUnit')}, '')), '^(1 )?(hours?|hrs?)$') THEN ${q('ConsumedQuantity')} END)`;

function periodWhere(period: Period | undefined, params: SqlParams): string[] {
  if (!period) return [];
  const start = q('ChargePeriodStart');
  return [`${start} >= CAST(${params.add(period.start)} AS TIMESTAMP)`, `${start} < CAST(${params.add(period.end)} AS TIMESTAMP)`];
}

export function filterCondition(filter: CostFilter, aliases: TagAliases, params: SqlParams): string {
  const expr = keyExpression(filter.key, aliases, params);
  const values = filter.values.filter((v): v is string => v !== null);
  const parts: string[] = [];
  if (values.length) parts.push(`${expr} IN (${values.map((v) => params.add(v)).join(', ')})`);
  if (values.length < filter.values.length) parts.push(`${expr} IS NULL`);
  return `(${parts.join(' OR ')})`;
}

interface CostSql {
  sql: string;
  /** Column alias of each group-by key, in the query's order. */
  groupAliases: string[];
}

/**
 * SELECT g0…gN, period (YYYY-MM-DD), currency, cost — grouped, ordered by period then cost.
 * With tag keys the aggregation runs in two stages: first by the raw Tags text (and the other keys, the day or month
 * and the currency), which costs a hash per row; then the tag values are read from the far fewer distinct Tags
 * texts and the sums added up again. Parsing JSON once per row instead is what made large bills slow.
 */
export function buildCostSql(query: CostQuery, relation: string, aliases: TagAliases, params: SqlParams): CostSql {
  const groupAliases = query.groupBy.map((_, i) => `g${i}`);
  const start = q('ChargePeriodStart');
  const day = query.granularity === 'total' ? undefined : `CAST(date_trunc('${query.granularity === 'daily' ? 'day' : 'month'}', ${start}) AS DATE)`;
  const where = periodWhere(query.period, params);
  const tagged = [...query.groupBy, ...(query.filters ?? []).map((f) => f.key)].some((k) => tagKeyOf(k) !== undefined);
  const dimensionFilters = (query.filters ?? []).filter((f) => tagKeyOf(f.key) === undefined);
  const tagFilters = (query.filters ?? []).filter((f) => tagKeyOf(f.key) !== undefined);
  const periodOut = (d: string | undefined) => (d === undefined ? params.add(query.period.start) : `CAST(${d} AS VARCHAR)`);
  const groups = [...groupAliases, 'period', 'currency'];
  const tail = [`GROUP BY ${groups.join(', ')}`, `ORDER BY period, cost DESC, ${groups.join(', ')}`];

  if (!tagged) {
    const select = query.groupBy.map((key, i) => `${dimensionExpression(key)} AS ${groupAliases[i]}`);
    select.push(`${periodOut(day)} AS period`, `COALESCE(${q('BillingCurrency')}, '') AS currency`, `COALESCE(SUM(${q(query.metric)}), 0) AS cost`);
    if (query.usageHours) select.push(`${HOURS_SUM} AS hours`);
    for (const filter of dimensionFilters) where.push(filterCondition(filter, aliases, params));
    const sql = [`SELECT ${select.join(',\n  ')}`, `FROM (${relation}) AS focus`, `WHERE ${where.join(' AND ')}`, ...tail].join('\n');
    return { sql, groupAliases };
  }

  // stage 1: by the raw columns the keys are read from
  const dimensions = [...new Set(query.groupBy.filter((k) => tagKeyOf(k) === undefined))];
  const raw = [...new Set([...dimensions.map((d) => q(d)), q('Tags'), q('ProviderName')])];
  const rawSelect = raw.map((r) => (r === q('x_InstanceType') ? `${dimensionExpression('x_InstanceType')} AS ${r}` : r));
  for (const filter of dimensionFilters) where.push(filterCondition(filter, aliases, params));
  const firstGroups = [...raw, ...(day ? ['d'] : []), 'currency'];
  const stage1 = [
    `SELECT ${[...rawSelect, ...(day ? [`${day} AS d`] : []), `COALESCE(${q('BillingCurrency')}, '') AS currency`, `SUM(${q(query.metric)}) AS cost`, ...(query.usageHours ? [`${HOURS_SUM} AS hours`] : [])].join(', ')}`,
    `FROM (${relation}) AS focus`,
    `WHERE ${where.join(' AND ')}`,
    `GROUP BY ${firstGroups.join(', ')}`,
  ].join('\n');
  // stage 2: tag values from each distinct Tags text
  // stage 1 already holds each dimension under its own name
  const select = query.groupBy.map((key, i) => `${tagKeyOf(key) === undefined ? q(key) : keyExpression(key, aliases, params)} AS ${groupAliases[i]}`);
  select.push(`${periodOut(day ? 'd' : undefined)} AS period`, 'currency', 'COALESCE(SUM(cost), 0) AS cost');
  if (query.usageHours) select.push('SUM(hours) AS hours');
  const sql = [
    `SELECT ${select.join(',\n  ')}`,
    `FROM (${stage1}) AS stage1`,
    ...(tagFilters.length ? [`WHERE ${tagFilters.map((f) => filterCondition(f, aliases, params)).join(' AND ')}`] : []),
    ...tail,
  ].join('\n');
  return { sql, groupAliases };
}

export const RESOURCE_COLUMNS: readonly FocusColumn[] = [
  'ResourceId', 'ResourceName', 'ResourceType', 'RegionId', 'ProviderName', 'ServiceName', 'Tags',
  'ChargePeriodStart', 'BillingCurrency',
];

/**
 * One row per distinct ResourceId: its latest non-empty name, type, region and Tags (by ChargePeriodStart),
 * its cost over the period, and the dates the data covers. Costliest first.
 */
export function buildResourcesSql(relation: string, metric: CostMetric, period: Period | undefined, limit: number, params: SqlParams): string {
  const t = q('ChargePeriodStart');
  const latest = (col: FocusColumn) => `arg_max(${q(col)}, ${t}) FILTER (WHERE ${q(col)} IS NOT NULL AND ${q(col)} <> '')`;
  const where = [`${q('ResourceId')} IS NOT NULL`, `${q('ResourceId')} <> ''`, ...periodWhere(period, params)];
  return [
    'SELECT id, provider, name, type, service, region, tags, cost, currency, currencies,',
    "  CAST(CAST(min(first_seen) OVER () AS DATE) AS VARCHAR) AS data_start, CAST(CAST(max(last_seen) OVER () AS DATE) AS VARCHAR) AS data_end",
    'FROM (',
    `  SELECT ${q('ResourceId')} AS id, ${latest('ProviderName')} AS provider, ${latest('ResourceName')} AS name,`,
    `    ${latest('ResourceType')} AS type, ${latest('ServiceName')} AS service, ${latest('RegionId')} AS region, ${latest('Tags')} AS tags,`,
    `    SUM(${q(metric)}) AS cost, min(${q('BillingCurrency')}) AS currency, count(DISTINCT ${q('BillingCurrency')}) AS currencies,`,
    `    min(${t}) AS first_seen, max(${t}) AS last_seen`,
    `  FROM (${relation}) AS focus`,
    `  WHERE ${where.join(' AND ')}`,
    `  GROUP BY ${q('ResourceId')}`,
    ')',
    `ORDER BY cost DESC NULLS LAST, id LIMIT ${params.add(limit)}`,
  ].join('\n');
}

export const WORKLOAD_COLUMNS: readonly FocusColumn[] = [
  'ResourceId', 'ResourceName', 'ProviderName', 'RegionId', 'ServiceName', 'ServiceCategory', 'ConsumedQuantity', 'ConsumedUnit',
  'SkuPriceDetails', 'Tags', 'ChargePeriodStart', 'BillingCurrency', 'EffectiveCost',
];

/**
 * One row per selected ResourceId over a period, for a migration estimate: its latest name, cloud, region and service;
 * the machine its SkuPriceDetails names (InstanceType, CoreCount, MemorySize, GpuCount, x_GpuModel); its compute hours;
 * its storage in GB-months; its EffectiveCost. Costliest first.
 */
export function buildWorkloadSql(relation: string, filters: readonly CostFilter[], aliases: TagAliases, period: Period, params: SqlParams): string {
  const t = q('ChargePeriodStart');
  const latest = (expr: string) => `arg_max(${expr}, ${t}) FILTER (WHERE ${expr} IS NOT NULL AND CAST(${expr} AS VARCHAR) <> '')`;
  const detail = (key: string) => `TRY(json_extract_string(${q('SkuPriceDetails')}, ${params.add(jsonPointer(key))}))`;
  const unit = `lower(trim(${q('ConsumedUnit')}))`;
  const where = [`${q('ResourceId')} IS NOT NULL`, `${q('ResourceId')} <> ''`, ...periodWhere(period, params), ...filters.map((f) => filterCondition(f, aliases, params))];
  return [
    'SELECT * FROM (',
    `  SELECT ${q('ResourceId')} AS id, ${latest(q('ResourceName'))} AS name, ${latest(q('ProviderName'))} AS provider,`,
    `    ${latest(q('RegionId'))} AS region, ${latest(q('ServiceName'))} AS service, ${latest(q('ServiceCategory'))} AS category,`,
    `    ${latest(detail('InstanceType'))} AS instance_type, ${latest(detail('CoreCount'))} AS vcpu, ${latest(detail('MemorySize'))} AS memory,`,
    `    ${latest(detail('GpuCount'))} AS gpus, ${latest(detail('x_GpuModel'))} AS gpu_model,`,
    `    SUM(${q('ConsumedQuantity')}) FILTER (WHERE ${q('ServiceCategory')} = 'Compute' AND ${unit} IN ('hours', 'hour', 'hrs')) AS hours,`,
    `    SUM(${q('ConsumedQuantity')}) FILTER (WHERE ${q('ServiceCategory')} = 'Storage' AND regexp_matches(${unit}, '^(gb|gib)[- ]?mo')) AS gb_months,`,
    `    SUM(${q('EffectiveCost')}) AS cost, min(${q('BillingCurrency')}) AS currency, count(DISTINCT ${q('BillingCurrency')}) AS currencies`,
    `  FROM (${relation}) AS focus`,
    `  WHERE ${where.join(' AND ')}`,
    `  GROUP BY ${q('ResourceId')}`,
    ')',
    'ORDER BY cost DESC NULLS LAST, id',
  ].join('\n');
}
