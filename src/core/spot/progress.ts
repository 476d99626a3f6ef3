import { cents } from '../savings/estimate';
import type { SpotJobStatus } from './launcher';
import type { SpotPlan } from './plan';

/**
 * How long a launched job has run and what its instances have cost so far: what the Spot jobs view and
 * `mlfinops spot status` show. Each instance running now is counted from its launch at its current spot price as
 * the cloud reports it, else at the plan's catalogue price for its type (spot or on-demand, by its lifecycle).
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
    const typed = plan?.types.find((t) => t.instanceType === i.instanceType);
    const catalogue = i.lifecycle === 'spot' ? typed?.spotHourly ?? typed?.onDemandHourly : typed?.onDemandHourly;
    const price = i.pricePerHour ?? catalogue;
    if (price === undefined) continue;
    if (i.pricePerHour !== undefined) fromCloud += 1; else fromCatalogue += 1;
    hourly += price;
    cost += price * hoursSince(i.launchedAt ?? status.requestedAt);
  }
  const priced = fromCloud && fromCatalogue ? 'mixed' : fromCloud ? 'cloud' : fromCatalogue ? 'catalogue' : 'none';
  return { runtimeHours: hoursSince(status.requestedAt), costSoFar: cents(cost), hourlyNow: Math.round(hourly * 10_000) / 10_000, priced };
}

/** "2 h 05 min", "12 min", "3 d 4 h". */
export function formatRuntime(hours: number): string {
  const minutes = Math.floor(hours * 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  if (h < 48) return `${h} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
