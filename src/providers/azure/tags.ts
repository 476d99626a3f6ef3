import { z } from 'zod';
import { describeError, FinOpsError, INTERNAL_FIX, isCancelled, isFinOpsError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports';
import type { Resource } from '../../core/sources';
import type { TagOutcome } from '../../core/tagging/plan';
import type { TagWrite, TagWriter } from '../../core/tagging/writer';
import { armRequest } from './armRequest';
import { armEndpoint, type AzureOptions } from './config';

/** The Resources API version of Tags - Get / Update At Scope. */
const API_VERSION = '2021-04-01';
const API = 'Azure Resource Manager Tags - Update At Scope';
const ACTION = 'Microsoft.Resources/tags/write';
const ROLE = 'Tag Contributor';

const tagsResource = z.object({ properties: z.object({ tags: z.record(z.string(), z.string()).nullish() }).nullish() });

interface AzureTagOptions extends Pick<AzureOptions, 'endpoint' | 'credential'> {
  tenantId?: string;
  log?: Logger;
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
 * A change is sent once (not retried): a throttled or failed resource is reported as not tagged.
 */
export class AzureTagWriter implements TagWriter {
  readonly cloud = 'azure' as const;
  readonly label: string;
  private readonly log: Logger;

  constructor(private readonly options: AzureTagOptions) {
    this.label = `Azure Resource Manager tags (${armEndpoint(options)})`;
    this.log = options.log ?? silentLogger;
  }

  /** Tags - Get At Scope (GET) or Update At Scope (PATCH) on a resource: the tags it holds afterwards. */
  private async call(method: 'GET' | 'PATCH', id: string, body: unknown, signal?: AbortSignal): Promise<Record<string, string>> {
    const api = method === 'GET' ? 'Azure Resource Manager Tags - Get At Scope' : API;
    const raw = await armRequest(this.options, {
      method, id: `${id.replace(/\/+$/, '')}/providers/Microsoft.Resources/tags/default`, apiVersion: API_VERSION, ...(body === undefined ? {} : { body }),
      api, action: method === 'GET' ? 'Microsoft.Resources/tags/read' : ACTION, role: ROLE,
    }, { log: this.log, signal });
    const parsed = tagsResource.safeParse(raw);
    if (!parsed.success) throw new FinOpsError('internal', `${api} returned an unexpected answer.`, { fix: INTERNAL_FIX });
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
