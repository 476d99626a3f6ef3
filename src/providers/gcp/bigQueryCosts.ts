import type { BigQuery } from '@google-cloud/bigquery';
import { z } from 'zod';
import { checkedSum } from '../../core/cost/amounts';
import type { CostQuery, CostResult, CostRow } from '../../core/cost/model';
import { defaultTagAliases } from '../../core/cost/tags';
import { FinOpsError } from '../../core/errors';
import type { RequestMeter } from '../../core/cache/requestMeter';
import type { Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import { CloudCostSource } from '../cloudCostSource';
import { bigQueryTable, buildFocusSql, focusDimensionColumns, type FocusSql, type SqlTable } from '../focusSql';
import { checkPeriod } from '../queryCheck';
import { requireProject, type GcpOptions } from './config';
import { callGoogle } from './errors';

/**
 * Google Cloud costs from the Cloud Billing export in BigQuery (the standard or detailed usage cost table, or the
 * FOCUS view Google documents), aggregated in BigQuery by parameterised SQL (src/providers/focusSql.ts): only
 * the grouped rows come back. BigQuery bills by bytes scanned; they are logged with every query.
 */
type BillingSchema = 'auto' | 'standard' | 'focus';

interface BigQueryCostOptions extends GcpOptions {
  /** project.dataset.table of the export or the FOCUS view. */
  table: string;
  schema: BillingSchema;
  /** BigQuery location of the dataset (US, EU, a region); empty = BigQuery works it out from the table. */
  location?: string;
  log?: Logger;
  meter?: RequestMeter;
  /** The label keys of a policy tag key, most preferred first (default: its label forms, `cost_center`, `costcenter`, `cost-center`). */
  tagKeysFor?: (key: string) => readonly string[];
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
}

const PERMISSION = 'bigquery.jobs.create and bigquery.tables.getData';
const ROLE = 'BigQuery Job User on the project and BigQuery Data Viewer on the billing dataset';

/** The standard (or detailed) usage cost export: FOCUS columns computed from the export's own. */
export function standardExportTable(ref: string, fields: Set<string>): SqlTable {
  const detailed = fields.has('resource');
  return {
    from: bigQueryTable(ref),
    label: `The BigQuery billing export ${ref}`,
    time: 'usage_start_time',
    currency: 'currency',
    cost: {
      BilledCost: 'cost',
      EffectiveCost: 'cost + IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) AS c), 0)',
      ...(fields.has('cost_at_list') ? { ListCost: 'cost_at_list' } : {}),
    },
    dimensions: {
      ProviderName: "'Google Cloud'",
      ServiceName: 'service.description',
      RegionId: 'location.region',
      SubAccountId: 'project.id',
      SubAccountName: 'project.name',
      BillingAccountId: 'billing_account_id',
      SkuId: 'sku.id',
      ChargeCategory: "CASE cost_type WHEN 'regular' THEN 'Usage' WHEN 'tax' THEN 'Tax' ELSE 'Adjustment' END",
      ...(detailed ? { ResourceId: 'resource.global_name', ResourceName: 'resource.name' } : {}),
    },
    // A resource label wins; a project label (how many teams label their spend) is the fallback.
    tag: (keys) => `COALESCE(${[...keys.map((k) => `(SELECT l.value FROM UNNEST(labels) AS l WHERE l.key = ${k} LIMIT 1)`), ...keys.map((k) => `(SELECT l.value FROM UNNEST(project.labels) AS l WHERE l.key = ${k} LIMIT 1)`)].join(', ')})`,
  };
}

const tagOf = (key: string) => `(SELECT t.value FROM UNNEST(Tags) AS t WHERE t.key = ${key} LIMIT 1)`;

/** Google's FOCUS view over the billing export: FOCUS columns by name; Tags as ARRAY<STRUCT<key, value>>. */
export function focusViewTable(ref: string): SqlTable {
  return {
    from: bigQueryTable(ref),
    label: `The BigQuery FOCUS view ${ref}`,
    time: 'ChargePeriodStart',
    currency: 'BillingCurrency',
    cost: { BilledCost: 'BilledCost', EffectiveCost: 'EffectiveCost', ListCost: 'ListCost' },
    dimensions: focusDimensionColumns((name) => name),
    tag: (keys) => (keys.length === 1 ? tagOf(keys[0]!) : `COALESCE(${keys.map(tagOf).join(', ')})`),
  };
}

const rowSchema = z.record(z.string(), z.unknown());

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && 'value' in (v as object)) return String((v as { value: unknown }).value);
  return String(v);
}

export class BigQueryCostSource extends CloudCostSource<BigQuery> {
  private sqlTable?: Promise<SqlTable>;

  constructor(private readonly options: BigQueryCostOptions) {
    bigQueryTable(options.table);
    super('gcp', `Google Cloud billing export (${options.table})`, options);
  }

  private ctx(api: string) {
    return { projectId: this.options.projectId, endpoint: this.options.endpoint, api, permission: PERMISSION, role: ROLE };
  }

  protected async createClient(): Promise<BigQuery> {
    const { BigQuery } = await import('@google-cloud/bigquery');
    return new BigQuery({
      projectId: requireProject(this.options),
      ...(this.options.endpoint ? { apiEndpoint: this.options.endpoint } : {}),
      ...(this.options.authClient ? { authClient: this.options.authClient as never } : {}),
      ...(this.options.location ? { location: this.options.location } : {}),
      autoRetry: false,
    });
  }

  /** The table's columns, read once (free: tables.get), to tell the standard export from the FOCUS view. */
  private table(signal?: AbortSignal): Promise<SqlTable> {
    this.sqlTable ??= (async () => {
      if (this.options.schema === 'focus') return focusViewTable(this.options.table);
      const [project, dataset, table] = this.options.table.split('.') as [string, string, string];
      const bq = await this.getClient();
      const metadata = await this.call('BigQuery tables.get', signal, async () => (await bq.dataset(dataset, { projectId: project }).table(table).getMetadata())[0] as unknown);
      const fields = new Set(z.object({ schema: z.object({ fields: z.array(z.object({ name: z.string() })).default([]) }).optional() }).parse(metadata).schema?.fields.map((f) => f.name) ?? []);
      if (this.options.schema === 'auto' && [...fields].some((f) => f.toLowerCase() === 'billedcost')) return focusViewTable(this.options.table);
      if (!fields.has('cost') || !fields.has('usage_start_time')) {
        throw new FinOpsError('input', `${this.options.table} is neither a Cloud Billing export table nor a FOCUS view (it has no cost / usage_start_time or BilledCost column).`, { fix: 'Point "mlFinops.gcp.billingTable" at gcp_billing_export_v1_… , gcp_billing_export_resource_v1_… or the FOCUS view.' });
      }
      return standardExportTable(this.options.table, fields);
    })();
    this.sqlTable.catch(() => { this.sqlTable = undefined; });
    return this.sqlTable;
  }

  private call<T>(api: string, signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T> {
    return callGoogle(this.ctx(api), send, { signal, log: this.log, retry: this.options.retry });
  }

  /** The SQL and parameters a query runs (exposed for the connection test and the docs). */
  async plan(query: CostQuery, signal?: AbortSignal): Promise<FocusSql> {
    checkPeriod(query, this.label);
    return buildFocusSql('bigquery', await this.table(signal), query, this.options.tagKeysFor ?? ((k) => defaultTagAliases(k, 'gcp')));
  }

  /** A dry run: checks the table, the SQL and the permissions, and says how many bytes the query would scan (free). */
  async dryRun(query: CostQuery, signal?: AbortSignal): Promise<number> {
    const built = await this.plan(query, signal);
    const bq = await this.getClient();
    const [job] = await this.call('BigQuery dry run', signal, () => bq.createQueryJob({ query: built.sql, params: paramsOf(built), dryRun: true, useLegacySql: false }));
    const stats = z.object({ statistics: z.object({ totalBytesProcessed: z.union([z.string(), z.number()]).optional() }).optional() }).parse(job.metadata ?? {});
    return Number(stats.statistics?.totalBytesProcessed ?? 0);
  }

  protected async answer(query: CostQuery, signal?: AbortSignal): Promise<CostResult> {
    const built = await this.plan(query, signal);
    const bq = await this.getClient();
    const fetchedAt = new Date().toISOString();
    let bytes = 0;
    const result = await this.call('BigQuery jobs.query', signal, () => bq.query({ query: built.sql, params: paramsOf(built), useLegacySql: false }));
    const [rows, , response] = result as unknown as [unknown[], unknown, { totalBytesProcessed?: string } | undefined];
    bytes = Number(response?.totalBytesProcessed ?? 0);
    this.meter.record({ source: this.id, api: 'BigQuery query', requests: 1, detail: `${(bytes / 1e6).toFixed(1)} MB processed (about USD ${((bytes / 1e12) * 6.25).toFixed(4)} on demand)` });
    const out: CostRow[] = [];
    for (const raw of rows) {
      const row = rowSchema.parse(raw);
      const groups: Record<string, string | null> = {};
      query.groupBy.forEach((key, i) => { groups[key] = text(row[built.groupAliases[i]!]); });
      const period = (text(row.period) ?? query.period.start).slice(0, 10);
      // an empty sum (every cost null) is no cost; NaN or Infinity is refused, never shown as money
      const value = text(row.cost);
      const cost = value === null ? 0 : checkedSum(value, { source: this.label, metric: query.metric, group: [period, ...query.groupBy.map((k) => `${k} ${groups[k] ?? '(none)'}`)].join(', ') });
      out.push({ groups, period, cost, currency: text(row.currency) ?? '' });
    }
    return { query, rows: out, source: this.label, fetchedAt };
  }
}

function paramsOf(built: FocusSql): Record<string, string> {
  return Object.fromEntries(built.params.map((p) => [p.name, p.value]));
}
