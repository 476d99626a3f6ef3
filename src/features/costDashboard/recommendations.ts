import { describeError, isCancelled } from '../../core/errors';
import type { DashboardData } from '../../shared/protocol';
import { formatMoney, formatPercent } from '../../shared/format';
import type { CostView } from '../../platform/costView';
import type { SizedResources } from '../../core/allocation/store';
import { kindLabels, type SavingsReport } from '../../core/savings/report';
import type { Logger } from '../../core/ports';
import { nativeSourceLine, nativeTitle, type NativeRecommendation } from '../../core/savings/native';

/** Instance types / VM sizes estimated per refresh (the most numerous first). */
const MAX_ESTIMATES = 8;

/** What the recommendations need of the savings estimator (given by the composition root, extension.ts). */
export type Estimate = (request: { instanceType: string; region?: string; subject?: string }, signal?: AbortSignal) => Promise<SavingsReport>;

/**
 * The dashboard's recommendations: for the instance types / VM sizes the loaded inventories hold (cloud
 * inventories, Terraform and CloudFormation), the savings estimator's best option per type (price catalogue,
 * live prices when turned on), times the number of such resources. Estimates are kept until the sizes change.
 */
/** The clouds' own recommendations (Compute Optimizer, Recommender, Advisor) with the recommenders that failed. */
export type NativeList = (signal?: AbortSignal) => Promise<{ recommendations: NativeRecommendation[]; problems: Array<{ source: string; message: string }> }>;

/** Native recommendations as dashboard rows: each with its own saving, source and date, beside ours. */
async function nativeRows(native: NativeList | undefined, signal: AbortSignal, log: Logger): Promise<DashboardData['recommendations']> {
  if (!native) return [];
  try {
    const r = await native(signal);
    for (const p of r.problems) log.warn(`Dashboard recommendations: ${p.source}: ${p.message}`);
    return r.recommendations.filter((n) => n.monthlySaving > 0).map((n) => ({
      title: nativeTitle(n),
      detail: `${nativeSourceLine(n)}; priced on ${n.priceBasis}${n.lookbackDays !== undefined ? `, ${n.lookbackDays}-day lookback` : ''}. ${n.details[0] ?? ''}`.trim(),
      monthlySaving: n.monthlySaving,
      currency: n.currency,
    }));
  } catch (e) {
    if (isCancelled(e)) throw e;
    log.warn(`Dashboard recommendations: the clouds' own recommenders: ${describeError(e)}`);
    return [];
  }
}

export function recommendationsFor(view: CostView, estimate: Estimate, log: Logger, native?: NativeList): (signal: AbortSignal) => Promise<DashboardData['recommendations']> {
  let cached: { key: string; value: Promise<DashboardData['recommendations']> } | undefined;

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
    if (list.length === 0) return nativeRows(native, signal, log);
    const out: DashboardData['recommendations'] = [];
    for (const z of list) {
      try {
        const report = await estimate({ instanceType: z.size, ...(z.region ? { region: z.region } : {}), subject: `${z.count} × ${z.size}` }, signal);
        // the same best option the code lens and the report quote for this type
        const best = report.summary.best;
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
        if (isCancelled(e)) throw e;
        log.debug(`Dashboard recommendations: no estimate for ${z.size}: ${describeError(e)}`);
      }
    }
    out.push(...await nativeRows(native, signal, log));
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
