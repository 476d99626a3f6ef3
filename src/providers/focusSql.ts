import type { CostMetric, CostQuery, FocusDimension, GroupKey } from '../core/cost/model';
import { FinOpsError } from '../core/errors';

/**
 * One FOCUS aggregation, written for the engine that already holds the bill (Athena over an AWS FOCUS export in
 * S3, BigQuery over the Cloud Billing export or its FOCUS view), so only the aggregated rows come back.
 * Values always travel as query parameters; identifiers (table names) are validated and quoted by the caller.
 *
 * The SELECT list is: g0 … gN (the group-by keys, in the query's order), period (ISO date of the period start),
 * currency, cost. Rows are grouped by all of them.
 */
type SqlDialectName = 'athena' | 'bigquery';

export interface SqlTable {
  /** The quoted table reference, ready to paste after FROM. */
  from: string;
  /** Expression of the charge period start (a TIMESTAMP). */
  time: string;
  /** Expression of the row's currency. */
  currency: string;
  /** Expression of each metric, or undefined when the table does not carry it. */
  cost: Partial<Record<CostMetric, string>>;
  /** Expression of each FOCUS dimension the table can answer. */
  dimensions: Partial<Record<FocusDimension, string>>;
  /**
   * Expression of a tag's value, given the parameter placeholders of the tag names to look for, most preferred first
   * (the cloud's names for one policy key, src/core/cost/tags.ts): the first name present wins.
   */
  tag(keyPlaceholders: readonly string[]): string;
  /** Where the data comes from, for messages ("the Athena table focus.data"). */
  label: string;
}

/** The FOCUS dimensions a FOCUS table carries as its own columns. */
const FOCUS_DIMENSION_COLUMNS: readonly FocusDimension[] = [
  'ProviderName', 'ServiceName', 'ServiceCategory', 'RegionId', 'SubAccountId', 'SubAccountName', 'BillingAccountId',
  'ResourceId', 'ResourceName', 'ResourceType', 'ChargeCategory', 'PricingCategory', 'SkuId',
];

/** A FOCUS table's dimension columns, named by `column` ("ServiceName" as is, or lower-cased as Glue names them). */
export function focusDimensionColumns(column: (name: FocusDimension) => string): SqlTable['dimensions'] {
  return Object.fromEntries(FOCUS_DIMENSION_COLUMNS.map((d) => [d, column(d)]));
}

interface SqlParam {
  name: string;
  value: string;
}

export interface FocusSql {
  sql: string;
  /** Parameters in order of appearance (Athena binds them by position, BigQuery by name). */
  params: SqlParam[];
  /** The alias of each group-by key, in the query's order. */
  groupAliases: string[];
}

interface Builder {
  params: SqlParam[];
  dialect: SqlDialectName;
}

function placeholder(b: Builder, value: string): string {
  const name = `p${b.params.length}`;
  b.params.push({ name, value });
  return b.dialect === 'bigquery' ? `@${name}` : '?';
}

function timestamp(b: Builder, isoDate: string): string {
  const p = placeholder(b, isoDate);
  return b.dialect === 'bigquery' ? `TIMESTAMP(${p})` : `CAST(${p} AS TIMESTAMP)`;
}

function periodExpression(b: Builder, query: CostQuery, time: string): string {
  if (query.granularity === 'total') {
    const p = placeholder(b, query.period.start);
    return b.dialect === 'bigquery' ? p : `CAST(${p} AS VARCHAR)`;
  }
  if (b.dialect === 'bigquery') {
    return query.granularity === 'daily' ? `FORMAT_DATE('%F', DATE(${time}))` : `FORMAT_DATE('%F', DATE_TRUNC(DATE(${time}), MONTH))`;
  }
  return query.granularity === 'daily'
    ? `CAST(CAST(${time} AS DATE) AS VARCHAR)`
    : `CAST(CAST(date_trunc('month', ${time}) AS DATE) AS VARCHAR)`;
}

function keyExpression(b: Builder, table: SqlTable, key: GroupKey, tagKeysFor: (k: string) => readonly string[]): string {
  if (key.startsWith('tag:')) {
    const names = [...new Set(tagKeysFor(key.slice(4)))];
    return table.tag((names.length ? names : [key.slice(4)]).map((n) => placeholder(b, n)));
  }
  const expr = table.dimensions[key as FocusDimension];
  if (!expr) {
    const supported = Object.keys(table.dimensions).join(', ');
    throw new FinOpsError('input', `${table.label} cannot group or filter by ${key}.`, { fix: `Use one of: ${supported}, or a tag (tag:Key).`, code: 'unsupportedGrouping' });
  }
  return expr;
}

/** Builds the aggregation for `query` over `table`. Tag keys go through `tagKeysFor` (the cloud's names for a policy key). */
export function buildFocusSql(dialect: SqlDialectName, table: SqlTable, query: CostQuery, tagKeysFor: (key: string) => readonly string[] = (k) => [k]): FocusSql {
  const b: Builder = { params: [], dialect };
  const cost = table.cost[query.metric];
  if (!cost) {
    const available = Object.keys(table.cost).join(' or ');
    throw new FinOpsError('input', `${table.label} has no ${query.metric}.`, { fix: `Choose ${available} in the "mlFinops.cost.metric" setting.` });
  }
  const groupAliases = query.groupBy.map((_, i) => `g${i}`);
  const select = query.groupBy.map((key, i) => `${keyExpression(b, table, key, tagKeysFor)} AS ${groupAliases[i]}`);
  select.push(`${periodExpression(b, query, table.time)} AS period`);
  select.push(`${table.currency} AS currency`);
  select.push(`SUM(${cost}) AS cost`);
  const where = [`${table.time} >= ${timestamp(b, query.period.start)}`, `${table.time} < ${timestamp(b, query.period.end)}`];
  for (const filter of query.filters ?? []) {
    const values = filter.values.filter((v): v is string => v !== null);
    const parts: string[] = [];
    // Each use of the key expression gets its own placeholders: Athena binds parameters by position.
    if (values.length) {
      const expr = keyExpression(b, table, filter.key, tagKeysFor);
      parts.push(`${expr} IN (${values.map((v) => placeholder(b, v)).join(', ')})`);
    }
    if (values.length < filter.values.length) parts.push(`${keyExpression(b, table, filter.key, tagKeysFor)} IS NULL`);
    where.push(parts.length ? `(${parts.join(' OR ')})` : 'FALSE');
  }
  const groupCount = query.groupBy.length + 2;
  const sql = [
    `SELECT ${select.join(', ')}`,
    `FROM ${table.from}`,
    `WHERE ${where.join(' AND ')}`,
    `GROUP BY ${Array.from({ length: groupCount }, (_, i) => i + 1).join(', ')}`,
    'ORDER BY period, cost DESC',
  ].join('\n');
  return { sql, params: b.params, groupAliases };
}

/** `a.b.c` as a BigQuery table reference (validated: letters, digits, `_`, `-`, `$` only). */
export function bigQueryTable(ref: string): string {
  if (!/^[\w-]+\.[\w-]+\.[\w$-]+$/.test(ref)) throw new FinOpsError('input', `"${ref}" is not a BigQuery table (project.dataset.table).`, { fix: 'Set "mlFinops.gcp.billingTable" to project.dataset.table.' });
  return `\`${ref}\``;
}

/** An Athena / Trino identifier, double-quoted (validated: letters, digits, `_`, `-`). */
export function athenaIdentifier(name: string, what: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new FinOpsError('input', `"${name}" is not a valid Athena ${what} name.`, { fix: `Set the Athena ${what} name (letters, digits, _ and - only).` });
  return `"${name}"`;
}
