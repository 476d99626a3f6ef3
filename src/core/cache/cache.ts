import type { z } from 'zod';

/**
 * A store of answers (cost queries, live prices) keyed by any JSON value, used by the core and the providers
 * without knowing where it keeps them. src/providers/diskCache.ts keeps them on disk.
 */
export interface CacheHit<T> {
  value: T;
  /** When the answer was stored (ms since the epoch). */
  storedAt: number;
}

export interface AnswerCache {
  /** False when caching is turned off: nothing is read or written. */
  readonly enabled: boolean;
  /** The fresh entry for `key`, validated with `schema`; undefined when absent, stale (stored before `notBefore`) or invalid. */
  get<T>(namespace: string, key: unknown, schema: z.ZodType<T>, notBefore?: number): Promise<CacheHit<T> | undefined>;
  /** Stores `value` for `key`. */
  set(namespace: string, key: unknown, value: unknown): Promise<void>;
}
