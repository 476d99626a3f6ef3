import { addDays } from '../../src/core/period';
import type { CostQuery, CostResult, CostRow } from '../../src/core/cost/model';
import type { DashboardSource } from '../../src/features/costDashboard/dashboardData';

/** A bill as flat records; the fake source answers queries by grouping them (a tiny FOCUS engine). */
export interface Rec { day: string; provider: string; service: string; team: string | null; project: string | null; cost: number; currency?: string }

export function recordsSource(id: string, recs: Rec[]): DashboardSource {
  const value = (r: Rec, key: string): string | null => {
    switch (key) {
      case 'ProviderName': return r.provider;
      case 'ServiceName': return r.service;
      case 'tag:Team': return r.team;
      case 'tag:Project': return r.project;
      default: return null;
    }
  };
  return {
    id, label: id,
    cost: {
      id, label: id,
      async query(q: CostQuery): Promise<CostResult> {
        const out = new Map<string, CostRow>();
        for (const r of recs) {
          if (r.day < q.period.start || r.day >= q.period.end) continue;
          if (q.filters?.some((f) => !f.values.includes(value(r, f.key)))) continue;
          const groups = Object.fromEntries(q.groupBy.map((k) => [k, value(r, k)]));
          const period = q.granularity === 'daily' ? r.day : q.granularity === 'monthly' ? `${r.day.slice(0, 7)}-01` : q.period.start;
          const key = JSON.stringify([groups, period, r.currency ?? 'USD']);
          const row = out.get(key) ?? { groups, period, cost: 0, currency: r.currency ?? 'USD' };
          row.cost += r.cost;
          out.set(key, row);
        }
        return { query: q, rows: [...out.values()], source: id, fetchedAt: '2026-03-01T00:00:00Z' };
      },
    },
  };
}

export function syntheticBill(seed: number): Rec[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const recs: Rec[] = [];
  const teams = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', null];
  for (let d = 0; d < 40; d++) {
    for (let i = 0; i < 30; i++) {
      recs.push({
        day: addDays('2026-01-20', d), provider: rnd() < 0.7 ? 'AWS' : 'Google Cloud', service: `svc-${Math.floor(rnd() * 14)}`,
        team: teams[Math.floor(rnd() * teams.length)]!, project: rnd() < 0.3 ? null : `p-${Math.floor(rnd() * 5)}`, cost: Math.round(rnd() * 10000) / 100,
      });
    }
  }
  return recs;
}
