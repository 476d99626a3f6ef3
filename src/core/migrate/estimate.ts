import { FinOpsError } from '../errors';
import { defaultRegions, normalizeRegion, type PriceCatalogue } from '../pricing/catalogue';
import { gpuModelFromName } from '../pricing/gpuModels';
import { HOURS_PER_MONTH, paymentLabels, providerLabels, type CloudProvider, type CommitmentPrice, type InstanceShape, type PriceSourceRef } from '../pricing/model';
import { uniqueSources } from '../savings/estimate';
import { nearestShape, shapeFromBill, type MatchKind } from './mapping';
import type { EgressCost, Priced, StoragePrice, TransferPrices } from './transferPrices';

/**
 * What a selection of resources would cost on another cloud: each machine mapped to the nearest shape there and
 * priced on-demand, spot and with 1- and 3-year commitments; the stored data moved once (the source cloud's internet
 * egress, tier by tier) and kept there (object storage a month); the monthly difference and the break-even month.
 * Every figure is computed here once; the CLI, the Markdown export and the extension only render it.
 */

export interface ComputeWorkload {
  id: string;
  name?: string;
  provider: CloudProvider;
  region: string;
  instanceType: string;
  /** The machine as the bill describes it, for types the catalogue does not know. */
  billShape?: { vcpu?: number; memoryGiB?: number; gpus?: number; gpuModel?: string };
  /** Instance-hours a month (more than 730 for a group of machines). */
  hoursPerMonth: number;
  /** What it costs now a month: from the bill, or the catalogue's on-demand price for declared resources. */
  currentMonthlyCost: number;
}

export interface StorageWorkload {
  id: string;
  name?: string;
  provider: CloudProvider;
  region: string;
  /** Average GiB stored over the month. */
  storedGiB: number;
  currentMonthlyCost: number;
}

/** Resources the estimate does not re-price (networking, commitments, credits …): named, left out of both sides. */
export interface OtherWorkload { id: string; name?: string; provider: string; service?: string; currentMonthlyCost: number }

export interface MigrationRequest {
  target: CloudProvider;
  /** The target region; when absent, the catalogue's region nearest the costliest source region. */
  targetRegion?: string;
  compute: ComputeWorkload[];
  storage: StorageWorkload[];
  other?: OtherWorkload[];
  /** The month the figures describe ("October 2026"), or what the current costs are based on. */
  basis: string;
}

export type OptionKey = 'onDemand' | 'spot' | 'commit1y' | 'commit3y';
export const optionLabels: Record<OptionKey, string> = { onDemand: 'On-demand', spot: 'Spot', commit1y: '1-year commitment', commit3y: '3-year commitment' };
const OPTIONS: OptionKey[] = ['onDemand', 'spot', 'commit1y', 'commit3y'];

export interface OptionPrice { monthly: number; hourly: number; detail: string; source: PriceSourceRef }

export interface ComputeLine {
  workload: ComputeWorkload;
  sourceShape?: InstanceShape;
  match?: { instanceType: string; region: string; shape: InstanceShape; kind: MatchKind; machines: number; explanation: string };
  /** Why there is no target price for this resource at all. */
  notMapped?: string;
  options: Record<OptionKey, Priced<OptionPrice>>;
}

export interface StorageLine { workload: StorageWorkload; target: Priced<StoragePrice & { monthly: number }> }

export interface TransferLine { provider: CloudProvider; region: string; gib: number; resources: string[]; cost: Priced<EgressCost> }

export interface OptionTotal {
  option: OptionKey;
  /** Target monthly cost of the compared resources (compute at this option, storage at its rate). */
  targetMonthly: number;
  /** targetMonthly − current monthly of the same resources: negative is a saving. */
  monthlyDifference: number;
  /** First month whose cumulative saving covers the one-off transfer; null when the target does not save. */
  breakEvenMonth: number | null;
  /** Resources with no price for this option, counted at on-demand. */
  atOnDemand: string[];
}

export interface MigrationEstimate {
  target: CloudProvider;
  targetRegion: string;
  regionReason: string;
  basis: string;
  compute: ComputeLine[];
  storage: StorageLine[];
  transfer: TransferLine[];
  other: OtherWorkload[];
  /** Current monthly cost of everything selected. */
  currentMonthly: number;
  /** Current monthly cost of the resources priced on the target (what the differences compare against). */
  comparedCurrentMonthly: number;
  /** One-off egress of the estimated regions. */
  oneOffTransfer: number;
  totals: OptionTotal[];
  notes: string[];
  sources: PriceSourceRef[];
}

type Geo = 'na' | 'eu' | 'ap' | 'sa' | 'other';

/** The continent of a region, from each cloud's naming. */
export function geoOf(provider: CloudProvider, region: string): Geo {
  const r = normalizeRegion(provider, region).toLowerCase();
  if (provider === 'aws') return /^(us|ca)-/.test(r) ? 'na' : r.startsWith('eu-') ? 'eu' : r.startsWith('sa-') ? 'sa' : /^(ap|me|af|il)-/.test(r) ? 'ap' : 'other';
  if (provider === 'gcp') return /^(us|northamerica)-/.test(r) ? 'na' : r.startsWith('europe-') ? 'eu' : r.startsWith('southamerica-') ? 'sa' : /^(asia|australia|me|africa)-/.test(r) ? 'ap' : 'other';
  if (/(^|[a-z])(us|canada)/.test(r) && !/australia/.test(r)) return 'na';
  if (/europe|uk|france|germany|norway|sweden|switzerland|poland|italy|spain/.test(r)) return 'eu';
  if (/brazil/.test(r)) return 'sa';
  return /asia|japan|korea|india|australia|uae|qatar|israel|southafrica/.test(r) ? 'ap' : 'other';
}

const geoNames: Record<Geo, string> = { na: 'North America', eu: 'Europe', ap: 'Asia-Pacific', sa: 'South America', other: 'elsewhere' };

/** Regions where the catalogue prices any type of a cloud, most-priced first. */
function catalogueRegions(catalogue: PriceCatalogue, provider: CloudProvider): string[] {
  const count = new Map<string, number>();
  for (const e of catalogue.entries) if (e.provider === provider) for (const r of Object.keys(e.regions)) count.set(r, (count.get(r) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r]) => r);
}

function chooseRegion(request: MigrationRequest, catalogue: PriceCatalogue): { region: string; reason: string } {
  const regions = catalogueRegions(catalogue, request.target);
  if (request.targetRegion !== undefined) {
    const wanted = normalizeRegion(request.target, request.targetRegion);
    if (!regions.includes(wanted)) {
      throw new FinOpsError('input', `The price catalogue has no ${providerLabels[request.target]} prices in ${wanted}.`, {
        fix: `Pick one of ${regions.join(', ')}.`,
      });
    }
    return { region: wanted, reason: 'the region asked for' };
  }
  const byCost = new Map<Geo, number>();
  for (const w of [...request.compute, ...request.storage]) byCost.set(geoOf(w.provider, w.region), (byCost.get(geoOf(w.provider, w.region)) ?? 0) + w.currentMonthlyCost);
  const geo = [...byCost.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'na';
  const fallback = defaultRegions[request.target];
  const sameGeo = regions.filter((r) => geoOf(request.target, r) === geo);
  const chosen = sameGeo.includes(fallback) ? fallback : sameGeo[0];
  if (chosen) return { region: chosen, reason: `the catalogue's ${providerLabels[request.target]} region in ${geoNames[geo]}, where most of the selection's cost is; --region picks another` };
  return { region: fallback, reason: `the catalogue has no ${providerLabels[request.target]} region in ${geoNames[geo]}; priced in the default region` };
}

function cheapestCommitment(commitments: readonly CommitmentPrice[], term: 1 | 3): CommitmentPrice | undefined {
  return [...commitments].filter((c) => c.term === term).sort((a, b) => a.effectiveHourly - b.effectiveHourly)[0];
}

const commitmentKind: Record<CommitmentPrice['kind'], string> = {
  reservedInstance: 'reserved instance', savingsPlan: 'Compute Savings Plan', committedUse: 'committed use discount', reservation: 'reservation',
};

function priceCompute(w: ComputeWorkload, catalogue: PriceCatalogue, target: CloudProvider, region: string): ComputeLine {
  const entry = catalogue.find(w.instanceType);
  const sourceShape = entry?.shape ?? (w.billShape ? shapeFromBill(w.billShape, gpuModelFromName) : undefined);
  const none = (reason: string): ComputeLine => ({
    workload: w, ...(sourceShape ? { sourceShape } : {}), notMapped: reason,
    options: { onDemand: { kind: 'notEstimated', reason }, spot: { kind: 'notEstimated', reason }, commit1y: { kind: 'notEstimated', reason }, commit3y: { kind: 'notEstimated', reason } },
  });
  if (!sourceShape) return none(`${w.instanceType} is not in the price catalogue and the bill does not describe its vCPU and memory`);
  if (!Number.isFinite(w.hoursPerMonth) || w.hoursPerMonth < 0) {
    throw new FinOpsError('input', `${w.name ?? w.id} has ${w.hoursPerMonth} hours a month; hours must be 0 or more.`, { fix: 'Check the ConsumedQuantity of its compute rows.' });
  }
  const match = nearestShape(sourceShape, catalogue.pricedIn(target, region), target);
  if (match.kind === 'none') return none(match.reason);
  const p = match.prices;
  const hours = w.hoursPerMonth * match.machines;
  // a commitment bills every hour of its term: one per machine running on average, rounded up
  const committed = Math.ceil(hours / HOURS_PER_MONTH - 1e-9) * HOURS_PER_MONTH;
  const commitment = (term: 1 | 3): Priced<OptionPrice> => {
    const c = cheapestCommitment(p.commitments, term);
    if (!c) return { kind: 'notEstimated', reason: p.notes.find((n) => /reserv|commit/i.test(n)) ?? `the catalogue has no ${term}-year commitment price for ${p.instanceType} in ${p.region}` };
    return {
      kind: 'priced', monthly: committed * c.effectiveHourly, hourly: c.effectiveHourly, source: c.source,
      detail: `${term}-year ${commitmentKind[c.kind]}${c.kind === 'committedUse' ? '' : `, ${paymentLabels[c.payment]}`}, for ${committed / HOURS_PER_MONTH} machine${committed === HOURS_PER_MONTH ? '' : 's'} around the clock`,
    };
  };
  return {
    workload: w,
    sourceShape,
    match: { instanceType: p.instanceType, region: p.region, shape: p.shape, kind: match.kind, machines: match.machines, explanation: match.explanation },
    options: {
      onDemand: { kind: 'priced', monthly: hours * p.onDemand.hourly, hourly: p.onDemand.hourly, source: p.onDemand.source, detail: `${round(hours)} h a month` },
      spot: p.spot
        ? { kind: 'priced', monthly: hours * p.spot.hourly, hourly: p.spot.hourly, source: p.spot.source, detail: `${round(hours)} h a month at the average spot price` }
        : { kind: 'notEstimated', reason: `the catalogue has no spot price for ${p.instanceType} in ${p.region}` },
      commit1y: commitment(1),
      commit3y: commitment(3),
    },
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The first month whose cumulative saving covers `oneOff`; null when there is no saving. */
export function breakEvenMonth(oneOff: number, monthlySaving: number): number | null {
  if (!(monthlySaving > 0)) return null;
  return Math.max(1, Math.ceil(oneOff / monthlySaving - 1e-9));
}

export function estimateMigration(input: MigrationRequest, catalogue: PriceCatalogue, transfer: TransferPrices): MigrationEstimate {
  let request = input;
  if (!request.compute.length && !request.storage.length) {
    throw new FinOpsError('input', 'The selection holds no compute or storage resource to move.', {
      fix: 'Select resources with compute hours or stored data (check the --resources selector and the month).',
    });
  }
  const { region, reason } = chooseRegion(request, catalogue);
  // what already runs on the target cloud does not move
  const staying = [...request.compute, ...request.storage].filter((w) => w.provider === request.target);
  request = { ...request, compute: request.compute.filter((w) => w.provider !== request.target), storage: request.storage.filter((w) => w.provider !== request.target) };
  const compute = request.compute.map((w) => priceCompute(w, catalogue, request.target, region));
  const storage: StorageLine[] = request.storage.map((w) => {
    const price = transfer.storagePrice(request.target, region);
    return { workload: w, target: price.kind === 'priced' ? { ...price, monthly: w.storedGiB * price.perGiBMonth } : price };
  });

  // the one-off move: every stored GiB leaves its region once, charged by the source cloud's egress tiers
  const byRegion = new Map<string, TransferLine>();
  for (const w of request.storage) {
    const key = `${w.provider}|${normalizeRegion(w.provider, w.region)}`;
    const line = byRegion.get(key) ?? { provider: w.provider, region: normalizeRegion(w.provider, w.region), gib: 0, resources: [], cost: { kind: 'notEstimated', reason: '' } };
    line.gib += w.storedGiB;
    line.resources.push(w.name ?? w.id);
    byRegion.set(key, line);
  }
  const transferLines = [...byRegion.values()].map((l) => ({ ...l, cost: transfer.egressCost(l.provider, l.region, l.gib) }));
  const oneOffTransfer = transferLines.reduce((s, l) => s + (l.cost.kind === 'priced' ? l.cost.cost : 0), 0);

  const comparedCompute = compute.filter((c) => c.options.onDemand.kind === 'priced');
  const comparedStorage = storage.filter((s) => s.target.kind === 'priced');
  const comparedCurrentMonthly = [...comparedCompute.map((c) => c.workload.currentMonthlyCost), ...comparedStorage.map((s) => s.workload.currentMonthlyCost)].reduce((a, b) => a + b, 0);
  const storageTarget = comparedStorage.reduce((s, l) => s + (l.target.kind === 'priced' ? l.target.monthly : 0), 0);
  const totals = OPTIONS.map((option): OptionTotal => {
    const atOnDemand: string[] = [];
    const computeTarget = comparedCompute.reduce((sum, c) => {
      const o = c.options[option];
      if (o.kind === 'priced') return sum + o.monthly;
      atOnDemand.push(c.workload.name ?? c.workload.id);
      const od = c.options.onDemand;
      return sum + (od.kind === 'priced' ? od.monthly : 0);
    }, 0);
    const targetMonthly = computeTarget + storageTarget;
    const monthlyDifference = targetMonthly - comparedCurrentMonthly;
    return { option, targetMonthly, monthlyDifference, breakEvenMonth: breakEvenMonth(oneOffTransfer, -monthlyDifference), atOnDemand };
  });

  const notes: string[] = [];
  const label = (w: { id: string; name?: string }) => w.name ?? w.id;
  const left = [...compute.filter((c) => c.options.onDemand.kind !== 'priced').map((c) => `${label(c.workload)} (${c.notMapped ?? 'not priced'})`),
    ...storage.filter((s) => s.target.kind !== 'priced').map((s) => `${label(s.workload)} (${s.target.kind === 'notEstimated' ? s.target.reason : ''})`)];
  if (left.length) notes.push(`Not estimated, and left out of both sides of the comparison: ${left.join('; ')}.`);
  if (staying.length) notes.push(`Already on ${providerLabels[request.target]}, so not moved: ${staying.map(label).join(', ')}.`);
  const other = [...(request.other ?? []), ...staying.map((w) => ({ id: w.id, ...(w.name ? { name: w.name } : {}), provider: providerLabels[w.provider], service: 'already on the target', currentMonthlyCost: w.currentMonthlyCost }))];
  const notMoved = request.other ?? [];
  if (notMoved.length) notes.push(`${notMoved.length === 1 ? '1 other resource (networking, a commitment, a credit …) is' : `${notMoved.length} other resources (networking, commitments, credits …) are`} not re-priced and left out of both sides.`);
  if (compute.some((c) => c.options.commit1y.kind === 'priced')) notes.push('A commitment bills every hour of its term: each resource is committed for its average number of machines, rounded up, so commitments only pay off for steady use.');
  const unpricedTransfer = transferLines.filter((l) => l.cost.kind !== 'priced');
  if (unpricedTransfer.length) {
    notes.push(`Data transfer not estimated for ${unpricedTransfer.map((l) => `${round(l.gib).toLocaleString('en-US')} GiB in ${l.region} (${l.cost.kind === 'notEstimated' ? l.cost.reason : ''})`).join('; ')}: the one-off cost and the break-even month leave it out.`);
  }
  if (transferLines.length) {
    notes.push('Egress is at list price from the first GiB of the month; AWS, Google Cloud and Azure waive internet egress for customers moving off their cloud on request, which makes the move cheaper than shown.');
  }
  if (compute.some((c) => c.match?.kind === 'nearestGpu')) notes.push('Where the GPU model is not sold on the target, the nearest GPU differs in speed: benchmark the workload before committing.');
  notes.push('Current costs are what the bill charged (after discounts in effect); target prices are list prices from the shipped catalogue.');

  const sources = uniqueSources([
    ...compute.flatMap((c) => OPTIONS.flatMap((o) => { const p = c.options[o]; return p.kind === 'priced' ? [p.source] : []; })),
    ...storage.flatMap((s) => (s.target.kind === 'priced' ? [s.target.source] : [])),
    ...transferLines.flatMap((l) => (l.cost.kind === 'priced' ? [l.cost.source] : [])),
  ]);
  return {
    target: request.target, targetRegion: region, regionReason: reason, basis: request.basis,
    compute, storage, transfer: transferLines, other,
    currentMonthly: [...request.compute, ...request.storage, ...staying].reduce((s, w) => s + w.currentMonthlyCost, 0),
    comparedCurrentMonthly, oneOffTransfer, totals, notes, sources,
  };
}
