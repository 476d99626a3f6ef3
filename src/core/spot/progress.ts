import { cents, perHour } from '../savings/estimate';
import type { SpotInstance, SpotJobStatus } from './launcher';
import { describeSources, spotPriceSources, type SpotPlan } from './plan';

/**
 * The least share of a type's on-demand price a live spot price must be to be taken as a market price. Spot sells
 * at up to about 90 % off; a price under 5 % of on-demand (an emulator's placeholder such as moto's $0.00001, a
 * unit slip) is not one, and the catalogue's spot price is used instead, labelled as such.
 */
export const MIN_SPOT_SHARE_OF_ON_DEMAND = 0.05;

/** `price` when it is a credible spot price for a type sold at `onDemandHourly` on-demand, else undefined. */
export function credibleSpotPrice(price: number | undefined, onDemandHourly: number | undefined): number | undefined {
  if (price === undefined || !Number.isFinite(price) || price <= 0) return undefined;
  if (onDemandHourly !== undefined && price < onDemandHourly * MIN_SPOT_SHARE_OF_ON_DEMAND) return undefined;
  return price;
}

/**
 * An instance's price per hour now and where it comes from: the cloud's current spot price when it reports a
 * credible one, else the plan's catalogue price for its type (spot or on-demand, by its lifecycle), else none.
 */
export function instancePrice(i: SpotInstance, plan: SpotPlan | undefined): { hourly: number; source: 'cloud' | 'catalogue' } | undefined {
  const typed = plan?.types.find((t) => t.instanceType === i.instanceType);
  const live = i.lifecycle === 'spot' ? credibleSpotPrice(i.pricePerHour, typed?.onDemandHourly) : i.pricePerHour;
  if (live !== undefined) return { hourly: live, source: 'cloud' };
  const catalogue = i.lifecycle === 'spot' ? typed?.spotHourly ?? typed?.onDemandHourly : typed?.onDemandHourly;
  return catalogue === undefined ? undefined : { hourly: catalogue, source: 'catalogue' };
}

/**
 * How long a launched job has run and what its instances have cost so far: what the Spot jobs view and
 * `mlfinops spot status` show. Each instance running now is counted from its launch at its price per hour from
 * instancePrice(): the cloud's current spot price, else the plan's catalogue price for its type.
 * Instances the fleet already replaced are no longer listed by the cloud, so the figure is a lower bound.
 */
export interface JobProgress {
  /** Hours since the launch was requested; 0 before. */
  runtimeHours: number;
  /** USD, to the cent, for the instances running now since their launch. */
  costSoFar: number;
  /** The job's price per hour now (sum over its running instances), USD. */
  hourlyNow: number;
  /** Where the prices came from: the cloud's current spot price for every instance, or the catalogue for some. */
  priced: 'cloud' | 'catalogue' | 'mixed' | 'none';
}

const ACTIVE = /^(pending|running|RUNNING|PROVISIONING|STAGING|Succeeded|Creating|Updating)$/;

export function jobProgress(status: SpotJobStatus, plan: SpotPlan | undefined, now: Date = new Date()): JobProgress {
  const hoursSince = (iso: string | undefined) => {
    const t = iso ? Date.parse(iso) : Number.NaN;
    return Number.isFinite(t) ? Math.max(0, (now.getTime() - t) / 3_600_000) : 0;
  };
  let cost = 0;
  let hourly = 0;
  let fromCloud = 0;
  let fromCatalogue = 0;
  for (const i of status.instances) {
    if (!ACTIVE.test(i.state)) continue;
    const price = instancePrice(i, plan);
    if (!price) continue;
    if (price.source === 'cloud') fromCloud += 1; else fromCatalogue += 1;
    hourly += price.hourly;
    cost += price.hourly * hoursSince(i.launchedAt ?? status.requestedAt);
  }
  const priced = fromCloud && fromCatalogue ? 'mixed' : fromCloud ? 'cloud' : fromCatalogue ? 'catalogue' : 'none';
  return { runtimeHours: hoursSince(status.requestedAt), costSoFar: cents(cost), hourlyNow: Math.round(hourly * 1_000_000) / 1_000_000, priced };
}

/** The job's price per hour now, labelled when the catalogue supplied it: "$0.4368/h", "$1.0280/h (catalogue)". */
export function formatHourlyNow(p: JobProgress): string {
  return `${perHour(p.hourlyNow)}${p.priced === 'catalogue' ? ' (catalogue)' : p.priced === 'mixed' ? ' (partly catalogue)' : ''}`;
}

/** An instance's price per hour as instancePrice() finds it, labelled when from the catalogue; '' when none is known. */
export function formatInstancePrice(i: SpotInstance, plan: SpotPlan | undefined): string {
  const price = instancePrice(i, plan);
  return price ? `${perHour(price.hourly)}${price.source === 'catalogue' ? ' (catalogue)' : ''}` : '';
}

/** Where the prices of jobProgress() come from, for a tooltip or a footnote: the cloud, else the catalogue with its date. */
export function describeProgressPrices(p: JobProgress, plan: SpotPlan): string {
  switch (p.priced) {
    case 'cloud': return 'the cloud\'s current spot prices';
    case 'none': return 'no known price';
    case 'catalogue': return `the catalogue's spot prices (${describeSources(spotPriceSources(plan.types))}): the cloud reports none usable`;
    case 'mixed': return `the cloud's current spot prices, else the catalogue's (${describeSources(spotPriceSources(plan.types))})`;
  }
}

/** "2 h 05 min", "12 min", "3 d 4 h". */
export function formatRuntime(hours: number): string {
  const minutes = Math.floor(hours * 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  if (h < 48) return `${h} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
