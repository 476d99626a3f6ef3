import { z } from 'zod';
import type { CostQuery, CostResult } from '../core/cost/model';
import type { AnswerCache } from '../core/cache/cache';
import { stableStringify } from '../core/cache/stableHash';
import type { Logger } from '../core/ports';
import { silentLogger } from '../core/ports';
import type { CostQueryOptions, CostSource } from '../core/sources';

/** The shape of a cached CostResult, checked on every read (a file edited or written by another version is ignored). */
const groupKey = z.string().min(1);
const costResultSchema = z.object({
  query: z.object({
    period: z.object({ start: z.string(), end: z.string() }),
    granularity: z.enum(['daily', 'monthly', 'total']),
    groupBy: z.array(groupKey),
    filters: z.array(z.object({ key: groupKey, values: z.array(z.string().nullable()) })).optional(),
    metric: z.enum(['BilledCost', 'EffectiveCost', 'ListCost']),
    usageHours: z.boolean().optional(),
  }),
  rows: z.array(z.object({
    groups: z.record(z.string(), z.string().nullable()),
    period: z.string(),
    cost: z.number(),
    currency: z.string(),
    hours: z.number().optional(),
  })),
  source: z.string(),
  fetchedAt: z.string(),
  fromCache: z.boolean().optional(),
}) as unknown as z.ZodType<CostResult>;

/**
 * A CostSource answered from the disk cache when an identical query (same source, same account settings,
 * same CostQuery) was answered within the TTL: no request is made, so a billed API (Cost Explorer: USD 0.01 a
 * request) is not billed again. Identical queries running at the same time share one request.
 */
export class CachedCostSource implements CostSource {
  readonly id: string;
  readonly label: string;
  private notBefore = 0;
  private readonly inFlight = new Map<string, Promise<CostResult>>();

  constructor(
    private readonly inner: CostSource,
    private readonly cache: AnswerCache,
    /** What else decides the answer (profile, account, scope, table, endpoint): part of the key, never secret. */
    private readonly fingerprint: Record<string, string>,
    private readonly log: Logger = silentLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.id = inner.id;
    this.label = inner.label;
  }

  /** Makes every entry stored until now stale: the next query of each kind goes to the source. */
  invalidate(): void {
    this.notBefore = this.now();
  }

  async query(query: CostQuery, signal?: AbortSignal, options?: CostQueryOptions): Promise<CostResult> {
    const key = { source: this.inner.id, fingerprint: this.fingerprint, query: normaliseQuery(query) };
    const keyText = stableStringify(key);
    const running = this.inFlight.get(keyText);
    if (running && !options?.refresh) return running;
    const work = this.answer(key, query, signal, options);
    this.inFlight.set(keyText, work);
    try {
      return await work;
    } finally {
      if (this.inFlight.get(keyText) === work) this.inFlight.delete(keyText);
    }
  }

  private async answer(key: object, query: CostQuery, signal: AbortSignal | undefined, options?: CostQueryOptions): Promise<CostResult> {
    if (!options?.refresh) {
      const hit = await this.cache.get(this.inner.id, key, costResultSchema, this.notBefore);
      if (hit) {
        this.log.info(`${this.inner.label}: answered from the cache (stored ${new Date(hit.storedAt).toISOString()}), 0 billable requests`);
        return { ...hit.value, fromCache: true };
      }
    }
    const result = await this.inner.query(query, signal);
    try {
      await this.cache.set(this.inner.id, key, { ...result, fromCache: false });
    } catch (e) {
      this.log.warn(`${this.inner.label}: could not write the cost cache: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { ...result, fromCache: false };
  }
}

/** The parts of a query that change its answer, in a canonical order (filter values sorted, empty filters dropped). */
function normaliseQuery(q: CostQuery): CostQuery {
  const filters = (q.filters ?? [])
    .map((f) => ({ key: f.key, values: [...f.values].sort((a, b) => String(a).localeCompare(String(b))) }))
    .sort((a, b) => a.key.localeCompare(b.key));
  return { period: q.period, granularity: q.granularity, groupBy: [...q.groupBy], metric: q.metric, ...(filters.length ? { filters } : {}), ...(q.usageHours ? { usageHours: true } : {}) };
}
