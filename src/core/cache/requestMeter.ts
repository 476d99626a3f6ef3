import type { Logger } from '../ports';
import { silentLogger } from '../ports';

/**
 * Counts the requests that cost the user money (Cost Explorer charges USD 0.01 per request; BigQuery and Athena
 * charge by bytes scanned) and writes each batch, with the running total, to the log.
 */
interface BillableCall {
  /** The source that paid ("aws"), the API call ("Cost Explorer GetCostAndUsage"), how many requests. */
  source: string;
  api: string;
  requests: number;
  /** Price of one request in USD, when the API charges per request. */
  unitPriceUsd?: number;
  /** Extra detail for the log line ("12.3 MB scanned"). */
  detail?: string;
}

export class RequestMeter {
  private readonly counts = new Map<string, number>();
  private readonly spend = new Map<string, number>();

  constructor(private readonly log: Logger = silentLogger) {}

  record(call: BillableCall): void {
    const key = `${call.source}:${call.api}`;
    const total = (this.counts.get(key) ?? 0) + call.requests;
    this.counts.set(key, total);
    const price = call.unitPriceUsd;
    const cost = price === undefined ? undefined : call.requests * price;
    if (cost !== undefined) this.spend.set(key, (this.spend.get(key) ?? 0) + cost);
    const money = cost === undefined ? '' : ` (USD ${cost.toFixed(2)}; USD ${(this.spend.get(key) ?? 0).toFixed(2)} this session)`;
    this.log.info(`${call.api}: ${call.requests} billable request${call.requests === 1 ? '' : 's'}${money}, ${total} this session${call.detail ? `; ${call.detail}` : ''}`);
  }

  /** Billable requests made so far for a source (and API, when given). */
  count(source: string, api?: string): number {
    let n = 0;
    for (const [key, v] of this.counts) {
      const [s, a] = splitKey(key);
      if (s === source && (api === undefined || a === api)) n += v;
    }
    return n;
  }

  /** Every request counted so far. */
  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf(':');
  return [key.slice(0, i), key.slice(i + 1)];
}
