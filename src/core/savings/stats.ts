import type { MetricPoint } from '../sources';

export interface SeriesStats {
  /** Distinct hours with a valid value. */
  hours: number;
  average: number;
  p99: number;
  max: number;
}

/**
 * Keeps one finite value in [0, 100] per UTC hour and sorts by time: the last one seen for an hour, or with
 * `peak` the highest (for series read at finer periods, such as GPU memory's 5-minute maxima).
 * Out-of-range and non-finite values (a misconfigured agent) are dropped.
 */
export function hourlyPercentSeries(points: readonly MetricPoint[], peak = false): MetricPoint[] {
  const byHour = new Map<number, MetricPoint>();
  for (const p of points) {
    const t = Date.parse(p.timestamp);
    if (!Number.isFinite(t) || !Number.isFinite(p.value) || p.value < 0 || p.value > 100) continue;
    const hour = Math.floor(t / 3_600_000);
    const seen = byHour.get(hour);
    if (!peak || !seen || p.value > seen.value) byHour.set(hour, p);
  }
  return [...byHour.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function seriesStats(points: readonly MetricPoint[], peak = false): SeriesStats | undefined {
  const values = hourlyPercentSeries(points, peak).map((p) => p.value);
  if (values.length === 0) return undefined;
  return {
    hours: values.length,
    average: values.reduce((a, b) => a + b, 0) / values.length,
    p99: percentile(values, 99),
    max: Math.max(...values),
  };
}
