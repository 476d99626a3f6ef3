import { defaultRegions, type PriceCatalogue } from '../pricing/catalogue';
import { HOURS_PER_MONTH, type CloudProvider } from '../pricing/model';
import type { Resource } from '../sources';
import type { ComputeWorkload } from './estimate';

/** A machine declared in IaC or listed by an inventory: its cloud, name, size and region. */
interface DeclaredMachine { provider: string; id: string; name?: string; size?: string; region?: string }

const CLOUDS: Record<string, CloudProvider> = { aws: 'aws', gcp: 'gcp', google: 'gcp', azure: 'azure', azurerm: 'azure' };

/**
 * Declared machines as a migration workload, running around the clock (730 h a month) and costing now the
 * catalogue's on-demand price: the same basis on both sides, since a declaration has no bill. Machines without a size
 * or a known cloud are left out; a size the catalogue does not know is kept with no current cost (the estimate says
 * "not estimated" for it).
 */
export function workloadFromDeclared(machines: readonly (DeclaredMachine | Resource)[], catalogue: PriceCatalogue): ComputeWorkload[] {
  const out: ComputeWorkload[] = [];
  for (const m of machines) {
    const provider = CLOUDS[m.provider.toLowerCase()];
    if (!provider || !m.size) continue;
    // GCP machine types may be written as a URL path; SageMaker ml.* types priced as the EC2 type
    const size = provider === 'gcp' ? (m.size.split('/').pop() ?? m.size) : m.size.replace(/^ml\./, '');
    const region = m.region ?? defaultRegions[provider];
    let hourly = 0;
    try {
      hourly = catalogue.prices(size, region).onDemand.hourly;
    } catch {
      try { hourly = catalogue.prices(size).onDemand.hourly; } catch { hourly = 0; }
    }
    out.push({ id: m.id, ...(m.name ? { name: m.name } : {}), provider, region, instanceType: size, hoursPerMonth: HOURS_PER_MONTH, currentMonthlyCost: hourly * HOURS_PER_MONTH });
  }
  return out;
}
