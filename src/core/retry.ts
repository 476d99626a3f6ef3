import { CancelledError, FinOpsError, isFinOpsError } from './errors';
import { throwIfAborted, type Logger } from './ports';

/**
 * Retrying throttled and briefly unavailable cloud calls: capped exponential backoff with full jitter
 * (the AWS Architecture Blog's "Exponential Backoff And Jitter"), and a server's Retry-After honoured when given.
 */

/** The default fix of a throttled answer. */
const THROTTLED_FIX = 'Wait a minute and refresh; the request is retried automatically.';

/** A throttled answer (HTTP 429 / 503 with Retry-After, SDK throttling errors), with how long the server asked to wait. */
export function throttled(message: string, options: { retryAfterMs?: number | undefined; fix?: string; cause?: unknown } = {}): FinOpsError {
  return new FinOpsError('throttled', message, {
    fix: options.fix ?? THROTTLED_FIX,
    ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}),
    ...(options.cause !== undefined ? { cause: options.cause } : {}),
  });
}

export interface RetryOptions {
  /** Attempts in all, the first included (default 5). */
  attempts?: number;
  /** First backoff ceiling in ms (default 500); doubles each attempt. */
  baseMs?: number;
  /** Largest backoff in ms (default 20 000). A Retry-After longer than `maxRetryAfterMs` is not waited for. */
  maxMs?: number;
  /** Longest Retry-After honoured, in ms (default 60 000); longer ones fail at once with the throttled error. */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  log?: Logger;
  /** What is being retried, for the log ("Cost Explorer GetCostAndUsage"). */
  what?: string;
  /** Which failures are worth another attempt; default: throttled and unavailable FinOpsErrors. */
  retryable?: (e: unknown) => boolean;
  /** Random source in [0, 1) and sleep, replaceable in tests. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

function isRetryable(e: unknown): boolean {
  return isFinOpsError(e, 'throttled') || isFinOpsError(e, 'unavailable');
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): full jitter within the capped exponential ceiling. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses an HTTP Retry-After value (delta-seconds or an HTTP date) into ms, or undefined when absent or unreadable.
 * `retry-after-ms` / `x-ms-retry-after-ms` style values are passed with `unit: 'ms'`.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now(), unit: 's' | 'ms' = 's'): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * (unit === 's' ? 1000 : 1));
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn` until it succeeds, fails with a non-retryable error, or the attempts run out (then the last error is thrown). */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5);
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 20_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const retryable = options.retryable ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= attempts || !retryable(e)) throw e;
      const asked = isFinOpsError(e, 'throttled') ? e.retryAfterMs : undefined;
      if (asked !== undefined && asked > maxRetryAfterMs) throw e;
      // The server's Retry-After is a floor; a little jitter on top keeps many clients from returning at once.
      const wait = asked !== undefined ? asked + Math.floor(random() * Math.min(1000, baseMs)) : backoffDelay(attempt, baseMs, maxMs, random);
      options.log?.warn(`${options.what ?? 'Request'} ${isFinOpsError(e) ? e.reason : 'failed'}; retry ${attempt}/${attempts - 1} in ${wait} ms${asked !== undefined ? ' (Retry-After)' : ''}`);
      await sleep(wait, options.signal);
    }
  }
}

/**
 * One call to a service with the product's retry policy: throttling and brief outages are retried with backoff,
 * every failure is mapped by `mapError` (the provider's FinOpsError mapping), a call the signal aborted is a
 * cancellation whatever the library threw.
 */
export function callWithRetry<T>(send: () => Promise<T>, options: RetryOptions & { mapError: (e: unknown) => Error }): Promise<T> {
  const { mapError, ...retry } = options;
  return withRetry(async () => {
    try {
      return await send();
    } catch (e) {
      throw options.signal?.aborted ? new CancelledError() : mapError(e);
    }
  }, retry);
}

/**
 * A paged answer, every page: `fetch(token)` returns a page and the token of the next one (none: the last page).
 * More than `maxPages` pages fail with `tooMany()` (the question is too detailed for the service).
 */
export async function allPages<P, Token = string>(
  fetch: (token: Token | undefined) => Promise<{ page: P; next?: Token | null | undefined }>,
  limit?: { maxPages: number; tooMany: () => Error },
): Promise<P[]> {
  const pages: P[] = [];
  let token: Token | undefined;
  do {
    const { page, next } = await fetch(token);
    pages.push(page);
    token = next ?? undefined;
    if (token !== undefined && limit && pages.length >= limit.maxPages) throw limit.tooMany();
  } while (token !== undefined);
  return pages;
}
