import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The Cloud Billing Catalog API v1 (REST), which has no emulator: GET /v1/services and
 * GET /v1/services/{serviceId}/skus with pageSize / pageToken paging, answering the documented shapes
 * ({services, nextPageToken}, {skus, nextPageToken}). Requests are recorded with their authorization header.
 */

export interface CatalogFake {
  endpoint: string;
  requests: Array<{ path: string; query: Record<string, string>; authorization?: string }>;
  setSkus(serviceId: string, skus: Array<Record<string, unknown>>): void;
  failNext(status: number, body: unknown): void;
  stop(): Promise<void>;
}

/** A SKU as documented: hourly unit price in units + nanos, one tier from 0. */
export function catalogSku(fields: { id: string; description: string; resourceGroup: string; usageType: string; regions: string[]; usd: number; usageUnit?: string }): Record<string, unknown> {
  const units = Math.floor(fields.usd);
  return {
    name: `services/6F81-5844-456A/skus/${fields.id}`,
    skuId: fields.id,
    description: fields.description,
    category: { serviceDisplayName: 'Compute Engine', resourceFamily: 'Compute', resourceGroup: fields.resourceGroup, usageType: fields.usageType },
    serviceRegions: fields.regions,
    pricingInfo: [{
      summary: '',
      effectiveTime: '2026-11-20T00:00:00Z',
      pricingExpression: {
        usageUnit: fields.usageUnit ?? 'h', usageUnitDescription: 'hour', baseUnit: 's', baseUnitDescription: 'second', baseUnitConversionFactor: 3600,
        displayQuantity: 1, tieredRates: [{ startUsageAmount: 0, unitPrice: { currencyCode: 'USD', units: String(units), nanos: Math.round((fields.usd - units) * 1e9) } }],
      },
      currencyConversionRate: 1,
    }],
    serviceProviderName: 'Google',
  };
}

export async function startCatalogFake(pageSize = 2): Promise<CatalogFake> {
  const skusByService = new Map<string, Array<Record<string, unknown>>>();
  const requests: CatalogFake['requests'] = [];
  const failures: Array<{ status: number; body: unknown }> = [];
  let endpoint = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', endpoint);
    const query = Object.fromEntries(url.searchParams.entries());
    requests.push({ path: url.pathname, query, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const failure = failures.shift();
    if (failure) return send(failure.status, failure.body);
    if (req.method === 'GET' && url.pathname === '/v1/services') {
      return send(200, { services: [...skusByService.keys()].map((id) => ({ name: `services/${id}`, serviceId: id, displayName: 'Compute Engine', businessEntityName: 'businessEntities/GCP' })), nextPageToken: '' });
    }
    const m = /^\/v1\/services\/([^/]+)\/skus$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const all = skusByService.get(decodeURIComponent(m[1]!)) ?? [];
      const size = Math.min(Number(query.pageSize || pageSize), pageSize);
      const offset = Number(query.pageToken || 0);
      const page = all.slice(offset, offset + size);
      return send(200, { skus: page, nextPageToken: offset + size < all.length ? String(offset + size) : '' });
    }
    send(404, { error: { code: 404, message: `no route ${url.pathname}`, status: 'NOT_FOUND' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    setSkus: (serviceId, skus) => { skusByService.set(serviceId, skus); },
    failNext: (status, body) => failures.push({ status, body }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
