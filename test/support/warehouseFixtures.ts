import type { CostMetric, CostQuery, GroupKey } from '../../src/core/cost/model';
import type { ExportRow, FocusRow, Label } from './warehouse';

/**
 * Seeded fixture rows for the warehouse tests and fakes, and the answer a query must give, computed here in plain
 * JavaScript from the same rows (independently of any SQL): what BigQuery or Athena would return.
 */
export function random(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 69621) % 2147483647; return s / 2147483647; };
}

const DAYS = ['2024-08-31', '2024-09-01', '2024-09-02', '2024-09-15', '2024-09-30', '2024-10-01'];
const SERVICES = [['6F81-5844-456A', 'Compute Engine'], ['C7E2-9256-1C43', 'Vertex AI'], ['95FF-2EF5-5EA1', 'Cloud Storage']] as const;
const RESOURCE_LABELS: Label[][] = [[{ key: 'team', value: 'nlp' }], [{ key: 'cost_center', value: 'cc-1' }, { key: 'team', value: 'vision' }], [{ key: 'cost-center', value: 'cc-2' }], [{ key: 'Team', value: 'not-a-label' }], [{ key: 'costcenter', value: 'cc-3' }, { key: 'cost_center', value: 'cc-4' }], []];
const PROJECT_LABELS: Label[][] = [[{ key: 'team', value: 'platform' }], [{ key: 'cost_center', value: 'cc-p' }], []];

export function exportRows(seed = 5): ExportRow[] {
  const next = random(seed);
  const rows: ExportRow[] = [];
  for (const day of DAYS) {
    for (const [id, description] of SERVICES) {
      for (let k = 0; k < 4; k++) {
        const cost = Math.round(next() * 80000) / 100;
        const labels = RESOURCE_LABELS[Math.floor(next() * RESOURCE_LABELS.length)]!;
        const projectLabels = PROJECT_LABELS[Math.floor(next() * PROJECT_LABELS.length)]!;
        const hour = String(Math.floor(next() * 24)).padStart(2, '0');
        rows.push({
          billing_account_id: next() < 0.8 ? '0123AB-CDEF45-6789AB' : '0AAAAA-BBBBBB-CCCCCC',
          service: { id, description },
          sku: { id: `SKU-${k}`, description: `${description} ${k}` },
          usage_start_time: `${day} ${hour}:00:00`,
          usage_end_time: `${day} ${hour}:59:59`,
          project: { id: next() < 0.5 ? 'ml-train' : 'ml-serve', name: 'ML', labels: projectLabels },
          labels,
          location: { location: 'us-central1', region: next() < 0.9 ? 'us-central1' : null, zone: null },
          cost,
          cost_at_list: Math.round(cost * 1.25 * 100) / 100,
          currency: next() < 0.9 ? 'USD' : 'EUR',
          credits: next() < 0.5 ? [{ name: 'CUD', amount: -Math.round(cost * 20) / 100, type: 'COMMITTED_USAGE_DISCOUNT' }] : [],
          cost_type: next() < 0.9 ? 'regular' : 'tax',
          resource: { name: `vm-${k}`, global_name: `//compute.googleapis.com/projects/ml-train/zones/us-central1-a/instances/vm-${k}` },
        });
      }
    }
  }
  return rows;
}

const PROVIDERS = ['AWS', 'AWS', 'Microsoft', 'Google Cloud'] as const;
const TAG_SETS: Record<string, string>[] = [{ Team: 'nlp' }, { team: 'vision', CostCenter: 'cc-1' }, { cost_center: 'cc-2' }, {}, { Team: 'research', Project: 'llm' }];

export function focusRows(seed = 7): FocusRow[] {
  const next = random(seed);
  const rows: FocusRow[] = [];
  for (const day of DAYS) {
    for (let k = 0; k < 12; k++) {
      const billed = Math.round(next() * 50000) / 100;
      const provider = PROVIDERS[Math.floor(next() * PROVIDERS.length)]!;
      rows.push({
        ChargePeriodStart: `${day} ${String(k).padStart(2, '0')}:00:00`,
        BillingCurrency: next() < 0.9 ? 'USD' : 'EUR',
        BilledCost: billed,
        EffectiveCost: Math.round(billed * 0.8 * 100) / 100,
        ListCost: next() < 0.9 ? Math.round(billed * 1.3 * 100) / 100 : null,
        ProviderName: provider,
        ServiceName: ['Amazon Elastic Compute Cloud', "O'Brien's service", 'Amazon SageMaker'][k % 3]!,
        ServiceCategory: k % 2 ? 'Compute' : 'AI and Machine Learning',
        RegionId: next() < 0.9 ? 'us-east-1' : null,
        SubAccountId: `11111111111${k % 2}`,
        SubAccountName: 'ml',
        BillingAccountId: '999999999999',
        ResourceId: next() < 0.9 ? `i-${k}` : null,
        ResourceName: null,
        ResourceType: 'instance',
        ChargeCategory: k % 5 ? 'Usage' : 'Tax',
        PricingCategory: 'Standard',
        SkuId: `SKU${k}`,
        Tags: TAG_SETS[Math.floor(next() * TAG_SETS.length)]!,
      });
    }
  }
  return rows;
}

/** How a fixture row answers a query: its time, currency, metric and the value of each key. */
export interface RowReader<R> {
  time(r: R): string;
  currency(r: R): string;
  cost(r: R, metric: CostMetric): number | null;
  key(r: R, key: GroupKey): string | null;
}

export const exportReader = (tagNames: (key: string) => readonly string[]): RowReader<ExportRow> => ({
  time: (r) => r.usage_start_time,
  currency: (r) => r.currency,
  cost: (r, metric) => (metric === 'BilledCost' ? r.cost : metric === 'EffectiveCost' ? r.cost + r.credits.reduce((s, c) => s + c.amount, 0) : r.cost_at_list),
  key: (r, key) => {
    if (key.startsWith('tag:')) {
      // a resource label wins over a project label; among names, the first that is present
      const names = tagNames(key.slice(4));
      for (const list of [r.labels, r.project.labels]) for (const n of names) { const hit = list.find((l) => l.key === n); if (hit) return hit.value; }
      return null;
    }
    const pick: Record<string, string | null | undefined> = {
      ServiceName: r.service.description, RegionId: r.location.region, SubAccountId: r.project.id, SubAccountName: r.project.name,
      BillingAccountId: r.billing_account_id, SkuId: r.sku.id, ProviderName: 'Google Cloud',
      ChargeCategory: r.cost_type === 'regular' ? 'Usage' : r.cost_type === 'tax' ? 'Tax' : 'Adjustment',
      ResourceId: r.resource?.global_name, ResourceName: r.resource?.name,
    };
    if (!(key in pick)) throw new Error(`no ${key} in the export`);
    return pick[key] ?? null;
  },
});

export const focusReader = (tagNames: (key: string) => readonly string[]): RowReader<FocusRow> => ({
  time: (r) => r.ChargePeriodStart,
  currency: (r) => r.BillingCurrency,
  cost: (r, metric) => r[metric],
  key: (r, key) => {
    if (key.startsWith('tag:')) {
      for (const n of tagNames(key.slice(4))) if (n in r.Tags) return r.Tags[n]!;
      return null;
    }
    return (r as unknown as Record<string, string | null>)[key] ?? null;
  },
});

/** The rows a warehouse returns for `query`: groups, period, currency, summed cost (sorted for comparison). */
export function expectedAnswer<R>(rows: readonly R[], reader: RowReader<R>, query: CostQuery): { groups: (string | null)[]; period: string; currency: string; cost: number }[] {
  const sums = new Map<string, number | null>();
  for (const r of rows) {
    const t = reader.time(r);
    if (t < query.period.start || t >= query.period.end) continue;
    if (!(query.filters ?? []).every((f) => f.values.includes(reader.key(r, f.key)))) continue;
    const period = query.granularity === 'total' ? query.period.start : query.granularity === 'daily' ? t.slice(0, 10) : `${t.slice(0, 7)}-01`;
    const k = JSON.stringify([query.groupBy.map((g) => reader.key(r, g)), period, reader.currency(r)]);
    const c = reader.cost(r, query.metric);
    sums.set(k, c === null ? (sums.get(k) ?? null) : (sums.get(k) ?? 0) + c);
  }
  return [...sums].map(([k, cost]) => {
    const [groups, period, currency] = JSON.parse(k) as [(string | null)[], string, string];
    return { groups, period, currency, cost: cost ?? 0 };
  }).sort(compareAnswer);
}

export function compareAnswer(a: { groups: (string | null)[]; period: string; currency: string }, b: { groups: (string | null)[]; period: string; currency: string }): number {
  return JSON.stringify([a.period, a.currency, a.groups]).localeCompare(JSON.stringify([b.period, b.currency, b.groups]));
}
