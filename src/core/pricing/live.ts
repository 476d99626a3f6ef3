import { z } from 'zod';
import type { AnswerCache } from '../cache/cache';
import { describeError, FinOpsError, isCancelled } from '../errors';
import { silentLogger, throwIfAborted, type Logger } from '../ports';
import { defaultRegions, detectProvider, normalizeRegion, type PriceCatalogue } from './catalogue';
import { providerLabels, type InstancePrices, type PriceSource } from './model';

/**
 * Prices for one instance type: the shipped snapshot, overlaid with a cloud's live price API when live prices are
 * on. Live answers are cached on disk (prices change rarely; the clouds rate-limit their price APIs); a cached
 * figure keeps the date it was fetched. When the live call fails the snapshot answers and says why.
 */

const sourceRef = z.object({ name: z.string(), capturedAt: z.string(), live: z.boolean(), url: z.string().optional() });
const commitmentSchema = z.object({
  kind: z.enum(['reservedInstance', 'savingsPlan', 'committedUse', 'reservation']),
  offering: z.enum(['standard', 'convertible']).optional(),
  plan: z.enum(['ec2Instance', 'compute']).optional(),
  term: z.union([z.literal(1), z.literal(3)]),
  payment: z.enum(['noUpfront', 'partialUpfront', 'allUpfront']),
  upfront: z.number(),
  hourly: z.number(),
  effectiveHourly: z.number(),
  source: sourceRef,
  derivation: z.string().optional(),
});
const instancePricesSchema = z.object({
  provider: z.enum(['aws', 'gcp', 'azure']),
  region: z.string(),
  instanceType: z.string(),
  shape: z.object({
    vcpu: z.number(), memoryGiB: z.number(), gpus: z.number().nullable(),
    gpuModel: z.string().optional(), gpuModelId: z.string().optional(), gpuMemoryGiB: z.number().optional(),
  }),
  currency: z.literal('USD'),
  onDemand: z.object({ hourly: z.number(), source: sourceRef }),
  spot: z.object({ hourly: z.number(), min: z.number().optional(), max: z.number().optional(), source: sourceRef }).optional(),
  commitments: z.array(commitmentSchema),
  notes: z.array(z.string()),
});
const cachedSchema = z.object({ prices: instancePricesSchema.nullable() });

interface ResolvedPrices {
  prices: InstancePrices;
  /** Why a live figure was not used ("Azure Retail Prices API unreachable: using the snapshot of …"). */
  warnings: string[];
}

export class PriceResolver {
  constructor(
    readonly catalogue: PriceCatalogue,
    private readonly sources: readonly PriceSource[] = [],
    private readonly cache?: AnswerCache,
    private readonly log: Logger = silentLogger,
  ) {}

  /** The live source for a provider, when one is configured. */
  sourceFor(provider: InstancePrices['provider']): PriceSource | undefined {
    return this.sources.find((s) => s.provider === provider);
  }

  async resolve(instanceType: string, region: string | undefined, options: { live: boolean; signal?: AbortSignal }): Promise<ResolvedPrices> {
    throwIfAborted(options.signal);
    const entry = this.catalogue.find(instanceType);
    const provider = entry?.provider ?? detectProvider(instanceType);
    let base: InstancePrices | undefined;
    let baseError: unknown;
    try {
      base = this.catalogue.prices(instanceType, region);
    } catch (e) {
      baseError = e;
    }
    const source = options.live && provider ? this.sourceFor(provider) : undefined;
    if (!source || !provider) {
      if (base) return { prices: base, warnings: [] };
      throw baseError;
    }
    const wanted = normalizeRegion(provider, region ?? base?.region ?? defaultRegions[provider]);
    const key = { type: (entry?.instanceType ?? instanceType).trim(), region: wanted };
    const hit = await this.cache?.get(`prices-${source.id}`, key, cachedSchema).catch(() => undefined);
    if (hit) {
      if (hit.value.prices) return { prices: hit.value.prices as InstancePrices, warnings: [] };
      if (base) return { prices: base, warnings: [`${source.label} does not sell ${key.type} in ${wanted}; using the snapshot.`] };
      throw baseError ?? notSold(key.type, wanted, source);
    }
    try {
      const live = await source.getPrices(key.type, wanted, base, options.signal);
      await this.cache?.set(`prices-${source.id}`, key, { prices: live ?? null }).catch((e: unknown) => this.log.warn(`Could not cache prices: ${describeError(e)}`));
      if (live) return { prices: live, warnings: [] };
      if (base) return { prices: base, warnings: [`${source.label} has no price for ${key.type} in ${wanted}; using the snapshot.`] };
      throw baseError ?? notSold(key.type, wanted, source);
    } catch (e) {
      if (isCancelled(e)) throw e;
      if (!base) throw e;
      this.log.warn(`Live prices from ${source.label} failed: ${describeError(e)}`);
      const when = base.onDemand.source.capturedAt;
      return { prices: base, warnings: [`Live prices unavailable (${describeError(e)}): using the snapshot captured ${when}.`] };
    }
  }
}

function notSold(type: string, region: string, source: PriceSource): FinOpsError {
  return new FinOpsError('input', `${providerLabels[source.provider]} lists no price for ${type} in ${region}.`, {
    fix: 'Check the instance type and the region.',
  });
}
