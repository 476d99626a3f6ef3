import { z } from 'zod';
import { FinOpsError } from '../errors';
import { normalizeRegion } from '../pricing/catalogue';
import { providerLabels, type CloudProvider, type PriceSourceRef } from '../pricing/model';
import { captureDate } from '../pricing/snapshot';

/**
 * Internet egress per GiB by source region and monthly volume tier, and object storage per GiB-month, from the
 * shipped snapshot resources/pricing/internet_egress.json (public, dated, licensed third-party transcriptions of the
 * clouds' price pages, named in the file).
 */

const num = z.number().finite().nonnegative();
const tierSchema = z.object({ upToGiB: num.nullable(), perGiB: num });
const sourceSchema = z.looseObject({ repository: z.string(), path: z.string(), commit: z.string(), captured_at: z.string(), license: z.string() });
const providers = z.enum(['aws', 'gcp', 'azure']);

const fileSchema = z.object({
  description: z.string(),
  sources: z.record(z.string(), sourceSchema),
  egress: z.partialRecord(providers, z.object({ source: z.string(), regions: z.record(z.string(), z.object({ tiers: z.array(tierSchema).min(1) })) })),
  storage: z.partialRecord(providers, z.object({ source: z.string(), class: z.string(), regions: z.record(z.string(), num) })),
});

export interface EgressTier {
  /** Cumulative monthly GiB where this rate stops; Infinity for the last tier. */
  upToGiB: number;
  perGiB: number;
}

/** One tier's share of a transfer: GiB charged at its rate. */
export interface TierCharge { fromGiB: number; toGiB: number; perGiB: number; cost: number }

export type Priced<T> = ({ kind: 'priced' } & T) | { kind: 'notEstimated'; reason: string };

export interface EgressCost {
  provider: CloudProvider;
  region: string;
  gib: number;
  cost: number;
  charges: TierCharge[];
  source: PriceSourceRef;
}

export interface StoragePrice { perGiBMonth: number; storageClass: string; source: PriceSourceRef }

/** Charges `gib` against tiers in order: each rate applies to the GiB inside its own tier. */
export function tieredCost(gib: number, tiers: readonly EgressTier[]): { cost: number; charges: TierCharge[] } {
  if (!Number.isFinite(gib) || gib < 0) {
    throw new FinOpsError('input', `A data volume must be a finite number of GiB, 0 or more (got ${gib}).`, { fix: 'Check the stored-data figures of the bill.' });
  }
  const charges: TierCharge[] = [];
  let from = 0;
  for (const t of tiers) {
    if (from >= gib) break;
    const to = Math.min(gib, t.upToGiB);
    if (to > from) charges.push({ fromGiB: from, toGiB: to, perGiB: t.perGiB, cost: (to - from) * t.perGiB });
    from = t.upToGiB;
  }
  return { cost: charges.reduce((s, c) => s + c.cost, 0), charges };
}

export class TransferPrices {
  private constructor(
    private readonly egress: Map<string, { tiers: EgressTier[]; source: PriceSourceRef }>,
    private readonly storage: Map<string, StoragePrice>,
    private readonly egressRegions: Record<CloudProvider, string[]>,
    private readonly storageProviders: Set<CloudProvider>,
  ) {}

  static fromSnapshot(raw: unknown): TransferPrices {
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FinOpsError('input', `The egress price snapshot is malformed at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}.`, {
        fix: 'Reinstall the extension; the shipped resources/pricing/internet_egress.json was changed.',
      });
    }
    const s = parsed.data;
    const ref = (key: string): PriceSourceRef => {
      const src = s.sources[key];
      if (!src) throw new FinOpsError('input', `The egress price snapshot names an unknown source "${key}".`, { fix: 'Reinstall the extension.' });
      return {
        name: `${src.origin === undefined ? src.repository : String(src.origin)} (${src.repository} @ ${src.commit.slice(0, 7)}, ${src.license})`,
        capturedAt: captureDate(src.captured_at),
        live: false,
        url: `https://github.com/${src.repository}/blob/${src.commit}/${src.path.split(' ')[0]}`,
      };
    };
    const egress = new Map<string, { tiers: EgressTier[]; source: PriceSourceRef }>();
    const egressRegions: Record<CloudProvider, string[]> = { aws: [], gcp: [], azure: [] };
    for (const [provider, p] of Object.entries(s.egress) as [CloudProvider, (typeof s.egress)[CloudProvider]][]) {
      if (!p) continue;
      const source = ref(p.source);
      for (const [region, r] of Object.entries(p.regions)) {
        egress.set(`${provider}|${region}`, { tiers: r.tiers.map((t) => ({ upToGiB: t.upToGiB ?? Infinity, perGiB: t.perGiB })), source });
        egressRegions[provider].push(region);
      }
    }
    const storage = new Map<string, StoragePrice>();
    const storageProviders = new Set<CloudProvider>();
    for (const [provider, p] of Object.entries(s.storage) as [CloudProvider, (typeof s.storage)[CloudProvider]][]) {
      if (!p) continue;
      const source = ref(p.source);
      storageProviders.add(provider);
      for (const [region, perGiBMonth] of Object.entries(p.regions)) storage.set(`${provider}|${region}`, { perGiBMonth, storageClass: p.class, source });
    }
    return new TransferPrices(egress, storage, egressRegions, storageProviders);
  }

  /** The one-off cost of sending `gib` to the internet from a region, tier by tier, or why it cannot be estimated. */
  egressCost(provider: CloudProvider, region: string, gib: number): Priced<EgressCost> {
    const r = normalizeRegion(provider, region);
    const entry = this.egress.get(`${provider}|${r}`);
    if (!entry) {
      const known = this.egressRegions[provider];
      return {
        kind: 'notEstimated',
        reason: known.length
          ? `the shipped egress prices cover ${providerLabels[provider]} in ${known.length > 6 ? `${known.length} regions` : known.join(', ')} only, not ${r}`
          : `the shipped egress prices have no ${providerLabels[provider]} rates`,
      };
    }
    const { cost, charges } = tieredCost(gib, entry.tiers);
    return { kind: 'priced', provider, region: r, gib, cost, charges, source: entry.source };
  }

  /** Object storage per GiB-month in a region, or why it cannot be estimated. */
  storagePrice(provider: CloudProvider, region: string): Priced<StoragePrice> {
    const r = normalizeRegion(provider, region);
    const entry = this.storage.get(`${provider}|${r}`);
    if (entry) return { kind: 'priced', ...entry };
    return {
      kind: 'notEstimated',
      reason: this.storageProviders.has(provider)
        ? `the shipped storage prices have no ${providerLabels[provider]} rate for ${r}`
        : `the shipped price snapshot has no ${providerLabels[provider]} object storage prices`,
    };
  }
}
