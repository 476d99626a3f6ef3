import { cloudOfProvider } from '../cost/tags';
import { FinOpsError } from '../errors';
import { addDays } from '../period';
import type { CostFilter, Period } from '../cost/model';
import type { CloudProvider } from '../pricing/model';
import type { ComputeWorkload, MigrationRequest, OtherWorkload, StorageWorkload } from './estimate';

/** One resource of a bill over a period, as a workload query returns it (FocusFileSource.workload). */
export interface BillWorkloadRow {
  id: string;
  name?: string;
  provider: string;
  region?: string;
  service?: string;
  category?: string;
  instanceType?: string;
  machine: { vcpu?: number; memoryGiB?: number; gpus?: number; gpuModel?: string };
  /** Compute hours over the period. */
  hours: number;
  /** Storage GB-months over the period (one month of it: the average GB stored). */
  gbMonths: number;
  /** EffectiveCost over the period. */
  cost: number;
  currency: string;
  currencies: number;
}

/** A bill source that answers workload queries (a FOCUS file source). */
export interface BillWorkloadSource {
  workload(filters: readonly CostFilter[], period: Period, signal?: AbortSignal): Promise<BillWorkloadRow[]>;
  coverage(signal?: AbortSignal): Promise<Period | undefined>;
}

export function isBillWorkloadSource(x: unknown): x is BillWorkloadSource {
  return typeof x === 'object' && x !== null && typeof (x as Partial<BillWorkloadSource>).workload === 'function' && typeof (x as Partial<BillWorkloadSource>).coverage === 'function';
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2026-10" → [2026-10-01, 2026-11-01) and "October 2026". */
export function monthPeriod(month: string): { period: Period; label: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(month.trim());
  const mm = m ? Number(m[2]) : 0;
  if (!m || mm < 1 || mm > 12) throw new FinOpsError('usage', `A month is written YYYY-MM (got "${month}").`, { fix: 'Write the month as 2026-10.', code: 'commandLine' });
  const start = `${m[1]}-${m[2]}-01`;
  const next = mm === 12 ? `${Number(m[1]) + 1}-01-01` : `${m[1]}-${String(mm + 1).padStart(2, '0')}-01`;
  return { period: { start, end: next }, label: `${MONTHS[mm - 1]} ${m[1]}` };
}

/** The last whole calendar month inside the dates a bill covers ([start, end)), as YYYY-MM; undefined if none. */
export function lastFullMonth(covered: Period): string | undefined {
  const lastDay = addDays(covered.end, -1);
  let [y, mo] = lastDay.split('-').map(Number) as [number, number];
  // the month of the last day is whole only when that day ends it
  if (addDays(lastDay, 1).slice(8, 10) !== '01') {
    mo -= 1;
    if (mo === 0) { mo = 12; y -= 1; }
  }
  const month = `${y}-${String(mo).padStart(2, '0')}`;
  return `${month}-01` >= covered.start ? month : undefined;
}

function cloud(provider: string): CloudProvider | undefined {
  const c = cloudOfProvider(provider);
  return c === 'other' ? undefined : c;
}

/**
 * Sorts a month of bill rows into machines (a named instance type and compute hours), stored data (GB-months) and the
 * rest, in the terms of a migration request. Rows in other currencies than USD are refused: the catalogue is in USD.
 */
export function workloadFromBill(rows: readonly BillWorkloadRow[]): Pick<MigrationRequest, 'compute' | 'storage' | 'other'> {
  const foreign = rows.filter((r) => r.currencies > 1 || (r.currency !== '' && r.currency.toUpperCase() !== 'USD'));
  if (foreign.length) {
    throw new FinOpsError('input', `${foreign.length} selected resource${foreign.length === 1 ? ' is' : 's are'} billed in ${[...new Set(foreign.map((r) => r.currency || 'several currencies'))].join(', ')}; the price catalogue is in USD.`, {
      fix: 'Select resources billed in USD.',
    });
  }
  const compute: ComputeWorkload[] = [];
  const storage: StorageWorkload[] = [];
  const other: OtherWorkload[] = [];
  for (const r of rows) {
    const provider = cloud(r.provider);
    const named = { id: r.id, ...(r.name ? { name: r.name } : {}) };
    if (provider && r.region && r.instanceType && r.hours > 0) {
      compute.push({ ...named, provider, region: r.region, instanceType: r.instanceType, billShape: r.machine, hoursPerMonth: r.hours, currentMonthlyCost: r.cost });
    } else if (provider && r.region && r.gbMonths > 0) {
      storage.push({ ...named, provider, region: r.region, storedGiB: r.gbMonths, currentMonthlyCost: r.cost });
    } else if (r.cost !== 0) {
      other.push({ ...named, provider: r.provider, ...(r.service ? { service: r.service } : {}), currentMonthlyCost: r.cost });
    }
  }
  return { compute, storage, other };
}
