import type { Services } from '../../services';
import { describeError, isFinOpsError } from '../../core/errors';
import type { DashboardData } from '../../shared/protocol';
import { formatMoney, formatPercent } from '../../shared/format';
import type { CostView } from '../resourcesTree/costView';
import type { SizedResources } from '../resourcesTree/treeModel';
import type { SavingsReport } from '../../core/savings/report';

/** Instance types / VM sizes estimated per refresh (the most numerous first). */
export const MAX_ESTIMATES = 8;

/**
 * The dashboard's recommendations: for the instance types / VM sizes the loaded inventories hold (cloud
 * inventories, Terraform and CloudFormation), the savings estimator's best option per type (price catalogue,
 * live prices when turned on), times the number of such resources. Estimates are kept until the sizes change.
 * The estimator (and what it loads) is imported on first use.
 */
export function recommendationsFor(services: Services, view: CostView): (signal: AbortSignal) => Promise<DashboardData['recommendations']> {
  let cached: { key: string; value: Promise<DashboardData['recommendations']> } | undefined;
  let estimator: { estimate(r: { instanceType: string; region?: string; subject?: string }, signal?: AbortSignal): Promise<SavingsReport> } | undefined;

  const sizes = (): SizedResources[] => {
    const all = new Map<string, SizedResources>();
    for (const s of view.sources) {
      const snap = view.store.snapshot(s.id);
      if (snap?.kind !== 'ready') continue;
      for (const z of snap.sizes) {
        const key = `${z.provider}\u0000${z.size}\u0000${z.region ?? ''}`;
        const e = all.get(key);
        if (e) e.count += z.count; else all.set(key, { ...z });
      }
    }
    return [...all.values()].sort((a, b) => b.count - a.count || a.size.localeCompare(b.size)).slice(0, MAX_ESTIMATES);
  };

  const compute = async (list: SizedResources[], signal: AbortSignal): Promise<DashboardData['recommendations']> => {
    if (list.length === 0) return [];
    if (!estimator) {
      const { SavingsEstimator } = await import('../savings/estimator');
      estimator = new SavingsEstimator(services);
    }
    const { kindLabels } = await import('../../core/savings/report');
    const out: DashboardData['recommendations'] = [];
    for (const z of list) {
      try {
        const report = await estimator.estimate({ instanceType: z.size, ...(z.region ? { region: z.region } : {}), subject: `${z.count} × ${z.size}` }, signal);
        const best = report.options
          .filter((o) => o.status === 'ok' && o.kind !== 'combined' && o.monthlySaving > 0)
          .sort((a, b) => b.monthlySaving - a.monthlySaving)[0];
        if (!best) continue;
        const where = report.prices.region;
        const sources = [...new Set(best.sources.map((src) => `${src.name} (${src.capturedAt})`))].join('; ');
        out.push({
          title: `${z.count} × ${z.size} in ${where}: ${kindLabels[best.kind]} — ${best.option}`,
          detail: `${formatPercent(best.savingFraction)} less than ${formatMoney(best.baselineMonthlyCost, 'USD')}/mo each. ${best.assumptions[0] ?? ''}${sources ? ` Prices: ${sources}.` : ''}`.trim(),
          monthlySaving: best.monthlySaving * z.count,
          currency: 'USD',
        });
      } catch (e) {
        if (isFinOpsError(e, 'cancelled')) throw e;
        services.log.debug(`Dashboard recommendations: no estimate for ${z.size}: ${describeError(e)}`);
      }
    }
    return out.sort((a, b) => b.monthlySaving - a.monthlySaving);
  };

  return async (signal) => {
    // the sizes come from the inventories the Resources view loads: load them if nothing has yet
    if (!view.loadedAt) await view.load();
    const list = sizes();
    const key = JSON.stringify(list);
    if (cached?.key !== key) {
      const value = compute(list, signal);
      cached = { key, value };
      value.catch(() => { if (cached?.value === value) cached = undefined; });
    }
    return cached.value;
  };
}
