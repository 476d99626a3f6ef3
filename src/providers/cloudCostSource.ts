import { RequestMeter } from '../core/cache/requestMeter';
import type { CostQuery, CostResult } from '../core/cost/model';
import { silentLogger, throwIfAborted, type Logger } from '../core/ports';
import type { CostSource } from '../core/sources';
import { checkPeriod } from './queryCheck';

/**
 * What the cloud cost sources (Cost Explorer, Athena, Cost Management, BigQuery) share: the log, the meter that
 * counts billable requests, one SDK client built on first use (the SDK is loaded then, not at activation), and
 * the checks every query passes before a request is made.
 */
export abstract class CloudCostSource<Client> implements CostSource {
  protected readonly log: Logger;
  protected readonly meter: RequestMeter;
  private client?: Promise<Client>;

  constructor(readonly id: string, readonly label: string, options: { log?: Logger; meter?: RequestMeter }) {
    this.log = options.log ?? silentLogger;
    this.meter = options.meter ?? new RequestMeter(this.log);
  }

  /** Loads the SDK and builds its client; called once, by the first query that needs it. */
  protected abstract createClient(): Promise<Client>;

  protected getClient(): Promise<Client> {
    this.client ??= this.createClient();
    return this.client;
  }

  async query(query: CostQuery, signal?: AbortSignal): Promise<CostResult> {
    throwIfAborted(signal);
    checkPeriod(query, this.label);
    return this.answer(query, signal);
  }

  /** Answers a query already checked (an ISO period, not aborted). */
  protected abstract answer(query: CostQuery, signal?: AbortSignal): Promise<CostResult>;
}
