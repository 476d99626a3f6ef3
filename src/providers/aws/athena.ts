import type { AthenaClient } from '@aws-sdk/client-athena';
import { z } from 'zod';
import { checkedSum } from '../../core/cost/amounts';
import type { CostQuery, CostResult, CostRow } from '../../core/cost/model';
import { FinOpsError, INTERNAL_FIX, isCancelled, isFinOpsError } from '../../core/errors';
import type { RequestMeter } from '../../core/cache/requestMeter';
import type { Logger } from '../../core/ports';
import { abortableSleep, allPages, type RetryOptions } from '../../core/retry';
import { CloudCostSource } from '../cloudCostSource';
import { athenaIdentifier, buildFocusSql, focusDimensionColumns, type SqlTable } from '../focusSql';
import { awsClientConfig, describeProfile, type AwsOptions } from './config';
import { callAws } from './errors';

/**
 * Organisation-scale AWS costs: the FOCUS 1.0 export of AWS Data Exports, stored in S3 and catalogued in Glue,
 * aggregated by Athena with the product's FOCUS SQL (src/providers/focusSql.ts). Only the aggregated rows come
 * back. Athena bills by data scanned (USD 5 per TB); the scanned bytes are logged with every query.
 * See docs/athena.md for when to choose it over Cost Explorer and how to set it up.
 */
interface AthenaOptions extends AwsOptions {
  database: string;
  table: string;
  workgroup: string;
  /** s3://bucket/prefix/ for query results; empty = the workgroup's own setting. */
  outputLocation: string;
  catalog?: string;
  log?: Logger;
  meter?: RequestMeter;
  /** The AWS tag names of a policy key, most preferred first (default: the key itself; AWS tag keys are case-sensitive). */
  tagKeysFor?: (key: string) => readonly string[];
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
  /** First and largest wait between GetQueryExecution polls, in ms. */
  pollMs?: { first: number; max: number };
  /** Give up (and stop the query) after this long, in ms (default 10 minutes). */
  timeoutMs?: number;
}

/** The FOCUS 1.0 columns of an AWS Data Exports FOCUS table, as Glue names them (lower case). */
export function athenaFocusTable(database: string, table: string): SqlTable {
  return {
    from: `${athenaIdentifier(database, 'database')}.${athenaIdentifier(table, 'table')}`,
    label: `The Athena table ${database}.${table}`,
    time: 'chargeperiodstart',
    currency: 'billingcurrency',
    cost: { BilledCost: 'billedcost', EffectiveCost: 'effectivecost', ListCost: 'listcost' },
    dimensions: focusDimensionColumns((name) => name.toLowerCase()),
    tag: (keys) => (keys.length === 1 ? `element_at(tags, ${keys[0]})` : `COALESCE(${keys.map((k) => `element_at(tags, ${k})`).join(', ')})`),
  };
}

/** Athena binds parameters as SQL literals: strings go in single quotes, with quotes doubled. */
export function athenaLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const executionSchema = z.object({
  QueryExecution: z.object({
    Status: z.object({ State: z.string().optional(), StateChangeReason: z.string().optional() }).optional(),
    Statistics: z.object({ DataScannedInBytes: z.number().optional() }).optional(),
  }).optional(),
});
const resultsSchema = z.object({
  NextToken: z.string().optional(),
  ResultSet: z.object({
    ResultSetMetadata: z.object({ ColumnInfo: z.array(z.object({ Name: z.string() })).optional() }).optional(),
    Rows: z.array(z.object({ Data: z.array(z.object({ VarCharValue: z.string().optional() })).optional() })).optional(),
  }).optional(),
});

export class AthenaCostSource extends CloudCostSource<AthenaClient> {
  constructor(private readonly options: AthenaOptions) {
    super('aws', `AWS Athena ${options.database}.${options.table} (${describeProfile(options)})`, options);
  }

  protected async createClient(): Promise<AthenaClient> {
    const { AthenaClient } = await import('@aws-sdk/client-athena');
    return new AthenaClient(await awsClientConfig(this.options));
  }

  private call<T>(api: string, action: string, signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T> {
    return callAws({ options: this.options, api: `Athena ${api}`, action }, send, { signal, log: this.log, retry: this.options.retry });
  }

  protected async answer(query: CostQuery, signal?: AbortSignal): Promise<CostResult> {
    const built = buildFocusSql('athena', athenaFocusTable(this.options.database, this.options.table), query, this.options.tagKeysFor);
    const athena = await import('@aws-sdk/client-athena');
    const client = await this.getClient();
    const fetchedAt = new Date().toISOString();
    const started = await this.call('StartQueryExecution', 'athena:StartQueryExecution', signal, () => client.send(new athena.StartQueryExecutionCommand({
      QueryString: built.sql,
      QueryExecutionContext: { Database: this.options.database, Catalog: this.options.catalog ?? 'AwsDataCatalog' },
      WorkGroup: this.options.workgroup || 'primary',
      ...(this.options.outputLocation ? { ResultConfiguration: { OutputLocation: this.options.outputLocation } } : {}),
      ...(built.params.length ? { ExecutionParameters: built.params.map((p) => athenaLiteral(p.value)) } : {}),
    }), { abortSignal: signal }));
    const id = started.QueryExecutionId;
    if (!id) throw new FinOpsError('internal', 'Athena did not return a query execution id.', { fix: INTERNAL_FIX });

    const poll = this.options.pollMs ?? { first: 200, max: 2000 };
    const deadline = Date.now() + (this.options.timeoutMs ?? 600_000);
    let wait = poll.first;
    let scanned = 0;
    try {
      for (;;) {
        const raw = await this.call('GetQueryExecution', 'athena:GetQueryExecution', signal, () => client.send(new athena.GetQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: signal }));
        const execution = executionSchema.parse(raw).QueryExecution;
        const state = execution?.Status?.State;
        scanned = execution?.Statistics?.DataScannedInBytes ?? scanned;
        if (state === 'SUCCEEDED') break;
        if (state === 'FAILED' || state === 'CANCELLED') {
          const reason = execution?.Status?.StateChangeReason ?? state;
          const missing = /does not exist|not found|cannot be resolved/i.test(reason);
          throw new FinOpsError('input', `The Athena query on ${this.options.database}.${this.options.table} ${state === 'FAILED' ? 'failed' : 'was cancelled'}: ${reason}`, {
            fix: missing ? 'Check "mlFinops.aws.athena.database" and "mlFinops.aws.athena.table" (see docs/athena.md).' : 'See docs/athena.md for the expected FOCUS table.',
          });
        }
        if (Date.now() > deadline) throw new FinOpsError('unavailable', `The Athena query did not finish within ${Math.round((this.options.timeoutMs ?? 600_000) / 1000)} s.`, { fix: 'Try a shorter period, or check the workgroup\'s capacity.' });
        await abortableSleep(wait, signal);
        wait = Math.min(poll.max, wait * 2);
      }
    } catch (e) {
      if (isCancelled(e) || isFinOpsError(e, 'unavailable')) {
        // Do not leave a query scanning (and billing) after the user gave up on it.
        await client.send(new athena.StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
      }
      throw e;
    } finally {
      this.meter.record({ source: this.id, api: 'Athena query', requests: 1, detail: `${(scanned / 1e6).toFixed(1)} MB scanned (about USD ${((scanned / 1e12) * 5).toFixed(4)})` });
    }

    const pages = await allPages(async (token: string | undefined) => {
      const raw = await this.call('GetQueryResults', 'athena:GetQueryResults', signal, () => client.send(new athena.GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }), { abortSignal: signal }));
      const page = resultsSchema.parse(raw);
      return { page, next: page.NextToken || undefined };
    });
    const rows: CostRow[] = [];
    pages.forEach((page, p) => {
      const names = page.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c) => c.Name.toLowerCase()) ?? [];
      const index = (n: string) => {
        const i = names.indexOf(n);
        if (i < 0) throw new FinOpsError('internal', `The Athena result has no column "${n}".`, { fix: INTERNAL_FIX });
        return i;
      };
      const at = { period: index('period'), currency: index('currency'), cost: index('cost'), groups: built.groupAliases.map(index) };
      let data = page.ResultSet?.Rows ?? [];
      // The first row of a SELECT's first page repeats the column names.
      if (p === 0 && data[0]?.Data?.map((d) => d.VarCharValue?.toLowerCase()).join() === names.join()) data = data.slice(1);
      for (const r of data) {
        const cell = (i: number) => r.Data?.[i]?.VarCharValue;
        const groups: Record<string, string | null> = {};
        query.groupBy.forEach((key, i) => { groups[key] = cell(at.groups[i]!) ?? null; });
        const period = (cell(at.period) ?? query.period.start).slice(0, 10);
        // an empty sum (every cost null) is no cost; NaN or Infinity is refused, never shown as money
        const raw = cell(at.cost);
        const cost = raw === undefined ? 0 : checkedSum(raw, { source: this.label, metric: query.metric, group: [period, ...query.groupBy.map((k) => `${k} ${groups[k] ?? '(none)'}`)].join(', ') });
        rows.push({ groups, period, cost, currency: cell(at.currency) ?? '' });
      }
    });
    return { query, rows, source: this.label, fetchedAt };
  }
}
