import type { FocusColumn } from '../../core/cost/focusColumns';
import type { CostMetric, CostQuery, GroupKey, Period } from '../../core/cost/model';
import { quoteIdent, type SqlParams } from '../../core/cost/sql';
import { aliasesByCloud, providerCloudCondition, tagKeyOf, type TagAliases } from '../../core/cost/tags';

/**
 * The DuckDB SQL of a CostQuery over a relation of normalised FOCUS columns (`FROM (…) AS focus`):
 * times are TIMESTAMP in UTC, costs DOUBLE, Tags a JSON object text. Values travel as parameters.
 */

const q = quoteIdent;

/** FOCUS columns a query reads (the relation projects only these). */
export function neededColumns(query: CostQuery, aliases: TagAliases): FocusColumn[] {
  const cols = new Set<FocusColumn>(['ChargePeriodStart', 'BillingCurrency', query.metric]);
  const keys = [...query.groupBy, ...(query.filters ?? []).map((f) => f.key)];
  for (const key of keys) {
    const tag = tagKeyOf(key);
    if (tag === undefined) {
      cols.add(key as FocusColumn);
      continue;
    }
    cols.add('Tags');
    if (!uniformAliases(tag, aliases)) cols.add('ProviderName');
  }
  return [...cols];
}

function uniformAliases(key: string, aliases: TagAliases): boolean {
  const byCloud = aliasesByCloud(key, aliases);
  const first = JSON.stringify(byCloud.aws);
  return [byCloud.azure, byCloud.gcp, byCloud.other].every((l) => JSON.stringify(l) === first);
}

/** JSON Pointer (RFC 6901) of a top-level key: no quoting issue whatever the key holds (`cost-center`, `a.b`, `x"y`). */
export function jsonPointer(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** The value of a policy tag key: the first alias present in Tags, chosen per the row's cloud. */
function tagExpression(key: string, aliases: TagAliases, params: SqlParams): string {
  const byCloud = aliasesByCloud(key, aliases);
  // TRY: a malformed Tags value reads as "no tags" instead of failing the whole query.
  const extract = (names: string[]) => {
    const parts = names.map((n) => `json_extract_string(${q('Tags')}, ${params.add(jsonPointer(n))})`);
    return `TRY(${parts.length === 1 ? parts[0] : `COALESCE(${parts.join(', ')})`})`;
  };
  if (uniformAliases(key, aliases)) return extract(byCloud.aws);
  const provider = q('ProviderName');
  return `CASE WHEN ${providerCloudCondition(provider, 'aws')} THEN ${extract(byCloud.aws)}
    WHEN ${providerCloudCondition(provider, 'azure')} THEN ${extract(byCloud.azure)}
    WHEN ${providerCloudCondition(provider, 'gcp')} THEN ${extract(byCloud.gcp)}
    ELSE ${extract(byCloud.other)} END`;
}

function keyExpression(key: GroupKey, aliases: TagAliases, params: SqlParams): string {
  const tag = tagKeyOf(key);
  return tag === undefined ? q(key) : tagExpression(tag, aliases, params);
}

function periodWhere(period: Period | undefined, params: SqlParams): string[] {
  if (!period) return [];
  const start = q('ChargePeriodStart');
  return [`${start} >= CAST(${params.add(period.start)} AS TIMESTAMP)`, `${start} < CAST(${params.add(period.end)} AS TIMESTAMP)`];
}

interface CostSql {
  sql: string;
  /** Column alias of each group-by key, in the query's order. */
  groupAliases: string[];
}

/** SELECT g0…gN, period (YYYY-MM-DD), currency, cost — grouped, ordered by period then cost. */
export function buildCostSql(query: CostQuery, relation: string, aliases: TagAliases, params: SqlParams): CostSql {
  const groupAliases = query.groupBy.map((_, i) => `g${i}`);
  const select = query.groupBy.map((key, i) => `${keyExpression(key, aliases, params)} AS ${groupAliases[i]}`);
  const start = q('ChargePeriodStart');
  const period = query.granularity === 'total'
    ? params.add(query.period.start)
    : `CAST(CAST(date_trunc('${query.granularity === 'daily' ? 'day' : 'month'}', ${start}) AS DATE) AS VARCHAR)`;
  select.push(`${period} AS period`, `COALESCE(${q('BillingCurrency')}, '') AS currency`, `COALESCE(SUM(${q(query.metric)}), 0) AS cost`);
  const where = periodWhere(query.period, params);
  for (const filter of query.filters ?? []) {
    const expr = keyExpression(filter.key, aliases, params);
    const values = filter.values.filter((v): v is string => v !== null);
    const parts: string[] = [];
    if (values.length) parts.push(`${expr} IN (${values.map((v) => params.add(v)).join(', ')})`);
    if (values.length < filter.values.length) parts.push(`${expr} IS NULL`);
    where.push(`(${parts.join(' OR ')})`);
  }
  const groups = [...groupAliases, 'period', 'currency'];
  const sql = [
    `SELECT ${select.join(',\n  ')}`,
    `FROM (${relation}) AS focus`,
    `WHERE ${where.join(' AND ')}`,
    `GROUP BY ${groups.join(', ')}`,
    `ORDER BY period, cost DESC, ${groups.join(', ')}`,
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
