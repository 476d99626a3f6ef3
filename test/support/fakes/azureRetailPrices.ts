import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The Azure Retail Prices API (GET /api/retail/prices?api-version=…&$filter=…), for which no emulator exists:
 * answers the documented page shape {BillingCurrency, CustomerEntityId, CustomerEntityType, Items, NextPageLink,
 * Count}, evaluating `eq` clauses joined by `and`, paging `pageSize` items at a time through NextPageLink.
 */

export interface AzureRetailFake {
  endpoint: string;
  requests: string[];
  setItems(items: Array<Record<string, unknown>>): void;
  /** Answers the next request with this status (and Retry-After, for 429). */
  failNext(status: number, retryAfterSeconds?: number): void;
  stop(): Promise<void>;
}

/** A price item as documented (https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices). */
export function retailItem(fields: {
  armSkuName: string; armRegionName: string; unitPrice: number; skuName: string; productName: string;
  type?: 'Consumption' | 'Reservation' | 'DevTestConsumption'; reservationTerm?: '1 Year' | '3 Years'; unitOfMeasure?: string; effectiveStartDate?: string;
}): Record<string, unknown> {
  return {
    currencyCode: 'USD',
    tierMinimumUnits: 0,
    retailPrice: fields.unitPrice,
    unitPrice: fields.unitPrice,
    armRegionName: fields.armRegionName,
    location: fields.armRegionName,
    effectiveStartDate: fields.effectiveStartDate ?? '2026-06-01T00:00:00Z',
    meterId: '00000000-0000-0000-0000-000000000000',
    meterName: fields.skuName,
    productId: 'DZH318Z0BPVW',
    skuId: 'DZH318Z0BPVW/00TG',
    productName: fields.productName,
    skuName: fields.skuName,
    serviceName: 'Virtual Machines',
    serviceId: 'DZH313Z7MMC8',
    serviceFamily: 'Compute',
    unitOfMeasure: fields.unitOfMeasure ?? '1 Hour',
    type: fields.type ?? 'Consumption',
    isPrimaryMeterRegion: true,
    armSkuName: fields.armSkuName,
    ...(fields.reservationTerm ? { reservationTerm: fields.reservationTerm } : {}),
  };
}

function matches(item: Record<string, unknown>, filter: string): boolean {
  for (const clause of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(clause);
    if (!m) throw new Error(`unsupported filter clause: ${clause}`);
    if (String(item[m[1]!] ?? '') !== m[2]!.replace(/''/g, "'")) return false;
  }
  return true;
}

export async function startAzureRetailFake(pageSize = 100): Promise<AzureRetailFake> {
  let items: Array<Record<string, unknown>> = [];
  const requests: string[] = [];
  const failures: Array<{ status: number; retryAfter?: number }> = [];
  let endpoint = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', endpoint);
    requests.push(url.pathname + url.search);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const failure = failures.shift();
    if (failure) return send(failure.status, { Error: { Code: 'TooManyRequests', Message: 'Rate limited' } }, failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {});
    if (req.method !== 'GET' || url.pathname !== '/api/retail/prices') return send(404, { Error: { Code: 'NotFound' } });
    if (!url.searchParams.get('api-version')) return send(400, { Error: { Code: 'BadRequest', Message: 'api-version is required' } });
    let selected: Array<Record<string, unknown>>;
    try {
      const filter = url.searchParams.get('$filter');
      selected = filter ? items.filter((i) => matches(i, filter)) : items;
    } catch (e) {
      return send(400, { Error: { Code: 'BadRequest', Message: String(e) } });
    }
    const skip = Number(url.searchParams.get('$skip') ?? 0);
    const page = selected.slice(skip, skip + pageSize);
    let next: string | null = null;
    if (skip + pageSize < selected.length) {
      const n = new URL(url);
      n.searchParams.set('$skip', String(skip + pageSize));
      next = n.toString();
    }
    send(200, { BillingCurrency: 'USD', CustomerEntityId: 'Default', CustomerEntityType: 'Retail', Items: page, NextPageLink: next, Count: page.length });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    setItems: (next) => { items = next; },
    failNext: (status, retryAfterSeconds) => failures.push({ status, ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}) }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
