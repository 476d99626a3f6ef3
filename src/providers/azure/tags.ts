import type { Pipeline } from '@azure/core-rest-pipeline';
import { z } from 'zod';
import { describeError, FinOpsError, INTERNAL_FIX, isCancelled, isFinOpsError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports';
import { callWithRetry, type RetryOptions } from '../../core/retry';
import type { Resource } from '../../core/sources';
import type { TagOutcome } from '../../core/tagging/plan';
import type { TagWrite, TagWriter } from '../../core/tagging/writer';
import { armEndpoint, azureCredential, type AzureOptions } from './config';
import { mapAzureError } from './errors';

/** The Resources API version of Tags - Get / Update At Scope. */
const API_VERSION = '2021-04-01';
const API = 'Azure Resource Manager Tags - Update At Scope';
const ACTION = 'Microsoft.Resources/tags/write';
const ROLE = 'Tag Contributor';

const tagsResource = z.object({ properties: z.object({ tags: z.record(z.string(), z.string()).nullish() }).nullish() });

interface AzureTagOptions extends Pick<AzureOptions, 'endpoint' | 'credential' | 'agent'> {
  tenantId?: string;
  log?: Logger;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random' | 'maxRetryAfterMs'>;
}

/** An Azure resource id (`/subscriptions/<id>/resourceGroups/<rg>/providers/<ns>/<type>/<name>`), or undefined. */
export function parseAzureResourceId(id: string): { subscriptionId: string; resourceGroup?: string; name: string } | undefined {
  const m = /^\/subscriptions\/([0-9a-fA-F-]{36})(?:\/resourceGroups\/([^/]+))?(?:\/providers\/[^/]+(?:\/[^/]+\/[^/]+)+)?$/i.exec(id.replace(/\/+$/, ''));
  if (!m) return undefined;
  return { subscriptionId: m[1]!, ...(m[2] ? { resourceGroup: m[2] } : {}), name: id.split('/').filter(Boolean).pop()! };
}

/**
 * Tags running Azure resources with Tags - Update At Scope (`PATCH {resource id}/providers/Microsoft.Resources/tags/
 * default`, operation Merge: the keys given are added or replaced, every other tag is kept). Needs
 * Microsoft.Resources/tags/write on the resource (the Tag Contributor role), not write access to the resource itself.
 */
export class AzureTagWriter implements TagWriter {
  readonly cloud = 'azure' as const;
  readonly label: string;
  private readonly log: Logger;
  private pipeline?: Promise<{ pipeline: Pipeline; send: (method: 'GET' | 'PATCH', id: string, body: unknown, signal?: AbortSignal) => Promise<unknown> }>;

  constructor(private readonly options: AzureTagOptions) {
    this.label = `Azure Resource Manager tags (${armEndpoint(options)})`;
    this.log = options.log ?? silentLogger;
  }

  private client() {
    this.pipeline ??= (async () => {
      const { bearerTokenAuthenticationPolicy, createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest } = await import('@azure/core-rest-pipeline');
      const credential = await azureCredential({ scope: '', endpoint: this.options.endpoint, tenantId: this.options.tenantId ?? '', ...(this.options.credential ? { credential: this.options.credential } : {}) });
      const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 } });
      pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: 'https://management.azure.com/.default' }));
      const http = createDefaultHttpClient();
      const base = armEndpoint(this.options);
      const send = async (method: 'GET' | 'PATCH', id: string, body: unknown, signal?: AbortSignal): Promise<unknown> => {
        const url = `${base}${id.replace(/\/+$/, '')}/providers/Microsoft.Resources/tags/default?api-version=${API_VERSION}`;
        const request = createPipelineRequest({
          url, method, abortSignal: signal, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          headers: createHttpHeaders({ 'content-type': 'application/json; charset=utf-8', accept: 'application/json' }),
          ...(this.options.agent ? { agent: this.options.agent } : {}),
        });
        const response = await pipeline.sendRequest(http, request);
        const text = response.bodyAsText ?? '';
        if (response.status >= 400) {
          let code: string | undefined;
          let message = text;
          try {
            const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
            code = parsed.error?.code;
            message = parsed.error?.message ?? text;
          } catch { /* not JSON */ }
          throw Object.assign(new Error(message || `HTTP ${response.status}`), { statusCode: response.status, code, response: { status: response.status, headers: { get: (n: string) => response.headers.get(n) } } });
        }
        return text ? JSON.parse(text) : {};
      };
      return { pipeline, send };
    })();
    return this.pipeline;
  }

  private async call(method: 'GET' | 'PATCH', id: string, body: unknown, signal?: AbortSignal): Promise<Record<string, string>> {
    const { send } = await this.client();
    const ctx = { options: { tenantId: this.options.tenantId ?? '', endpoint: this.options.endpoint, scope: id }, api: method === 'GET' ? 'Azure Resource Manager Tags - Get At Scope' : API, action: method === 'GET' ? 'Microsoft.Resources/tags/read' : ACTION, role: ROLE };
    const raw = await callWithRetry(() => send(method, id, body, signal), { ...this.options.retry, signal, log: this.log, what: ctx.api, mapError: (e) => mapAzureError(e, ctx) });
    const parsed = tagsResource.safeParse(raw);
    if (!parsed.success) throw new FinOpsError('internal', `${ctx.api} returned an unexpected answer.`, { fix: INTERNAL_FIX });
    return { ...(parsed.data.properties?.tags ?? {}) };
  }

  async read(ids: readonly string[], signal?: AbortSignal): Promise<Resource[]> {
    const out: Resource[] = [];
    for (const id of ids) {
      const ref = parseAzureResourceId(id);
      if (!ref) continue;
      const tags = await this.call('GET', id, undefined, signal);
      out.push({ provider: 'Microsoft', id, type: id.split('/providers/')[1]?.split('/').slice(0, 2).join('/').toLowerCase() ?? 'resource', name: ref.name, tags, attributes: { account: ref.subscriptionId.toLowerCase() } });
    }
    return out;
  }

  async write(items: readonly TagWrite[], signal?: AbortSignal): Promise<TagOutcome[]> {
    const out: TagOutcome[] = [];
    for (const item of items) {
      if (!parseAzureResourceId(item.id)) {
        out.push({ id: item.id, ok: false, error: `"${item.id}" is not an Azure resource id (/subscriptions/<id>/resourceGroups/<rg>/providers/…). Give the resource's id as the portal's JSON view shows it.` });
        continue;
      }
      try {
        await this.call('PATCH', item.id, { operation: 'Merge', properties: { tags: item.tags } }, signal);
        out.push({ id: item.id, ok: true });
      } catch (e) {
        if (isCancelled(e) || isFinOpsError(e, 'auth') || isFinOpsError(e, 'usage')) throw e;
        out.push({ id: item.id, ok: false, error: describeError(e) });
      }
    }
    this.log.info(`${this.label}: tagged ${out.filter((o) => o.ok).length} of ${out.length} resources`);
    return out;
  }
}
