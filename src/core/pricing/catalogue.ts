import { FinOpsError } from '../errors';
import { providerLabels, type CloudProvider, type InstancePrices, type PriceSourceRef } from './model';
import { parseSnapshot, type CatalogueEntry } from './snapshot';
import { parseGpuQuery, type GpuQuery } from './gpuModels';

/** Region used when none is given: where each cloud's GPU capacity and the snapshot are densest. */
export const defaultRegions: Record<CloudProvider, string> = {
  aws: 'us-east-1',
  gcp: 'us-central1',
  azure: 'eastus',
};

/** Which cloud an instance type name belongs to, from its shape alone. */
export function detectProvider(instanceType: string): CloudProvider | undefined {
  const t = instanceType.trim();
  if (/^Standard_[A-Z]/i.test(t)) return 'azure';
  if (/^(ml\.)?[a-z][a-z0-9-]*\.(metal(-\d+xl)?|nano|micro|small|medium|large|\d*xlarge)$/.test(t)) return 'aws';
  if (/^[a-z][a-z0-9]*-[a-z]+(-\d+[a-z]*)?$/.test(t)) return 'gcp';
  return undefined;
}

/** "East US" → "eastus"; "us-central1-a" (a zone) → "us-central1". */
export function normalizeRegion(provider: CloudProvider, region: string): string {
  const r = region.trim();
  if (provider === 'azure') return r.toLowerCase().replace(/[\s_-]+/g, '');
  if (provider === 'gcp') return /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(r)?.[1] ?? r;
  return /^([a-z]{2}(-gov)?-[a-z]+-\d)[a-z]$/.exec(r)?.[1] ?? r; // AWS availability zone → region
}

/**
 * The family a type belongs to: AWS "g5" of "g5.2xlarge"; GCP "a2-highgpu" of "a2-highgpu-1g";
 * Azure "NCads_A100_v4" of "Standard_NC24ads_A100_v4".
 */
export function familyOf(provider: CloudProvider, instanceType: string): string {
  if (provider === 'aws') return instanceType.replace(/^ml\./, '').split('.')[0] ?? instanceType;
  if (provider === 'gcp') return instanceType.split('-').slice(0, 2).join('-');
  const m = /^Standard_([A-Z]+)\d+([a-z]*)(_.*)?$/.exec(instanceType);
  return m ? `${m[1]}${m[2]}${m[3] ?? ''}` : instanceType;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/** The price catalogue: instance shapes and dated prices per region, looked up by instance type. */
/** The first sentence of the error for a type the catalogue does not know, with the closest ones it does. */
export function unknownTypeMessage(instanceType: string, close: readonly string[]): string {
  return close.length
    ? `Unknown instance type "${instanceType}". Did you mean ${close.map((c) => `"${c}"`).join(', ')}?`
    : `Unknown instance type "${instanceType}": it is not in the GPU / ML price catalogue.`;
}

export class PriceCatalogue {
  private readonly byKey = new Map<string, CatalogueEntry>();

  constructor(readonly entries: readonly CatalogueEntry[], readonly sources: readonly PriceSourceRef[]) {
    for (const e of entries) this.byKey.set(e.instanceType.toLowerCase(), e);
  }

  static fromSnapshot(raw: unknown): PriceCatalogue {
    const { entries, sources } = parseSnapshot(raw);
    return new PriceCatalogue(entries, sources);
  }

  /** The entry for a type (case-insensitive), or undefined. */
  find(instanceType: string): CatalogueEntry | undefined {
    return this.byKey.get(instanceType.trim().toLowerCase());
  }

  /** Up to `n` catalogue types closest to a mistyped name, nearest first. */
  closeMatches(instanceType: string, n = 3): string[] {
    const q = instanceType.trim().toLowerCase().replace(/^ml\./, '');
    const provider = detectProvider(instanceType);
    const limit = Math.max(3, Math.ceil(q.length / 3));
    return this.entries
      .filter((e) => !provider || e.provider === provider)
      .map((e) => {
        const name = e.instanceType.toLowerCase();
        const prefixBonus = name.startsWith(q.split(/[.-]/)[0] ?? q) ? -0.5 : 0;
        return { name: e.instanceType, d: editDistance(q, name) + prefixBonus };
      })
      .filter((x) => x.d <= limit)
      .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
      .slice(0, n)
      .map((x) => x.name);
  }

  /** The entry for a type, or FinOpsError('input', code unknownInstanceType) naming the closest known types. */
  require(instanceType: string): CatalogueEntry {
    const entry = this.find(instanceType);
    if (entry) return entry;
    const close = this.closeMatches(instanceType);
    const provider = detectProvider(instanceType);
    const known = provider ? ` The catalogue covers ${providerLabels[provider]} GPU and ML families (${[...new Set(this.entries.filter((e) => e.provider === provider).map((e) => familyOf(e.provider, e.instanceType)))].join(', ')}).` : '';
    throw new FinOpsError('input', `${unknownTypeMessage(instanceType, close)}${known}`, {
      code: 'unknownInstanceType',
      fix: close.length ? `Use one of: ${close.join(', ')}.` : 'Check the spelling, or use live prices for types outside the catalogue (the mlFinops.savings.livePrices setting, or `mlfinops savings --live`).',
    });
  }

  /** Regions where the type has prices. */
  regionsOf(instanceType: string): string[] {
    return Object.keys(this.require(instanceType).regions);
  }

  /**
   * Prices of a type in a region (default: the cloud's default region, else the first the snapshot has).
   * Throws FinOpsError('input') for an unknown type, or a region the snapshot does not cover (naming those it does).
   */
  prices(instanceType: string, region?: string): InstancePrices {
    const entry = this.require(instanceType);
    const wanted = region ? normalizeRegion(entry.provider, region) : undefined;
    const available = Object.keys(entry.regions);
    const chosen = wanted ?? (entry.regions[defaultRegions[entry.provider]] ? defaultRegions[entry.provider] : available[0]);
    const r = chosen === undefined ? undefined : entry.regions[chosen];
    if (!r || chosen === undefined) {
      const captured = [...new Set(Object.values(entry.regions).map((x) => x.onDemand.source.capturedAt))].join(', ');
      throw new FinOpsError('input', `The price snapshot has no ${entry.instanceType} prices for ${wanted ?? 'any region'}: its sources (captured ${captured}) list none there. It prices ${entry.instanceType} in ${available.length} region${available.length === 1 ? '' : 's'}: ${available.join(', ')}.`, {
        fix: 'Pick one of the regions above, or use live prices (the mlFinops.savings.livePrices setting, or `mlfinops savings --live`).',
      });
    }
    return {
      provider: entry.provider,
      region: chosen,
      instanceType: entry.instanceType,
      shape: entry.shape,
      currency: 'USD',
      onDemand: r.onDemand,
      ...(r.spot ? { spot: r.spot } : {}),
      commitments: r.commitments,
      notes: [...entry.notes, ...r.notes],
    };
  }

  /** Other types of the same cloud priced in the same region: candidates for right-sizing. */
  pricedIn(provider: CloudProvider, region: string): InstancePrices[] {
    const r = normalizeRegion(provider, region);
    return this.entries.filter((e) => e.provider === provider && e.regions[r]).map((e) => this.prices(e.instanceType, r));
  }
}

/** One instance type that carries the GPU a user asked for, priced in one region. */
export interface GpuMatch {
  provider: CloudProvider;
  instanceType: string;
  region: string;
  gpus: number | null;
  gpuModel: string;
  gpuModelId: string;
  vcpu: number;
  memoryGiB: number;
  onDemandHourly: number;
  /** On-demand per GPU-hour (null for fractional GPUs). */
  perGpuHourly: number | null;
  spotHourly?: number;
  source: PriceSourceRef;
}

export interface GpuSearch {
  query: GpuQuery;
  matches: GpuMatch[];
  /** Clouds with no matching type in the catalogue, and why ("Google Cloud sells no A10G"). */
  none: string[];
}

/**
 * The instance types on every cloud that carry the named GPU ("H100", "A100 80GB", "L4"), each priced in its
 * cloud's default region (or `regions[provider]` when the type is priced there, else its first region), sorted by
 * cloud, then GPU count, then price. Returns undefined when the text names no GPU.
 */
export function searchByGpu(catalogue: PriceCatalogue, text: string, regions: Partial<Record<CloudProvider, string>> = {}): GpuSearch | undefined {
  const query = parseGpuQuery(text);
  if (!query) return undefined;
  const matches: GpuMatch[] = [];
  for (const e of catalogue.entries) {
    const id = e.shape.gpuModelId;
    if (!id || !query.modelIds.includes(id)) continue;
    const wanted = regions[e.provider] ? normalizeRegion(e.provider, regions[e.provider] ?? '') : undefined;
    const region = wanted && e.regions[wanted] ? wanted : e.regions[defaultRegions[e.provider]] ? defaultRegions[e.provider] : Object.keys(e.regions)[0];
    if (region === undefined) continue;
    const p = catalogue.prices(e.instanceType, region);
    const gpus = p.shape.gpus;
    matches.push({
      provider: e.provider, instanceType: e.instanceType, region, gpus, gpuModel: p.shape.gpuModel ?? id, gpuModelId: id,
      vcpu: p.shape.vcpu, memoryGiB: p.shape.memoryGiB, onDemandHourly: p.onDemand.hourly,
      perGpuHourly: gpus ? p.onDemand.hourly / gpus : null, ...(p.spot ? { spotHourly: p.spot.hourly } : {}), source: p.onDemand.source,
    });
  }
  const order: CloudProvider[] = ['aws', 'gcp', 'azure'];
  matches.sort((a, b) => order.indexOf(a.provider) - order.indexOf(b.provider) || (a.gpus ?? 0) - (b.gpus ?? 0) || a.onDemandHourly - b.onDemandHourly || a.instanceType.localeCompare(b.instanceType));
  const none = order.filter((p) => !matches.some((m) => m.provider === p)).map((p) => (
    p === 'gcp' && query.modelIds.some((id) => id === 't4' || id.startsWith('v100'))
      ? `${providerLabels[p]}: ${query.text} GPUs are attached to N1 machines and billed per GPU; the price catalogue has no per-GPU price, so they are not listed.`
      : `${providerLabels[p]}: no ${query.text} type in the price catalogue.`));
  return { query, matches, none };
}
