import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { z } from 'zod';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import type { Resource, ResourceSource } from '../../core/sources';
import { armEndpoint, azureCredential, parseScope, type AzureOptions } from './config';
import { callAzure } from './errors';

/**
 * Azure resources from Resource Graph: one KQL query over the scope's subscriptions (or management group),
 * paged with $skipToken, with tags, location, VM sizes and spot priority.
 */
const API = 'Resource Graph query';
const ACTION = 'Microsoft.ResourceGraph/resources/read (and read access to the resources)';
const ROLE = 'Reader';

const INVENTORY_QUERY = [
  'Resources',
  '| project id, name, type, location, resourceGroup, subscriptionId, tags,',
  '  vmSize = tostring(properties.hardwareProfile.vmSize), priority = tostring(properties.priority),',
  '  skuName = tostring(sku.name), powerState = tostring(properties.extended.instanceView.powerState.code)',
  '| order by id asc',
].join('\n');

const rowSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  type: z.string().optional(),
  location: z.string().nullish(),
  resourceGroup: z.string().nullish(),
  subscriptionId: z.string().nullish(),
  tags: z.record(z.string(), z.unknown()).nullish(),
  vmSize: z.string().nullish(),
  priority: z.string().nullish(),
  skuName: z.string().nullish(),
  powerState: z.string().nullish(),
});
const pageSchema = z.object({
  skipToken: z.string().nullish(),
  data: z.array(z.unknown()),
});

interface ResourceGraphOptions extends AzureOptions {
  log?: Logger;
  pageSize?: number;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random' | 'maxRetryAfterMs'>;
}

export class ResourceGraphInventory implements ResourceSource {
  readonly id = 'azure';
  readonly label: string;
  private readonly log: Logger;
  private client?: Promise<ResourceGraphClient>;

  constructor(private readonly options: ResourceGraphOptions) {
    parseScope(options.scope);
    this.label = `Azure resources (${options.scope})`;
    this.log = options.log ?? silentLogger;
  }

  private getClient(): Promise<ResourceGraphClient> {
    this.client ??= (async () => {
      const { ResourceGraphClient } = await import('@azure/arm-resourcegraph');
      return new ResourceGraphClient(await azureCredential(this.options), {
        baseUri: armEndpoint(this.options),
        // Throttling is retried by src/core/retry.ts (Retry-After and x-ms-user-quota-resets-after honoured).
        noRetryPolicy: true,
        ...(this.options.agent ? { agentSettings: { http: this.options.agent, https: this.options.agent } } : {}),
      });
    })();
    return this.client;
  }

  /** One row: proves the sign-in and read access to the scope's resources. */
  async probe(signal?: AbortSignal): Promise<string> {
    const resources = await this.listResources(signal, 1);
    return resources.length ? 'resources readable' : 'no resources visible in the scope';
  }

  async listResources(signal?: AbortSignal, limit?: number): Promise<Resource[]> {
    throwIfAborted(signal);
    const scope = parseScope(this.options.scope);
    let query = INVENTORY_QUERY;
    if (scope.kind === 'subscription' && scope.resourceGroup) query = query.replace('Resources\n', `Resources\n| where resourceGroup =~ '${scope.resourceGroup.replace(/'/g, '')}'\n`);
    const client = await this.getClient();
    const ctx = { options: this.options, api: API, action: ACTION, role: ROLE };
    const out: Resource[] = [];
    let skipToken: string | undefined;
    do {
      const token = skipToken;
      const raw = await callAzure(ctx, () => client.resources({
        query,
        ...(scope.kind === 'subscription' ? { subscriptions: [scope.subscriptionId] } : {}),
        ...(scope.kind === 'managementGroup' ? { managementGroups: [scope.managementGroupId] } : {}),
        options: { resultFormat: 'objectArray', top: limit ?? this.options.pageSize ?? 1000, ...(token ? { skipToken: token } : {}) },
      }, { abortSignal: signal as never }), { signal, log: this.log, retry: this.options.retry });
      const page = pageSchema.parse(raw);
      for (const item of page.data) {
        const row = rowSchema.safeParse(item);
        if (!row.success) continue;
        const r = row.data;
        const tags: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.tags ?? {})) tags[k] = typeof v === 'string' ? v : JSON.stringify(v);
        const attributes: Record<string, string> = {};
        if (r.resourceGroup) attributes.resourceGroup = r.resourceGroup;
        if (r.subscriptionId) attributes.subscriptionId = r.subscriptionId;
        if (r.priority) attributes.lifecycle = /spot|low/i.test(r.priority) ? 'spot' : 'on-demand';
        if (r.powerState) attributes.state = r.powerState.replace(/^PowerState\//, '');
        out.push({
          provider: 'Microsoft', id: r.id, type: (r.type ?? '').toLowerCase(), name: r.name ?? r.id.split('/').pop() ?? r.id, tags,
          ...(r.location ? { region: r.location } : {}),
          ...(r.vmSize || r.skuName ? { size: r.vmSize || r.skuName! } : {}),
          ...(Object.keys(attributes).length ? { attributes } : {}),
        });
      }
      skipToken = limit !== undefined && out.length >= limit ? undefined : page.skipToken || undefined;
    } while (skipToken);
    this.log.info(`${this.label}: ${out.length} resources`);
    return out;
  }
}
