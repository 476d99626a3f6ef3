import type { v1 as assetV1 } from '@google-cloud/asset';
import { z } from 'zod';
import { FinOpsError } from '../../core/errors';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import type { Resource, ResourceSource } from '../../core/sources';
import { gaxClientOptions, requireProject, type GcpOptions } from './config';
import { callGoogle } from './errors';

/**
 * Google Cloud resources from Cloud Asset Inventory searchAllResources (paged), over a project, folder or
 * organisation: labels, location, state, and — from the resource itself — machine types and spot provisioning.
 */
interface AssetInventoryOptions extends GcpOptions {
  /** projects/<id>, folders/<n> or organizations/<n>; empty = the project. */
  scope: string;
  /** Asset types to list (empty = all searchable types). */
  assetTypes?: string[];
  pageSize?: number;
  log?: Logger;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
}

const READ_MASK = 'name,assetType,project,displayName,location,labels,state,versionedResources';

type StructValue = { stringValue?: string; structValue?: { fields?: Record<string, StructValue> } } | string | Record<string, unknown> | undefined;

/** A field of a protobuf Struct, whether it arrived as plain JSON or as `{fields: {x: {stringValue}}}`. */
function structField(struct: unknown, path: string[]): string | undefined {
  let cur: unknown = struct;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const obj = cur as Record<string, unknown>;
    if (obj.fields && typeof obj.fields === 'object') cur = (obj.fields as Record<string, StructValue>)[key];
    else cur = obj[key];
    if (cur && typeof cur === 'object' && 'structValue' in (cur as object)) cur = (cur as { structValue: unknown }).structValue;
  }
  if (typeof cur === 'string') return cur;
  if (cur && typeof cur === 'object' && typeof (cur as { stringValue?: unknown }).stringValue === 'string') return (cur as { stringValue: string }).stringValue;
  return undefined;
}

const resultSchema = z.object({
  name: z.string(),
  assetType: z.string().nullish(),
  project: z.string().nullish(),
  displayName: z.string().nullish(),
  location: z.string().nullish(),
  labels: z.record(z.string(), z.string()).nullish(),
  state: z.string().nullish(),
  versionedResources: z.array(z.object({ resource: z.unknown().optional() })).nullish(),
});

function regionOf(location: string): string {
  return /^[a-z]+-[a-z]+\d+-[a-z]$/.test(location) ? location.slice(0, -2) : location;
}

export class AssetInventory implements ResourceSource {
  readonly id = 'gcp';
  readonly label: string;
  private readonly log: Logger;
  private client?: Promise<assetV1.AssetServiceClient>;

  constructor(private readonly options: AssetInventoryOptions) {
    this.label = `Google Cloud resources (${this.scope()})`;
    this.log = options.log ?? silentLogger;
  }

  private scope(): string {
    if (this.options.scope) {
      if (!/^(projects|folders|organizations)\/[\w.:-]+$/.test(this.options.scope)) {
        throw new FinOpsError('input', `"${this.options.scope}" is not a Cloud Asset scope.`, { fix: 'Set "mlFinops.gcp.assetScope" to projects/<id>, folders/<number> or organizations/<number>.' });
      }
      return this.options.scope;
    }
    return `projects/${requireProject(this.options)}`;
  }

  private getClient(): Promise<assetV1.AssetServiceClient> {
    this.client ??= (async () => {
      const { v1 } = await import('@google-cloud/asset');
      return new v1.AssetServiceClient(gaxClientOptions(this.options) as never);
    })();
    return this.client;
  }

  /** One result: proves the sign-in, the API and the permission on the scope. */
  async probe(signal?: AbortSignal): Promise<string> {
    const resources = await this.listResources(signal, 1);
    return resources.length ? `resources readable in ${this.scope()}` : `no resources visible in ${this.scope()}`;
  }

  async listResources(signal?: AbortSignal, limit?: number): Promise<Resource[]> {
    throwIfAborted(signal);
    const scope = this.scope();
    const client = await this.getClient();
    const ctx = { projectId: this.options.projectId, endpoint: this.options.endpoint, api: 'Cloud Asset searchAllResources', permission: 'cloudasset.assets.searchAllResources', role: 'Cloud Asset Viewer (roles/cloudasset.viewer)' };
    const out: Resource[] = [];
    let request: Record<string, unknown> | null = {
      scope, pageSize: limit ?? this.options.pageSize ?? 500, readMask: { paths: READ_MASK.split(',') },
      ...(this.options.assetTypes?.length ? { assetTypes: this.options.assetTypes } : {}),
    };
    while (request) {
      const req: Record<string, unknown> = request;
      const [results, next] = await callGoogle(ctx, async (): Promise<[unknown[] | null | undefined, unknown]> => {
        const [page, nextRequest] = await client.searchAllResources(req, { autoPaginate: false });
        return [page, nextRequest];
      }, { signal, log: this.log, retry: this.options.retry });
      for (const raw of results ?? []) {
        const parsed = resultSchema.safeParse(raw);
        if (!parsed.success) continue;
        const r = parsed.data;
        const resource = r.versionedResources?.[0]?.resource;
        const machineType = structField(resource, ['machineType'])?.split('/').pop();
        const provisioning = structField(resource, ['scheduling', 'provisioningModel']);
        const attributes: Record<string, string> = {};
        if (r.state) attributes.state = r.state.toLowerCase();
        if (r.project) attributes.project = r.project;
        if (r.location && regionOf(r.location) !== r.location) attributes.zone = r.location;
        if (provisioning) attributes.lifecycle = provisioning === 'SPOT' ? 'spot' : 'on-demand';
        out.push({
          provider: 'Google Cloud', id: r.name, type: r.assetType ?? '', name: r.displayName || r.name.split('/').pop() || r.name,
          tags: { ...(r.labels ?? {}) },
          ...(r.location ? { region: regionOf(r.location) } : {}),
          ...(machineType ? { size: machineType } : {}),
          ...(Object.keys(attributes).length ? { attributes } : {}),
        });
      }
      request = limit !== undefined && out.length >= limit ? null : (next as Record<string, unknown> | null) ?? null;
    }
    this.log.info(`${this.label}: ${out.length} resources`);
    return out;
  }
}
