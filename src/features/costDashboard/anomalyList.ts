import type { FoundAnomaly } from '../../core/anomaly/scan';
import type { GroupKey } from '../../core/cost/model';
import { anomalyGroupLabel, shortResourceName } from '../../shared/anomalyText';
import type { DashboardAnomaly } from '../../shared/protocol';

/** The most anomalies the dashboard lists (the protocol's limit). */
const MAX_LISTED = 200;

/** The scan's anomalies as the dashboard's markers and list draw them: newest first, largest first on a day. */
export function dashboardAnomalies(found: readonly FoundAnomaly[]): DashboardAnomaly[] {
  return [...found]
    .sort((a, b) => (a.date > b.date ? -1 : a.date < b.date ? 1 : 0) || b.difference - a.difference)
    .slice(0, MAX_LISTED)
    .map((a) => {
      const [key, value] = Object.entries(a.group)[0] ?? [];
      return {
        date: a.date,
        group: anomalyGroupLabel(a.group),
        ...(key !== undefined ? { filter: { key: key as GroupKey, values: [value ?? null] } } : {}),
        actual: a.actual,
        expected: a.expected,
        above: a.difference,
        currency: a.currency,
        contributors: a.contributors.map((c) => ({ name: shortResourceName(c.resourceId ?? c.skuId), cost: c.increase })),
      };
    });
}
