import { describeError, isCancelled } from '../../core/errors';
import type { DashboardData } from '../../shared/protocol';
import { formatMoney, formatPercent } from '../../shared/format';
import type { CostView } from '../../platform/costView';
import type { SizedResources } from '../../core/allocation/store';
import { kindLabels, type SavingsReport } from '../../core/savings/report';
import type { Logger } from '../../core/ports';
import { comparisonLines, nativeSourceLine, nativeTitle, ourEstimateLine, type NativeRecommendation } from '../../core/savings/native';

/** Instance types / VM sizes estimated per refresh (the most numerous first). */
const MAX_ESTIMATES = 8;

/** What the recommendations need of the savings estimator (given by the composition root, extension.ts). */
export type Estimate = (request: { instanceType: string; region?: string; subject?: string; resourceId?: string }, signal?: AbortSignal) => Promise<SavingsReport>;

/** The page's limit on a text field (src/shared/protocol.ts). */
const MAX_TEXT = 2000;

/**
 * The dashboard's recommendations: for the instance types / VM sizes the loaded inventories hold (cloud
 * inventories, Terraform and CloudFormation), the savings estimator's best option per type (price catalogue,
 * live prices when turned on), times the number of such resources. Estimates are kept until the sizes change.
 */
/** The clouds' own recommendations (Compute Optimizer, Recommender, Advisor) with the recommenders that failed. */
export type NativeList = (signal?: AbortSignal) => Promise<{ recommendations: NativeRecommendation[]; problems: Array<{ source: string; message: string }> }>;

/**
 * Where the report of the recommendation's resource compares it with ours: our right-sizing and the reasons they
 * differ, the report's own rows (one comparison, computed once by the savings estimator); '' when ours is not known.
 */
async function versusOurs(n: NativeRecommendation, estimate: Estimate, signal: AbortSignal, log: Logger): Promise<string> {
  if (!n.currentType) return '';
  try {
    const report = await estimate({ instanceType: n.currentType, ...(n.region ? { region: n.region } : {}), subject: n.resourceName, resourceId: n.resourceId }, signal);
    const row = report.native?.find((x) => x.recommendation.source === n.source && x.recommendation.resourceId === n.resourceId);
    if (!row?.comparison) return '';
    return [ourEstimateLine(report.options.find((o) => o.kind === 'rightsizing')), ...comparisonLines(row.comparison)].join(' ');
  } catch (e) {
    if (isCancelled(e)) throw e;
    log.debug(`Dashboard recommendations: ${n.resourceName} not compared with ours: ${describeError(e)}`);
    return '';
  }
}

/** Native recommendations as dashboard rows: each with its own saving, source and date, and ours beside it with why they differ. */
async function nativeRows(native: NativeList | undefined, estimate: Estimate, signal: AbortSignal, log: Logger): Promise<DashboardData['recommendations']> {
  if (!native) return [];
  try {
    const r = await native(signal);
    for (const p of r.problems) log.warn(`Dashboard recommendations: ${p.source}: ${p.message}`);
    // the largest ones are compared with ours (each reads its resource's metrics once)
    return await Promise.all(r.recommendations.filter((n) => n.monthlySaving > 0).map(async (n, i) => {
      const versus = i < MAX_ESTIMATES ? await versusOurs(n, estimate, signal, log) : '';
      const detail = `${nativeSourceLine(n)}; priced on ${n.priceBasis}${n.lookbackDays !== undefined ? `, ${n.lookbackDays}-day lookback` : ''}. ${n.details[0] ?? ''} ${versus}`.trim();
      return {
        title: nativeTitle(n),
        detail: detail.length > MAX_TEXT ? `${detail.slice(0, MAX_TEXT - 1)}…` : detail,
        monthlySaving: n.monthlySaving,
        currency: n.currency,
      };
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
    if (list.length === 0) return nativeRows(native, estimate, signal, log);
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
    out.push(...await nativeRows(native, estimate, signal, log));
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
