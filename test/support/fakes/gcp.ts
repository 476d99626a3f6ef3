import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonOrText, withBody } from './http';
import type { FixtureWarehouse } from '../warehouse';

/**
 * A local Google Cloud on 127.0.0.1 for the three APIs the product calls, with the documented REST shapes:
 *  - BigQuery v2: jobs.query (POST /bigquery/v2/projects/{p}/queries), jobs.getQueryResults
 *    (GET …/queries/{jobId}, pageToken paging), jobs.insert (dry runs), tables.get, datasets.list, tables.list.
 *    Query answers come from `bigquery.answer(request)`, which sees the SQL and the named parameters; answerFromWarehouse()
 *    runs that SQL for real over fixture tables (test/support/warehouse.ts). An answer that throws FakeQueryError is
 *    BigQuery's 400 invalidQuery.
 *  - Cloud Asset v1: GET /v1/{scope}:searchAllResources (pageSize / pageToken).
 *  - Cloud Billing v1: GET /v1/billingAccounts, GET /v1/billingAccounts/{id}/projects.
 * Every request is recorded with its authorization header; `fail()` answers the next matching request with an error.
 */
export interface GcpRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  allQuery: [string, string][];
  authorization?: string;
  body: unknown;
  at: number;
}

export interface QueryRequestBody {
  query: string;
  useLegacySql?: boolean;
  parameterMode?: string;
  queryParameters?: { name: string; parameterType: { type: string }; parameterValue: { value: string } }[];
  dryRun?: boolean;
}

export interface QueryAnswer {
  fields: { name: string; type: string }[];
  rows: (string | number | null)[][];
  totalBytesProcessed?: number;
}

type Route = 'bigquery' | 'asset' | 'billing';

/** Thrown by an answer: the job fails as BigQuery fails an invalid query (HTTP 400, reason invalidQuery). */
export class FakeQueryError extends Error {}

/** The BigQuery type of a DuckDB result column. */
function bigQueryType(duckdb: string): string {
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL)/i.test(duckdb)) return 'FLOAT';
  if (/^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT)/i.test(duckdb)) return 'INTEGER';
  if (/^TIMESTAMP/i.test(duckdb)) return 'TIMESTAMP';
  if (/^DATE$/i.test(duckdb)) return 'DATE';
  return 'STRING';
}

/**
 * Answers jobs.query by running the request's SQL (GoogleSQL, named parameters) over the warehouse's fixture tables:
 * parsed with a BigQuery parser, rewritten into DuckDB, executed. What fails to parse or run is an invalid query.
 */
export function answerFromWarehouse(warehouse: { run: FixtureWarehouse['run'] }, bytesPerQuery = 123456789): (req: QueryRequestBody) => Promise<QueryAnswer> {
  return async (req) => {
    const named = Object.fromEntries((req.queryParameters ?? []).map((p) => [p.name, p.parameterValue.value]));
    let result;
    try {
      result = await warehouse.run(req.query, 'bigquery', { named });
    } catch (e) {
      throw new FakeQueryError(e instanceof Error ? e.message.split('\n')[0] : String(e));
    }
    return { fields: result.columns.map((c) => ({ name: c.name, type: bigQueryType(c.type) })), rows: result.rows, totalBytesProcessed: req.dryRun ? bytesPerQuery : bytesPerQuery };
  };
}

export interface GcpFake {
  endpoint: string;
  requests: GcpRequest[];
  bigquery: {
    answer: (req: QueryRequestBody) => QueryAnswer | Promise<QueryAnswer>;
    /** Rows per page of query results. */
    pageSize: number;
    /** Column names of each table (tables.get), keyed by project.dataset.table. */
    tables: Map<string, { name: string; type: string; mode?: string }[]>;
  };
  asset: { results: Record<string, unknown>[]; pageSize: number };
  billing: { accounts: Record<string, unknown>[]; projects: Map<string, Record<string, unknown>[]>; pageSize: number };
  fail(status: number, body: unknown, route?: Route): void;
  reset(): void;
  stop(): Promise<void>;
}

export async function startGcpFake(): Promise<GcpFake> {
  const requests: GcpRequest[] = [];
  const failures: { status: number; body: unknown; route?: Route }[] = [];
  const jobs = new Map<string, QueryAnswer>();
  let seq = 0;
  const state = {
    bigquery: { answer: (() => ({ fields: [], rows: [] })) as (req: QueryRequestBody) => QueryAnswer | Promise<QueryAnswer>, pageSize: 1000, tables: new Map<string, { name: string; type: string; mode?: string }[]>() },
    asset: { results: [] as Record<string, unknown>[], pageSize: 1000 },
    billing: { accounts: [] as Record<string, unknown>[], projects: new Map<string, Record<string, unknown>[]>(), pageSize: 1000 },
  };

  const toRows = (a: QueryAnswer, offset: number, size: number) => a.rows.slice(offset, offset + size).map((r) => ({ f: r.map((v) => ({ v: v === null ? null : String(v) })) }));
  const page = <T>(items: T[], token: string | null, size: number) => {
    const offset = token ? Number(token) : 0;
    const slice = items.slice(offset, offset + size);
    return { slice, next: offset + slice.length < items.length ? String(offset + slice.length) : undefined };
  };

  const server: Server = createServer((req, res) => {
    withBody(req, (raw) => void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = jsonOrText(raw);
      const path = decodeURIComponent(url.pathname);
      requests.push({ method: req.method ?? '', path, query: Object.fromEntries(url.searchParams), allQuery: [...url.searchParams.entries()], authorization: req.headers.authorization, body, at: Date.now() });
      const send = (status: number, obj: unknown) => { res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }); res.end(JSON.stringify(obj)); };
      const route: Route | undefined = path.startsWith('/bigquery/') ? 'bigquery' : path.includes(':searchAllResources') ? 'asset' : path.startsWith('/v1/billingAccounts') ? 'billing' : undefined;
      const f = failures.findIndex((x) => x.route === undefined || x.route === route);
      if (f >= 0) {
        const [x] = failures.splice(f, 1);
        return send(x!.status, x!.body);
      }
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return send(401, { error: { code: 401, message: 'Request is missing required authentication credential.', status: 'UNAUTHENTICATED' } });
      let m: RegExpExecArray | null;

      // ---- BigQuery ----
      const invalid = (e: unknown) => send(400, { error: { code: 400, message: `Syntax error: ${e instanceof Error ? e.message : String(e)}`, errors: [{ reason: 'invalidQuery', message: 'invalid query' }], status: 'INVALID_ARGUMENT' } });
      if ((m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries$/.exec(path)) && req.method === 'POST') {
        const q = body as QueryRequestBody;
        let answer: QueryAnswer;
        try { answer = await state.bigquery.answer(q); } catch (e) { if (e instanceof FakeQueryError) return invalid(e); throw e; }
        const jobId = `job_${++seq}`;
        jobs.set(jobId, answer);
        const size = state.bigquery.pageSize;
        return send(200, {
          kind: 'bigquery#queryResponse', jobComplete: true, totalRows: String(answer.rows.length), totalBytesProcessed: String(answer.totalBytesProcessed ?? 0),
          jobReference: { projectId: m[1], jobId, location: 'US' }, schema: { fields: answer.fields }, rows: toRows(answer, 0, size),
          ...(answer.rows.length > size ? { pageToken: String(size) } : {}),
        });
      }
      if ((m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(path)) && req.method === 'GET') {
        const answer = jobs.get(m[2]!);
        if (!answer) return send(404, { error: { code: 404, message: `Not found: Job ${m[1]}:${m[2]}`, errors: [{ reason: 'input' }] } });
        const offset = Number(url.searchParams.get('pageToken') ?? '0') || Number(url.searchParams.get('startIndex') ?? '0');
        const size = Math.min(Number(url.searchParams.get('maxResults') ?? state.bigquery.pageSize), state.bigquery.pageSize);
        return send(200, {
          kind: 'bigquery#getQueryResultsResponse', jobComplete: true, totalRows: String(answer.rows.length),
          jobReference: { projectId: m[1], jobId: m[2], location: 'US' }, schema: { fields: answer.fields }, rows: toRows(answer, offset, size),
          ...(offset + size < answer.rows.length ? { pageToken: String(offset + size) } : {}),
        });
      }
      if ((m = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(path)) && req.method === 'POST') {
        const job = body as { jobReference?: { jobId?: string }; configuration: { query: QueryRequestBody; dryRun?: boolean } };
        const q = { ...job.configuration.query, dryRun: job.configuration.dryRun };
        let answer: QueryAnswer;
        try { answer = await state.bigquery.answer(q); } catch (e) { if (e instanceof FakeQueryError) return invalid(e); throw e; }
        return send(200, {
          kind: 'bigquery#job', jobReference: { projectId: m[1], jobId: job.jobReference?.jobId ?? `job_${++seq}`, location: 'US' },
          configuration: job.configuration, status: { state: 'DONE' }, statistics: { totalBytesProcessed: String(answer.totalBytesProcessed ?? 0), query: { totalBytesProcessed: String(answer.totalBytesProcessed ?? 0) } },
        });
      }
      if ((m = /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(path)) && req.method === 'GET') {
        const fields = state.bigquery.tables.get(`${m[1]}.${m[2]}.${m[3]}`);
        if (!fields) return send(404, { error: { code: 404, message: `Not found: Table ${m[1]}:${m[2]}.${m[3]}`, errors: [{ reason: 'input' }] } });
        return send(200, { kind: 'bigquery#table', id: `${m[1]}:${m[2]}.${m[3]}`, tableReference: { projectId: m[1], datasetId: m[2], tableId: m[3] }, schema: { fields } });
      }
      if ((m = /^\/bigquery\/v2\/projects\/([^/]+)\/datasets$/.exec(path)) && req.method === 'GET') {
        const datasets = [...new Set([...state.bigquery.tables.keys()].filter((k) => k.startsWith(`${m![1]}.`)).map((k) => k.split('.')[1]!))];
        return send(200, { kind: 'bigquery#datasetList', datasets: datasets.map((d) => ({ id: `${m![1]}:${d}`, datasetReference: { projectId: m![1], datasetId: d } })) });
      }
      if ((m = /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables$/.exec(path)) && req.method === 'GET') {
        const tables = [...state.bigquery.tables.keys()].filter((k) => k.startsWith(`${m![1]}.${m![2]}.`)).map((k) => k.split('.')[2]!);
        return send(200, { kind: 'bigquery#tableList', totalItems: tables.length, tables: tables.map((t) => ({ id: `${m![1]}:${m![2]}.${t}`, tableReference: { projectId: m![1], datasetId: m![2], tableId: t }, type: 'TABLE' })) });
      }

      // ---- Cloud Asset ----
      if ((m = /^\/v1\/(.+):searchAllResources$/.exec(path)) && req.method === 'GET') {
        const size = Math.min(Number(url.searchParams.get('pageSize') ?? '100') || 100, state.asset.pageSize);
        const { slice, next } = page(state.asset.results, url.searchParams.get('pageToken'), size);
        return send(200, { results: slice, ...(next ? { nextPageToken: next } : {}) });
      }

      // ---- Cloud Billing ----
      if (path === '/v1/billingAccounts' && req.method === 'GET') {
        const size = Math.min(Number(url.searchParams.get('pageSize') ?? '100') || 100, state.billing.pageSize);
        const { slice, next } = page(state.billing.accounts, url.searchParams.get('pageToken'), size);
        return send(200, { billingAccounts: slice, ...(next ? { nextPageToken: next } : {}) });
      }
      if ((m = /^\/v1\/billingAccounts\/([^/]+)\/projects$/.exec(path)) && req.method === 'GET') {
        const size = Math.min(Number(url.searchParams.get('pageSize') ?? '100') || 100, state.billing.pageSize);
        const { slice, next } = page(state.billing.projects.get(m[1]!) ?? [], url.searchParams.get('pageToken'), size);
        return send(200, { projectBillingInfo: slice, ...(next ? { nextPageToken: next } : {}) });
      }
      send(404, { error: { code: 404, message: `fake: no route for ${req.method} ${path}`, status: 'NOT_FOUND' } });
    })().catch((e: unknown) => { res.writeHead(500); res.end(String(e)); }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    fail: (status: number, body: unknown, route?: Route) => { failures.push({ status, body, route }); },
    reset: () => {
      requests.length = 0; failures.length = 0; jobs.clear();
      state.bigquery.answer = () => ({ fields: [], rows: [] }); state.bigquery.pageSize = 1000; state.bigquery.tables.clear();
      state.asset.results = []; state.asset.pageSize = 1000;
      state.billing.accounts = []; state.billing.projects.clear(); state.billing.pageSize = 1000;
    },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
}
