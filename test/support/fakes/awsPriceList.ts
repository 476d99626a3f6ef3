import { createServer, type Server } from 'node:http';
import { forward, withBody } from './http';
import type { AddressInfo } from 'node:net';

/**
 * The AWS Price List Query API (service "AWSPriceListService", JSON 1.1), which moto does not emulate:
 * GetProducts with TERM_MATCH filters and MaxResults / NextToken paging, answering `PriceList` as an array of
 * JSON documents in strings (as documented), and DescribeServices. Every other request (EC2, CloudWatch …) is
 * forwarded unchanged to `upstream` (moto), so one endpoint serves the product's whole AWS configuration.
 */

export interface ReservedTermSpec {
  lease: '1yr' | '3yr';
  offeringClass: 'standard' | 'convertible';
  purchase: 'No Upfront' | 'Partial Upfront' | 'All Upfront';
  upfront: number;
  hourly: number;
}

export interface Ec2ProductSpec {
  instanceType: string;
  regionCode: string;
  onDemand: number;
  reserved?: ReservedTermSpec[];
  attributes?: Record<string, string>;
  /** Override of the document's OS (Windows products must be filtered out by the query). */
  operatingSystem?: string;
  effectiveDate?: string;
}

let skuSeq = 0;

/** One Price List document for an EC2 product, in the documented shape (product, serviceCode, terms, version, publicationDate). */
export function ec2PriceDocument(spec: Ec2ProductSpec): Record<string, unknown> {
  const sku = `FAKESKU${String(++skuSeq).padStart(8, '0')}`;
  const effectiveDate = spec.effectiveDate ?? '2026-11-01T00:00:00Z';
  const reserved: Record<string, unknown> = {};
  (spec.reserved ?? []).forEach((r, i) => {
    const code = `RSV${i}CODE`;
    const dims: Record<string, unknown> = {
      [`${sku}.${code}.6YS6EN2CT7`]: {
        unit: 'Hrs', endRange: 'Inf', beginRange: '0', appliesTo: [], rateCode: `${sku}.${code}.6YS6EN2CT7`,
        description: `${spec.instanceType} reserved instance applied`, pricePerUnit: { USD: r.hourly.toFixed(10) },
      },
    };
    if (r.purchase !== 'No Upfront') {
      dims[`${sku}.${code}.2TG2D8R56U`] = { unit: 'Quantity', appliesTo: [], rateCode: `${sku}.${code}.2TG2D8R56U`, description: 'Upfront Fee', pricePerUnit: { USD: String(r.upfront) } };
    }
    reserved[`${sku}.${code}`] = {
      offerTermCode: code, sku, effectiveDate, priceDimensions: dims,
      termAttributes: { LeaseContractLength: r.lease, OfferingClass: r.offeringClass, PurchaseOption: r.purchase },
    };
  });
  return {
    product: {
      productFamily: 'Compute Instance',
      sku,
      attributes: {
        servicecode: 'AmazonEC2', instanceType: spec.instanceType, regionCode: spec.regionCode, location: spec.regionCode,
        operatingSystem: spec.operatingSystem ?? 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used',
        licenseModel: 'No License required', ...spec.attributes,
      },
    },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          offerTermCode: 'JRTCKXETXF', sku, effectiveDate, termAttributes: {},
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
              unit: 'Hrs', endRange: 'Inf', beginRange: '0', appliesTo: [], rateCode: `${sku}.JRTCKXETXF.6YS6EN2CT7`,
              description: `$${spec.onDemand} per On Demand Linux ${spec.instanceType} Instance Hour`, pricePerUnit: { USD: spec.onDemand.toFixed(10) },
            },
          },
        },
      },
      ...(spec.reserved?.length ? { Reserved: reserved } : {}),
    },
    version: '20261101000000',
    publicationDate: '2026-11-01T00:00:00Z',
  };
}

export interface AwsPriceListFake {
  endpoint: string;
  /** Operations received (GetProducts, DescribeServices, or the upstream's for forwarded requests). */
  requests: Array<{ operation: string; body: unknown }>;
  setProducts(docs: Array<Record<string, unknown>>): void;
  /** Answers the next GetProducts with this HTTP status and AWS error type. */
  failNext(status: number, type: string, message: string): void;
  stop(): Promise<void>;
}

interface Filter { Type?: string; Field?: string; Value?: string }

export async function startAwsPriceListFake(upstream?: string): Promise<AwsPriceListFake> {
  let products: Array<Record<string, unknown>> = [];
  const requests: AwsPriceListFake['requests'] = [];
  const failures: Array<{ status: number; type: string; message: string }> = [];
  const server: Server = createServer((req, res) => {
    withBody(req, (body) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const send = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `fake-${requests.length}`, ...extra });
        res.end(JSON.stringify(payload));
      };
      if (target.startsWith('AWSPriceListService.')) {
        const operation = target.split('.')[1] ?? '';
        let input: Record<string, unknown> = {};
        try {
          input = body.length ? JSON.parse(body.toString('utf8')) as Record<string, unknown> : {};
        } catch {
          return send(400, { __type: 'SerializationException', message: 'bad JSON' });
        }
        requests.push({ operation, body: input });
        const failure = failures.shift();
        if (failure) return send(failure.status, { __type: failure.type, message: failure.message }, { 'x-amzn-errortype': failure.type });
        if (operation === 'DescribeServices') {
          return send(200, { FormatVersion: 'aws_v1', Services: [{ ServiceCode: 'AmazonEC2', AttributeNames: ['instanceType', 'regionCode', 'operatingSystem', 'tenancy', 'preInstalledSw', 'capacitystatus'] }] });
        }
        if (operation === 'GetProducts') {
          const filters = (input.Filters as Filter[] | undefined) ?? [];
          const matching = products.filter((p) => {
            if (p.serviceCode !== input.ServiceCode) return false;
            const attrs = ((p.product as { attributes?: Record<string, string> }).attributes) ?? {};
            return filters.every((f) => f.Type === 'TERM_MATCH' && f.Field !== undefined && attrs[f.Field] === f.Value);
          });
          const size = Math.min(100, Number(input.MaxResults ?? 100));
          const offset = input.NextToken ? Number(String(input.NextToken).replace('page-', '')) : 0;
          const page = matching.slice(offset, offset + size);
          const next = offset + size < matching.length ? `page-${offset + size}` : undefined;
          return send(200, { FormatVersion: 'aws_v1', PriceList: page.map((p) => JSON.stringify(p)), ...(next ? { NextToken: next } : {}) });
        }
        return send(400, { __type: 'InvalidParameterException', message: `Unknown operation ${operation}` });
      }
      if (!upstream) return send(404, { message: 'no upstream' });
      const action = /(?:^|&)Action=([^&]+)/.exec(body.toString('utf8'))?.[1];
      requests.push({ operation: target.split('.').pop() || action || req.url || '', body: undefined });
      forward(new URL(upstream), req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setProducts: (docs) => { products = docs; },
    failNext: (status, type, message) => failures.push({ status, type, message }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
