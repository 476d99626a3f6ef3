import type { ChartId, DashboardData } from './protocol';
import { UNTAGGED_LABEL, OTHER_LABEL } from './format';

/** Human names of the charts (for file names and titles). */
export const CHART_TITLES: Record<ChartId, string> = {
  daily: 'Daily cost by provider',
  level1: 'Cost by team',
  level2: 'Cost by project',
  service: 'Cost by service',
  movers: 'Week-over-week movers',
  untagged: 'Untagged share',
  recommendations: 'Recommendations',
  gpu: 'GPU spend by accelerator',
};

/**
 * Each dashboard chart as a table: the page shows it as the chart's accessible alternative and the host
 * writes it as CSV, so both always agree. Numbers stay numbers here; the page formats them.
 */
export interface ChartTable {
  header: string[];
  rows: (string | number | null)[][];
  /** Which columns hold money (formatted with the currency on the page). */
  moneyColumns: number[];
  /** Which columns hold shares 0..1. */
  shareColumns: number[];
}

export function itemLabel(item: { kind: 'value' | 'untagged' | 'other'; value: string | null; count?: number }): string {
  if (item.kind === 'other') return item.count && item.count > 1 ? `${OTHER_LABEL} (${item.count})` : OTHER_LABEL;
  return item.value ?? UNTAGGED_LABEL;
}

export function seriesLabel(value: string | null): string {
  return value ?? UNTAGGED_LABEL;
}

export function chartTable(data: DashboardData, chart: ChartId): ChartTable {
  switch (chart) {
    case 'daily': {
      const names = data.daily.series.map((s) => seriesLabel(s.value));
      return {
        header: ['Date', ...names, 'Total'],
        rows: data.daily.dates.map((d, i) => {
          const values = data.daily.series.map((s) => s.values[i] ?? 0);
          return [d, ...values, values.reduce((a, b) => a + b, 0)];
        }),
        moneyColumns: [...names.map((_n, i) => i + 1), names.length + 1],
        shareColumns: [],
      };
    }
    case 'level1':
    case 'level2':
    case 'service': {
      const b = data.breakdowns.find((x) => x.id === chart);
      return {
        header: [b ? b.title.replace(/^Cost by /, '') : 'Value', 'Cost', 'Share'],
        rows: (b?.items ?? []).map((it) => [itemLabel(it), it.cost, it.share ?? null]),
        moneyColumns: [1],
        shareColumns: [2],
      };
    }
    case 'movers':
      return {
        header: ['Dimension', 'Value', 'Previous 7 days', 'Last 7 days', 'Change', 'Change %'],
        rows: data.movers.map((m) => [m.dimension, seriesLabel(m.value), m.previous, m.current, m.delta, m.change ?? null]),
        moneyColumns: [2, 3, 4],
        shareColumns: [5],
      };
    case 'untagged':
      return {
        header: ['Tag key', 'Untagged cost', 'Share of total'],
        rows: data.untagged.map((u) => [u.key, u.cost, u.share ?? null]),
        moneyColumns: [1],
        shareColumns: [2],
      };
    case 'gpu':
      return {
        header: ['Accelerators', 'Cost', 'GPU-hours', 'Cost per GPU-hour'],
        rows: (data.gpus ?? []).map((g) => [g.label, g.cost, g.gpuHours === undefined ? null : Math.round(g.gpuHours), g.costPerGpuHour ?? null]),
        moneyColumns: [1, 3],
        shareColumns: [],
      };
    case 'recommendations':
      return {
        header: ['Recommendation', 'Detail', 'Monthly saving', 'Resource'],
        rows: data.recommendations.map((r) => [r.title, r.detail, r.monthlySaving, r.resourceId ?? null]),
        moneyColumns: [2],
        shareColumns: [],
      };
  }
}
