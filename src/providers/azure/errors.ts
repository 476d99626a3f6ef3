import { CancelledError, FinOpsError, INTERNAL_FIX, isCancelled, isFinOpsError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { callWithRetry, parseRetryAfter, throttled, type RetryOptions } from '../../core/retry';
import { describeTenant, type AzureOptions } from './config';

interface AzureCallContext {
  options: Pick<AzureOptions, 'tenantId' | 'endpoint' | 'scope'>;
  /** The API in words ("Cost Management Query"). */
  api: string;
  /** The RBAC action the call needs, and the built-in role that grants it. */
  action: string;
  role: string;
}

interface HeadersLike { get(name: string): string | undefined | null }
interface RestErrorLike {
  name?: string;
  code?: string;
  message?: string;
  statusCode?: number;
  response?: { headers?: HeadersLike; status?: number };
  errors?: unknown[];
}

/** Cost Management and Resource Graph name their own Retry-After headers; the longest wait asked for wins. */
const retryAfterHeaders = [
  'retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-entity-retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-clienttype-retry-after',
];

function retryAfterOf(headers: HeadersLike | undefined): number | undefined {
  if (!headers) return undefined;
  let best: number | undefined;
  for (const name of retryAfterHeaders) {
    const ms = parseRetryAfter(headers.get(name));
    if (ms !== undefined) best = Math.max(best ?? 0, ms);
  }
  const ms = parseRetryAfter(headers.get('retry-after-ms') ?? headers.get('x-ms-retry-after-ms'), Date.now(), 'ms');
  if (ms !== undefined) best = Math.max(best ?? 0, ms);
  // Resource Graph: x-ms-user-quota-resets-after: hh:mm:ss
  const resets = headers.get('x-ms-user-quota-resets-after');
  const m = resets ? /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(resets) : null;
  if (m) best = Math.max(best ?? 0, Math.round(((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000));
  return best;
}

/** The sign-in for the tenant: the fix to show and the command to offer. */
function signIn(options: Pick<AzureOptions, 'tenantId'>): { fix: string; command: string } {
  const command = `az login${options.tenantId ? ` --tenant ${options.tenantId}` : ''}`;
  return { fix: `Run \`${command}\` (or sign in with Azure PowerShell / azd), then refresh.`, command };
}

const credentialErrors = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationError', 'AuthenticationRequiredError']);

/** Turns an Azure SDK / identity failure into a FinOpsError with a reason and a fix. */
export function mapAzureError(e: unknown, ctx: AzureCallContext): FinOpsError | CancelledError {
  if (isFinOpsError(e) || isCancelled(e)) return e as FinOpsError | CancelledError;
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as RestErrorLike;
  const name = err.name ?? '';
  const message = err.message ?? String(e);
  const tenant = describeTenant(ctx.options);
  const status = err.statusCode ?? err.response?.status;

  if (name === 'AbortError') return new CancelledError();
  if (credentialErrors.has(name)) {
    if (/AADSTS(700082|50173|50078|50076|70043|50133)|expired|interaction_required|invalid_grant|az login|re-?authenticate/i.test(message) && name !== 'CredentialUnavailableError') {
      return new FinOpsError('auth', `The Azure sign-in for ${tenant} has expired.`, { ...signIn(ctx.options), cause: e });
    }
    if (name === 'AuthenticationRequiredError') {
      return new FinOpsError('auth', `Azure needs you to sign in again to ${tenant}.`, { ...signIn(ctx.options), cause: e });
    }
    return new FinOpsError('usage', `No Azure credentials were found for ${tenant}.`, { ...signIn(ctx.options), fix: `${signIn(ctx.options).fix} DefaultAzureCredential also reads AZURE_CLIENT_ID / AZURE_TENANT_ID and managed identities.`, cause: e });
  }
  if (status === 401) {
    return new FinOpsError('auth', `Azure rejected the sign-in token for ${tenant} (${ctx.api}).`, { ...signIn(ctx.options), cause: e });
  }
  if (status === 403) {
    return new FinOpsError('permission', `Azure denied ${ctx.action} on ${ctx.options.scope || 'the scope'} (${ctx.api}).`, { fix: `Assign the "${ctx.role}" role on the scope (see docs/permissions.md).`, cause: e });
  }
  if (status === 429) {
    return throttled(`Azure is throttling ${ctx.api}.`, { retryAfterMs: retryAfterOf(err.response?.headers), cause: e });
  }
  if (status === 404) {
    return new FinOpsError('input', `${ctx.api}: the scope ${ctx.options.scope || '(none)'} was not found (${err.code ?? 'NotFound'}).`, { fix: 'Check "mlFinops.azure.scope" and that the subscription belongs to the signed-in tenant.', cause: e });
  }
  if (status === 400 || status === 422) {
    return new FinOpsError('input', `${ctx.api} refused the request: ${message}`, { fix: 'Check "mlFinops.azure.scope" and the cost metric against the subscription.', cause: e });
  }
  if (status !== undefined && status >= 500) {
    return new FinOpsError('unavailable', `${ctx.api} failed on the Azure side (HTTP ${status}).`, { fix: 'Try again in a minute.', cause: e });
  }
  if (err.code === 'REQUEST_SEND_ERROR' || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|socket hang up|getaddrinfo|certificate/i.test(`${err.code ?? ''} ${message}`)) {
    return new FinOpsError('unavailable', `Could not reach ${ctx.options.endpoint || 'Azure Resource Manager'} for ${ctx.api}: ${message}`, { fix: 'Check the network connection, a proxy, or "mlFinops.azure.endpoint".', cause: e });
  }
  return new FinOpsError('internal', `${ctx.api} failed: ${name ? `${name}: ` : ''}${message}`, { fix: INTERNAL_FIX, cause: e });
}

/** One Azure SDK call with the product's retry policy and its errors mapped to FinOpsError reasons (scope, action, role). */
export function callAzure<T>(ctx: AzureCallContext, send: () => Promise<T>, options: { signal?: AbortSignal; log?: Logger; retry?: Omit<RetryOptions, 'signal' | 'log' | 'what'> }): Promise<T> {
  return callWithRetry(send, { ...options.retry, signal: options.signal, log: options.log, what: ctx.api, mapError: (e) => mapAzureError(e, ctx) });
}
