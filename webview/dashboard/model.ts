import type { ChartTable } from '../../src/shared/dashboardTables';
import { formatAge, formatChange, formatMoney, formatPercent, UNTAGGED_LABEL } from '../../src/shared/format';
import { addDays, lastDayOf, PERIOD_PRESETS, presetLabel, type PeriodChoice, type PeriodPreset } from '../../src/shared/period';
import type { ChartId, DashboardData, DashboardFilter, DashboardState } from '../../src/shared/protocol';
import { seriesLabel } from '../../src/shared/dashboardTables';

/**
 * What the dashboard page computes from the host's data, without the DOM: texts, the stacked series, the filter
 * a click or a table row stands for, and which answers of the host are still wanted. The DOM code (view.ts)
 * only draws what these return; they are unit-tested in plain Node.
 */

/** Series drawn in the stacked daily chart; beyond it the smallest are summed as "Other". */
export const MAX_STACKED = 10;

export interface Series { label: string; values: number[]; kind: 'value' | 'untagged' | 'other' }

/** The period select's options: every preset, `custom` as "Custom…". */
export const PERIOD_OPTIONS: readonly [PeriodPreset, string][] = PERIOD_PRESETS.map((p) => [p, p === 'custom' ? 'Custom…' : presetLabel(p)]);

function metricLabel(metric: DashboardData['metric']): string {
  return metric === 'EffectiveCost' ? 'effective cost (amortized)' : metric === 'BilledCost' ? 'billed cost' : 'list cost';
}

/**
 * "$12,345.67 · Last 30 days (1 – 30 Sep 2024) · effective cost (amortized)"; with credits or refunds in the period,
 * the charges and the credits beside the net figure: "$12,000.00 net ($12,345.67 charges, −$345.67 credits and refunds) · …".
 */
export function summaryText(d: DashboardData): string {
  const credits = d.credits ?? 0;
  const money = Math.abs(credits) > 0.005
    ? `${formatMoney(d.total, d.currency)} net (${formatMoney(d.charges ?? d.total, d.currency)} charges, ${formatMoney(credits, d.currency)} credits and refunds)`
    : formatMoney(d.total, d.currency);
  return `${money} · ${d.period.label} · ${metricLabel(d.metric)}`;
}

/** "Demo bill: updated 2 h ago · AWS: failed …". */
export function sourcesText(d: DashboardData): string {
  return d.sources.map((s) => `${s.label}: ${s.state === 'ok' ? `updated ${s.fetchedAt ? formatAge(s.fetchedAt) : ''}`.trim() : s.message ?? s.state}`).join(' · ');
}

/** The value a single-valued filter on `key` selects (undefined: no such filter). */
export function filterValue(d: DashboardData, key: string): string | null | undefined {
  const f = d.filters.find((x) => x.key === key);
  return f && f.values.length === 1 ? f.values[0] : undefined;
}

/** A chip's text: "Team: ml-research", "Service: Amazon EC2". */
export function filterLabel(f: DashboardFilter): string {
  const key = f.key.startsWith('tag:') ? f.key.slice(4) : f.key.replace(/Name$|Id$/, '');
  const values = f.values.map((v) => v ?? UNTAGGED_LABEL).join(', ');
  return `${key}: ${values}`;
}

/** The index a select shows for `current` among `options` (-1: "all"). */
export function optionIndex(options: readonly (string | null)[], current: string | null | undefined): number {
  return current === undefined ? -1 : options.indexOf(current);
}

/** What the page keeps with setState, so a restored panel comes back as it was. */
export function savedState(d: DashboardData): DashboardState {
  return { version: 1, period: d.period.choice, filters: d.filters };
}

/** The custom period's two inputs for the data shown: the first day and the last day included. */
export function customInputs(d: DashboardData): { start: string; last: string } {
  return { start: d.period.start, last: lastDayOf(d.period) };
}

/** The period a custom range picked on the page stands for (the last day is included, so the end is the day after). */
export function customChoice(start: string, last: string): PeriodChoice {
  return { preset: 'custom', custom: { start, end: addDays(last, 1) } };
}

/** The daily chart's series: the largest drawn, the rest summed as "Other" (the table lists every series). */
export function stackedSeries(daily: DashboardData['daily'], max = MAX_STACKED): { series: Series[]; shown: DashboardData['daily']['series']; rest: number } {
  const shown = daily.series.length > max ? daily.series.slice(0, max - 1) : daily.series;
  const rest = daily.series.slice(shown.length);
  const series: Series[] = shown.map((s) => ({ label: seriesLabel(s.value), values: s.values, kind: s.value === null ? 'untagged' : 'value' }));
  if (rest.length > 0) {
    const values = new Array<number>(daily.dates.length).fill(0);
    for (const s of rest) s.values.forEach((v, i) => { values[i] = (values[i] ?? 0) + v; });
    series.push({ label: `Other (${rest.length})`, values, kind: 'other' });
  }
  return { series, shown, rest: rest.length };
}

/** The filter a click on a chart element or a table row's Filter button stands for; undefined for "Other". */
export function elementFilter(d: DashboardData, chart: ChartId, index: number): DashboardFilter | undefined {
  const breakdown = d.breakdowns.find((b) => b.id === chart);
  if (breakdown) {
    const it = breakdown.items[index];
    return it && it.kind !== 'other' ? { key: breakdown.key, values: [it.value] } : undefined;
  }
  if (chart === 'movers') {
    const m = d.movers[index];
    return m ? { key: m.key, values: [m.value] } : undefined;
  }
  if (chart === 'daily') {
    const s = stackedSeries(d.daily).shown[index];
    return s ? { key: d.daily.key, values: [s.value] } : undefined;
  }
  return undefined;
}

/** Whether a chart's table rows can filter the dashboard. */
export function rowsFilter(d: DashboardData, chart: ChartId): boolean {
  return chart === 'movers' || d.breakdowns.some((b) => b.id === chart);
}

/** A table cell as text: money with the currency, shares as percentages, "—" for nothing. */
export function cellText(value: string | number | null, column: number, table: Pick<ChartTable, 'moneyColumns' | 'shareColumns'>, currency: string | undefined): string {
  if (value === null) return '—';
  if (typeof value !== 'number') return value;
  if (table.moneyColumns.includes(column)) return formatMoney(value, currency);
  if (table.shareColumns.includes(column)) return formatPercent(value);
  return String(value);
}

/** A chart's accessible name: its title and the first five values. */
export function breakdownAria(b: DashboardData['breakdowns'][number], labels: readonly string[], currency: string | undefined): string {
  return `${b.title}: ${b.items.slice(0, 5).map((it, i) => `${labels[i]} ${formatMoney(it.cost, currency)}`).join(', ')}${b.items.length > 5 ? ', …' : ''}`;
}

export function moverLabels(d: DashboardData): string[] {
  return d.movers.map((m) => `${m.dimension}: ${seriesLabel(m.value)}`);
}

export function moversAria(d: DashboardData, labels: readonly string[]): string {
  return `Week-over-week movers: ${d.movers.slice(0, 5).map((m, i) => `${labels[i]} ${formatChange(m.change)}`).join(', ')}`;
}

/** The note under the movers chart. */
export function moversNote(d: DashboardData): string | undefined {
  if (d.movers.length === 0) return 'No change between the last two weeks of the period.';
  return d.moversEnd ? `The 7 days to ${d.moversEnd} against the 7 days before.` : undefined;
}

/** A bar's width for a share, in percent, clamped to 0-100 with one decimal. */
export function barWidth(share: number | undefined): string {
  return `${Math.max(0, Math.min(100, (share ?? 0) * 100)).toFixed(1)}%`;
}

/**
 * Answers the page waits for from the host: each request gets an id, and only the answer to the latest one is
 * taken, so a slow answer to an older request never overwrites a newer one.
 */
export class LatestRequest {
  private last = 0;

  /** A new request's id; answers to earlier ids are dropped from now on. */
  next(): number {
    return ++this.last;
  }

  /** Forgets the request in flight (its answer will be dropped). */
  cancel(): void {
    this.last++;
  }

  /** True when `requestId` is the latest request's. */
  accepts(requestId: number): boolean {
    return requestId === this.last;
  }
}
