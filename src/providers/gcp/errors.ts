import { CancelledError, FinOpsError, INTERNAL_FIX, isCancelled, isFinOpsError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { allPages, callWithRetry, parseRetryAfter, throttled, type RetryOptions } from '../../core/retry';

interface GcpCallContext {
  projectId: string;
  endpoint?: string;
  /** The API in words ("BigQuery jobs.query"). */
  api: string;
  /** The IAM permission and the predefined role that grants it. */
  permission: string;
  role: string;
  /** The service to enable when the API is off (default: chosen from the API's name). */
  service?: string;
  /** What to check when the request is refused as invalid or names something that does not exist. */
  inputFix?: string;
}

interface GoogleErrorLike {
  name?: string;
  code?: number | string;
  status?: number | string;
  message?: string;
  reason?: string;
  errors?: { reason?: string; message?: string }[];
  response?: { status?: number; headers?: Record<string, string> | { get?(n: string): string | null }; data?: { error?: string | { status?: string } } };
}

/** gRPC status codes (what gax reports, also over REST). */
const GRPC = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, UNAUTHENTICATED: 16, DEADLINE_EXCEEDED: 4 } as const;

const LOGIN = 'gcloud auth application-default login';
const loginFix = `Run \`${LOGIN}\`, then refresh.`;

function header(err: GoogleErrorLike, name: string): string | undefined {
  const h = err.response?.headers;
  if (!h) return undefined;
  if (typeof (h as { get?: unknown }).get === 'function') return (h as { get(n: string): string | null }).get(name) ?? undefined;
  return (h as Record<string, string>)[name];
}

/** Turns a Google client / auth failure into a FinOpsError with a reason and a fix. */
function mapGoogleError(e: unknown, ctx: GcpCallContext): FinOpsError | CancelledError {
  if (isFinOpsError(e) || isCancelled(e)) return e as FinOpsError | CancelledError;
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as GoogleErrorLike;
  const message = err.message ?? String(e);
  const reasons = (err.errors ?? []).map((x) => x.reason ?? '');
  const httpStatus = typeof err.code === 'number' && err.code >= 100 ? err.code : err.response?.status;
  const grpc = typeof err.code === 'number' && err.code < 100 ? err.code : undefined;
  const authError = typeof err.response?.data?.error === 'string' ? err.response.data.error : undefined;

  if (err.name === 'AbortError') return new CancelledError();
  if (/could not load the default credentials|unable to detect a project id/i.test(message)) {
    return new FinOpsError('usage', 'No Google Cloud Application Default Credentials were found.', { fix: `${loginFix} Or set GOOGLE_APPLICATION_CREDENTIALS.`, command: LOGIN, cause: e });
  }
  if (authError === 'invalid_grant' || /invalid_grant|invalid_rapt|reauth|token has been expired or revoked/i.test(message)) {
    return new FinOpsError('auth', 'The Google Cloud sign-in (Application Default Credentials) has expired.', { fix: loginFix, command: LOGIN, cause: e });
  }
  if (/quota project/i.test(message)) {
    return new FinOpsError('usage', `${ctx.api} needs a quota project for user credentials.`, { fix: `Run \`gcloud auth application-default set-quota-project ${ctx.projectId || '<project>'}\`.`, cause: e });
  }
  if (httpStatus === 401 || grpc === GRPC.UNAUTHENTICATED) {
    return new FinOpsError('auth', `Google Cloud rejected the credentials for ${ctx.api}.`, { fix: loginFix, command: LOGIN, cause: e });
  }
  // BigQuery reports rate limits as 403 with reason rateLimitExceeded / quotaExceeded.
  if (httpStatus === 429 || grpc === GRPC.RESOURCE_EXHAUSTED || reasons.some((r) => r === 'rateLimitExceeded' || r === 'quotaExceeded')) {
    return throttled(`Google Cloud is throttling ${ctx.api}.`, { retryAfterMs: parseRetryAfter(header(err, 'retry-after')), cause: e });
  }
  if (httpStatus === 403 || grpc === GRPC.PERMISSION_DENIED || reasons.includes('accessDenied')) {
    if (/has not been used|is disabled|SERVICE_DISABLED/i.test(message)) {
      return new FinOpsError('usage', `${ctx.api}: the API is not enabled in project ${ctx.projectId}.`, { fix: `Enable it: \`gcloud services enable ${ctx.service ?? (/asset/i.test(ctx.api) ? 'cloudasset.googleapis.com' : /budget/i.test(ctx.api) ? 'billingbudgets.googleapis.com' : /billing/i.test(ctx.api) ? 'cloudbilling.googleapis.com' : 'bigquery.googleapis.com')} --project ${ctx.projectId}\`.`, cause: e });
    }
    return new FinOpsError('permission', `Google Cloud denied ${ctx.permission} (${ctx.api}, project ${ctx.projectId || '(none)'}).`, { fix: `Grant "${ctx.role}" (see docs/permissions.md).`, cause: e });
  }
  if (httpStatus === 404 || grpc === GRPC.NOT_FOUND || reasons.includes('notFound')) {
    return new FinOpsError('input', `${ctx.api}: ${message}`, { fix: ctx.inputFix ?? 'Check "mlFinops.gcp.billingTable" (project.dataset.table) and "mlFinops.gcp.projectId".', cause: e });
  }
  if (httpStatus === 400 || grpc === GRPC.INVALID_ARGUMENT || reasons.some((r) => /invalid/.test(r))) {
    return new FinOpsError('input', `${ctx.api} refused the request: ${message}`, { fix: ctx.inputFix ?? 'Check the "mlFinops.gcp.*" settings (project, billing table) against the project.', cause: e });
  }
  if ((httpStatus !== undefined && httpStatus >= 500) || reasons.includes('backendError') || grpc === GRPC.UNAVAILABLE || grpc === GRPC.DEADLINE_EXCEEDED) {
    return new FinOpsError('unavailable', `${ctx.api} failed on the Google side.`, { fix: 'Try again in a minute.', cause: e });
  }
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|socket hang up|getaddrinfo|fetch failed/i.test(`${String(err.code ?? '')} ${message}`)) {
    return new FinOpsError('unavailable', `Could not reach ${ctx.endpoint || 'Google Cloud'} for ${ctx.api}.`, { fix: 'Check the network connection, a proxy, or "mlFinops.gcp.endpoint".', cause: e });
  }
  return new FinOpsError('internal', `${ctx.api} failed: ${message}`, { fix: INTERNAL_FIX, cause: e });
}

/**
 * One Google client call with the product's retry policy and its errors mapped to FinOpsError reasons (project,
 * permission, role). The call is given up as soon as the signal aborts (the client's own request may finish later).
 */
export function callGoogle<T>(ctx: GcpCallContext, send: () => Promise<T>, options: { signal?: AbortSignal; log?: Logger; retry?: Omit<RetryOptions, 'signal' | 'log' | 'what'> }): Promise<T> {
  return callWithRetry(() => abortable(send(), options.signal), { ...options.retry, signal: options.signal, log: options.log, what: ctx.api, mapError: (e) => mapGoogleError(e, ctx) });
}

/** Rejects as soon as the signal aborts. */
function abortable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

type GaxRequest = Record<string, unknown>;

/**
 * Every item of a gax list call (`autoPaginate: false`): each page is one retried call, the next request comes
 * back with the page, and the items of all pages are returned in order.
 */
export async function listAll(
  ctx: GcpCallContext,
  first: GaxRequest,
  list: (request: GaxRequest) => Promise<[unknown[] | null | undefined, unknown, ...unknown[]]>,
  options: { signal?: AbortSignal; log?: Logger; retry?: Omit<RetryOptions, 'signal' | 'log' | 'what'> },
): Promise<unknown[]> {
  const pages = await allPages<unknown[], GaxRequest>(async (request) => {
    const [items, next] = await callGoogle(ctx, () => list(request ?? first), options);
    return { page: items ?? [], next: (next as GaxRequest | null | undefined) ?? undefined };
  });
  return pages.flat();
}
