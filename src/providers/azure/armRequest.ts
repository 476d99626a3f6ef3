import type { Logger } from '../../core/ports';
import { callWithRetry } from '../../core/retry';
import { armEndpoint, azureCredential, type AzureOptions } from './config';
import { mapAzureError } from './errors';

/** An Azure Resource Manager error answer: its HTTP status and ARM error code, for the error mapper. */
export class ArmHttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.statusCode = status;
    this.code = code;
  }
}

export type ArmOptions = Pick<AzureOptions, 'endpoint' | 'credential'> & { tenantId?: string };

export interface ArmCall {
  method: string;
  /** The resource (or collection) path: `/subscriptions/…`. */
  id: string;
  apiVersion: string;
  /** More query parameters (`$filter`), each value URI-encoded. */
  query?: Record<string, string>;
  /** A page's `nextLink`, requested as given (it carries the api-version and the skip token) instead of `id`. */
  nextLink?: string;
  body?: unknown;
  api: string;
  action: string;
  role: string;
  /** The scope an error names (default: `id`). */
  scope?: string;
}

/** The URL of an ARM call: `{endpoint}{id}?api-version=…[&$filter=…]`, or the nextLink as given. */
export function armUrl(options: Pick<ArmOptions, 'endpoint'>, call: Pick<ArmCall, 'id' | 'apiVersion' | 'query' | 'nextLink'>): string {
  if (call.nextLink) return call.nextLink;
  const more = Object.entries(call.query ?? {}).map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('');
  return `${armEndpoint(options)}${call.id}?api-version=${call.apiVersion}${more}`;
}

/**
 * One Azure Resource Manager REST call (`{endpoint}{id}?api-version=…`) with a bearer token from the credential
 * chain, JSON in and out; GETs are retried, changes are not. Failures become FinOpsErrors naming the API, the RBAC
 * action and the role that grants it. A caller paging through nextLinks passes one `credential` for every page.
 */
export async function armRequest(
  options: ArmOptions,
  call: ArmCall,
  context: { log: Logger; signal?: AbortSignal | undefined },
): Promise<unknown> {
  const { signal, log } = context;
  const credential = await azureCredential({ scope: '', endpoint: options.endpoint, tenantId: options.tenantId ?? '', ...(options.credential ? { credential: options.credential } : {}) });
  const send = async () => {
    const token = await credential.getToken('https://management.azure.com/.default');
    const r = await fetch(armUrl(options, call), {
      method: call.method, ...(signal ? { signal } : {}),
      headers: { authorization: `Bearer ${token?.token ?? ''}`, ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    });
    const text = await r.text();
    if (!r.ok) {
      let code = '';
      let message = text.slice(0, 300);
      try { const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error; code = e?.code ?? ''; message = e?.message ?? message; } catch { /* not JSON */ }
      throw Object.assign(new ArmHttpError(r.status, code, message), { response: { status: r.status, headers: { get: (n: string) => r.headers.get(n) } } });
    }
    return text ? JSON.parse(text) as unknown : {};
  };
  return callWithRetry(send, {
    attempts: call.method === 'GET' ? 3 : 1, ...(signal ? { signal } : {}), log, what: call.api,
    mapError: (e) => mapAzureError(e, { options: { endpoint: options.endpoint, scope: call.scope ?? call.id, tenantId: options.tenantId ?? '' }, api: call.api, action: call.action, role: call.role }),
  });
}
