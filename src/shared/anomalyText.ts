import { formatMoney, UNTAGGED_LABEL } from './format';

/**
 * How an anomaly's group and contributors read, the same in the dashboard's list, the Resources view's tooltips and
 * the notifications (no vscode, no DOM).
 */

const DIMENSION_NAMES: Record<string, string> = {
  ServiceName: 'Service', SubAccountId: 'Account', SubAccountName: 'Account', ProviderName: 'Cloud', RegionId: 'Region',
  ServiceCategory: 'Service category', ResourceId: 'Resource',
};

/** "Team = recsys", "Service = Virtual Machines", "Team = (untagged)"; "All costs" for the total. */
export function anomalyGroupLabel(group: Record<string, string | null>): string {
  const parts = Object.entries(group).map(([k, v]) => `${k.startsWith('tag:') ? k.slice(4) : DIMENSION_NAMES[k] ?? k} = ${v ?? UNTAGGED_LABEL}`);
  return parts.length ? parts.join(', ') : 'All costs';
}

/** The last segment of an ARN or resource path ("vmss-ranker-sweep"): what a list has room for. */
export function shortResourceName(id: string | null): string {
  if (!id) return '(no resource)';
  return id.split(/[/:]/).filter(Boolean).at(-1) ?? id;
}

/** "14 Oct". */
export function anomalyDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** "$10,900.65 above the expected $404.22 ($11,304.88 spent)". */
export function anomalyAmounts(a: { actual: number; expected: number; difference: number; currency: string }, locale?: string): string {
  const m = (v: number) => formatMoney(v, a.currency || undefined, locale);
  return `${m(Math.abs(a.difference))} ${a.difference >= 0 ? 'above' : 'below'} the expected ${m(a.expected)} (${m(a.actual)} spent)`;
}
