import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { jsonOrText, withBody } from './http';
import { makeSelfSignedCert } from './selfSignedCert';

/**
 * A local Azure Resource Manager over HTTPS (a throw-away certificate made with openssl) that answers the two
 * calls the product makes, with the documented request and response shapes:
 *  - POST /{scope}/providers/Microsoft.CostManagement/query?api-version=…  (Query - Usage)
 *    It really aggregates its records: time period, filter (and / or / dimensions / tags, operator In),
 *    grouping (Dimension / TagKey), Daily granularity (UsageDate as yyyymmdd) or none, Sum; pages with
 *    properties.nextLink (…&$skiptoken=…), POSTed again with the same body.
 *  - POST /providers/Microsoft.ResourceGraph/resources?api-version=…  (Resources) with $top / $skipToken paging.
 * Every request is recorded (path, query, authorization header, body, time) so tests can assert what was sent.
 * `throttle()` answers the next requests with 429 and the given headers; `fail()` with any status.
 */
export interface UsageRecord {
  date: string;
  subscriptionId: string;
  dims: Record<string, string>;
  tags: Record<string, string>;
  actualCost: number;
  amortizedCost: number;
  currency: string;
}

export interface GraphResource {
  id: string;
  name: string;
  type: string;
  location: string;
  resourceGroup: string;
  subscriptionId: string;
  tags?: Record<string, string>;
  properties?: Record<string, unknown>;
  sku?: { name: string };
}

export interface AzureRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body: unknown;
  at: number;
}

interface Canned { status: number; headers: Record<string, string>; body: unknown; route?: 'query' | 'graph' }

export interface AzureFake {
  endpoint: string;
  /** PEM of the certificate, for an https.Agent({ ca }). */
  ca: string;
  requests: AzureRequest[];
  usage: UsageRecord[];
  resources: GraphResource[];
  /** Rows per Cost Management page and per Resource Graph page (when the request's $top is larger). */
  pageSize: { query: number; graph: number };
  /** When set, nextLink points at this origin instead of the fake's own (a hostile or misrouted link). */
  nextLinkOrigin?: string;
  throttle(times: number, headers: Record<string, string>, route?: 'query' | 'graph'): void;
  fail(status: number, body: unknown, route?: 'query' | 'graph'): void;
  reset(): void;
  stop(): Promise<void>;
}

type Filter = { and?: Filter[]; or?: Filter[]; dimensions?: Cmp; tags?: Cmp };
type Cmp = { name: string; operator: string; values: string[] };

function matches(f: Filter | undefined, r: UsageRecord): boolean {
  if (!f) return true;
  if (f.and) return f.and.every((x) => matches(x, r));
  if (f.or) return f.or.some((x) => matches(x, r));
  if (f.dimensions) return f.dimensions.values.includes(r.dims[f.dimensions.name] ?? '');
  if (f.tags) return r.tags[f.tags.name] !== undefined && f.tags.values.includes(r.tags[f.tags.name]!);
  return true;
}

export async function startAzureFake(): Promise<AzureFake> {
  const { key, cert } = makeSelfSignedCert();
  const requests: AzureRequest[] = [];
  const canned: Canned[] = [];
  const fake: { usage: UsageRecord[]; resources: GraphResource[]; pageSize: { query: number; graph: number }; nextLinkOrigin?: string } = { usage: [], resources: [], pageSize: { query: 1000, graph: 1000 } };
  let origin = '';

  const server: Server = createServer({ key, cert }, (req, res) => {
    withBody(req, (raw) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const body = jsonOrText(raw);
      requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, body, at: Date.now() });
      const send = (status: number, obj: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(obj));
      };
      const isQuery = req.method === 'POST' && /\/providers\/Microsoft\.CostManagement\/query$/i.test(url.pathname);
      const isGraph = req.method === 'POST' && /^\/providers\/Microsoft\.ResourceGraph\/resources$/i.test(url.pathname);
      const route = isQuery ? 'query' : isGraph ? 'graph' : undefined;
      const i = canned.findIndex((c) => c.route === undefined || c.route === route);
      if (i >= 0) {
        const [c] = canned.splice(i, 1);
        return send(c!.status, c!.body, c!.headers);
      }
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) {
        return send(401, { error: { code: 'AuthenticationFailed', message: 'Authentication failed. The Authorization header is missing.' } });
      }
      if (!url.searchParams.get('api-version')) return send(400, { error: { code: 'MissingApiVersionParameter', message: 'The api-version query parameter (?api-version=) is required for all requests.' } });

      if (isQuery) {
        const scope = url.pathname.replace(/\/providers\/Microsoft\.CostManagement\/query$/i, '');
        const q = body as { type: string; timeframe: string; timePeriod?: { from: string; to: string }; dataset: { granularity?: string; aggregation: Record<string, { name: string; function: string }>; grouping?: { type: string; name: string }[]; filter?: Filter } };
        if (q.timeframe !== 'Custom' || !q.timePeriod) return send(400, { error: { code: 'BadRequest', message: 'Only Custom timeframes are served by this fake.' } });
        const from = q.timePeriod.from.slice(0, 10);
        const to = q.timePeriod.to.slice(0, 10);
        const sub = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
        const [alias, agg] = Object.entries(q.dataset.aggregation)[0] ?? [];
        if (!alias || !agg || agg.function !== 'Sum') return send(400, { error: { code: 'BadRequest', message: 'aggregation must be one Sum' } });
        const grouping = q.dataset.grouping ?? [];
        const daily = q.dataset.granularity === 'Daily';
        const sums = new Map<string, unknown[]>();
        for (const r of fake.usage) {
          if (r.date < from || r.date > to) continue;
          if (sub && r.subscriptionId.toLowerCase() !== sub.toLowerCase()) continue;
          if (!matches(q.dataset.filter, r)) continue;
          const cost = q.type === 'AmortizedCost' ? r.amortizedCost : r.actualCost;
          const groupCells: unknown[] = [];
          for (const g of grouping) {
            if (g.type === 'TagKey') groupCells.push(g.name, r.tags[g.name] ?? '');
            else groupCells.push(r.dims[g.name] ?? '');
          }
          const dateCell = daily ? [Number(r.date.replace(/-/g, ''))] : [];
          const id = JSON.stringify([...dateCell, ...groupCells, r.currency]);
          const row = sums.get(id);
          if (row) row[0] = (row[0] as number) + cost;
          else sums.set(id, [cost, ...dateCell, ...groupCells, r.currency]);
        }
        const columns = [{ name: agg.name, type: 'Number' }, ...(daily ? [{ name: 'UsageDate', type: 'Number' }] : [])];
        for (const g of grouping) {
          if (g.type === 'TagKey') columns.push({ name: 'TagKey', type: 'String' }, { name: 'TagValue', type: 'String' });
          else columns.push({ name: g.name, type: 'String' });
        }
        columns.push({ name: 'Currency', type: 'String' });
        const all = [...sums.values()];
        const offset = Number(url.searchParams.get('$skiptoken') ? Buffer.from(url.searchParams.get('$skiptoken')!, 'base64url').toString() : '0');
        const rows = all.slice(offset, offset + fake.pageSize.query);
        const more = offset + rows.length < all.length;
        const next = new URL(`${fake.nextLinkOrigin ?? origin}${url.pathname}`);
        next.searchParams.set('api-version', url.searchParams.get('api-version')!);
        next.searchParams.set('$skiptoken', Buffer.from(String(offset + rows.length)).toString('base64url'));
        return send(200, {
          id: `${scope}/providers/Microsoft.CostManagement/query/${offset}`, name: String(offset), type: 'Microsoft.CostManagement/query',
          location: null, sku: null, eTag: null,
          properties: { nextLink: more ? next.toString() : null, columns, rows },
        });
      }

      if (isGraph) {
        const q = body as { subscriptions?: string[]; managementGroups?: string[]; query: string; options?: { $top?: number; $skipToken?: string; resultFormat?: string } };
        const subs = q.subscriptions?.map((s) => s.toLowerCase());
        const rg = /where resourceGroup =~ '([^']+)'/.exec(q.query)?.[1]?.toLowerCase();
        const all = fake.resources.filter((r) => (!subs || subs.includes(r.subscriptionId.toLowerCase())) && (!rg || r.resourceGroup.toLowerCase() === rg));
        const top = Math.min(q.options?.$top ?? 100, fake.pageSize.graph);
        const offset = q.options?.$skipToken ? Number(Buffer.from(q.options.$skipToken, 'base64url').toString()) : 0;
        const page = all.slice(offset, offset + top).map((r) => ({
          id: r.id, name: r.name, type: r.type.toLowerCase(), location: r.location, resourceGroup: r.resourceGroup, subscriptionId: r.subscriptionId,
          tags: r.tags ?? null,
          vmSize: String((r.properties?.hardwareProfile as { vmSize?: string } | undefined)?.vmSize ?? ''),
          priority: String(r.properties?.priority ?? ''),
          skuName: r.sku?.name ?? '',
          powerState: String(((r.properties?.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code) ?? ''),
        }));
        const more = offset + page.length < all.length;
        return send(200, {
          totalRecords: all.length, count: page.length, resultTruncated: 'false', data: page, facets: [],
          ...(more ? { $skipToken: Buffer.from(String(offset + page.length)).toString('base64url') } : {}),
        });
      }
      send(404, { error: { code: 'NotFound', message: `no route for ${req.method} ${url.pathname}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `https://127.0.0.1:${port}`;
  return Object.assign(fake, {
    endpoint: origin,
    ca: cert,
    requests,
    throttle: (times: number, headers: Record<string, string>, route?: 'query' | 'graph') => {
      for (let i = 0; i < times; i++) canned.push({ status: 429, headers, route, body: { error: { code: 'TooManyRequests', message: 'Too many requests. Please retry.' } } });
    },
    fail: (status: number, b: unknown, route?: 'query' | 'graph') => { canned.push({ status, headers: {}, body: b, route }); },
    reset: () => { requests.length = 0; canned.length = 0; fake.usage.length = 0; fake.resources.length = 0; fake.pageSize.query = 1000; fake.pageSize.graph = 1000; delete fake.nextLinkOrigin; },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
}
