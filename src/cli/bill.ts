import * as fs from 'node:fs/promises';
import { csvCell } from '../core/allocation/csv';
import * as path from 'node:path';
import type { CostMetric, GroupKey, Period } from '../core/cost/model';
import { parseCostQuery } from '../core/cost/query';
import { defaultTagAliases, tagAliasesFromPolicy } from '../core/cost/tags';
import { FinOpsError } from '../core/errors';
import { CHARGE_KEYS, seriesFromRows, type GroupSeries } from '../core/forecast/series';
import { ALL_TIME, addDays } from '../core/period';
import { loadDefaultPolicy, loadPolicy } from '../core/policy/load';
import type { LoadedPolicy } from '../core/policy/model';
import { FocusFileSource } from '../providers/focus/focusFileSource';
import { usageError } from './io';

/**
 * What the forecast, budgets, anomalies and report commands share: the policy file and the bill, read through the
 * product's one cost query path (FocusFileSource), turned into daily series per group.
 */

/** `.finops.yaml` (or --policy FILE): the tag aliases, budgets and showback settings. Missing default file: defaults. */
export async function readPolicyFile(file: string | undefined, cwd: string): Promise<LoadedPolicy & { file?: string }> {
  const p = path.resolve(cwd, file ?? '.finops.yaml');
  const text = await fs.readFile(p, 'utf8').catch(() => undefined);
  if (text === undefined) {
    if (file) throw usageError(`cannot read the policy file ${file}`);
    return loadDefaultPolicy();
  }
  return { ...loadPolicy(text, p), file: p };
}

/** Refuses a policy whose budgets or showback sections have errors: CI must not pass on a budget it skipped. */
export function refuseSectionErrors(loaded: LoadedPolicy & { file?: string }, sections: string[]): void {
  const errors = loaded.problems.filter((p) => p.severity === 'error' && p.section !== undefined && sections.includes(p.section));
  if (!errors.length) return;
  const where = loaded.file ? path.basename(loaded.file) : 'the policy';
  throw new FinOpsError('input', `${where} has ${errors.length} problem${errors.length > 1 ? 's' : ''} in ${sections.join(' / ')}: ${errors.slice(0, 5).map((e) => `line ${e.line}: ${e.message}`).join('; ')}`, {
    fix: `Correct ${where} (the YAML extension shows each problem on its line), then run again.`,
  });
}

export interface BillSeries {
  /** The days the bill covers (half-open). */
  coverage: Period;
  series: GroupSeries[];
  warnings: string[];
}

/** Opens the bill files of --focus. */
export function openBill(focus: string[], cwd: string, loaded: LoadedPolicy): FocusFileSource {
  if (!focus.length) throw usageError('--focus PATH is required');
  const tagAliases = loaded.policy.source.kind === 'default' ? defaultTagAliases : tagAliasesFromPolicy(loaded.policy);
  return new FocusFileSource({ paths: focus, baseDir: cwd, tagAliases });
}

/**
 * Daily cost per group over the whole bill, split into the recurring series (every covered day, $0 where the group
 * has no row) and one-off amounts.
 */
export async function billSeries(source: FocusFileSource, groupBy: GroupKey[], metric: CostMetric, period: Period = ALL_TIME): Promise<BillSeries> {
  const covered = await source.coverage();
  if (!covered) throw new FinOpsError('input', 'The bill has no cost rows.', { fix: 'Point --focus at a bill with at least two days of cost.' });
  const query = parseCostQuery({ period, granularity: 'daily', groupBy: [...groupBy, ...CHARGE_KEYS], metric });
  const result = await source.query(query);
  const fill: Period = { start: period.start > covered.start ? period.start : covered.start, end: period.end < covered.end ? period.end : covered.end };
  return { coverage: covered, series: seriesFromRows(result.rows, groupBy, fill), warnings: result.warnings ?? [] };
}

/** The last day a half-open coverage holds. */
export function lastCoveredDay(coverage: Period): string {
  return addDays(coverage.end, -1);
}

/** Money rounded to the cent for output. */
export function cents(v: number): number {
  return Math.round(v * 100) / 100;
}

/** One RFC 4180 field, by the product's one CSV writer (text a spreadsheet would run as a formula stays text). */
export const csvField = csvCell;

/** Aligned columns; a `null` row is a rule. */
export function alignTable(cells: (string[] | null)[], rightAligned: Set<number>): string {
  const rows = cells.filter((r): r is string[] => r !== null);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => (r === null
    ? widths.map((w) => '-'.repeat(w)).join('  ')
    : r.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())).join('\n');
}

/** "tag:Team=research, ProviderName=AWS" or "total". */
export function groupLabel(group: Record<string, string | null>): string {
  const parts = Object.entries(group).map(([k, v]) => `${k}=${v ?? '(none)'}`);
  return parts.length ? parts.join(', ') : 'total';
}
