import type { CostRow, GroupKey } from '../cost/model';
import { toCsv } from '../allocation/csv';
import { mdText } from '../markdown';
import type { Anomaly } from '../anomaly/detect';
import type { BudgetStatus } from '../budgets/evaluate';
import type { ShowbackAllocation, ShowbackSettings } from '../budgets/schema';

/**
 * The monthly showback report: each team's cost by project and by workload stage, with untagged and shared cost
 * allocated to the teams (in proportion to their own cost, evenly, or not at all, as `.finops.yaml` says), its
 * budgets and anomalies. Amounts are whole cents that add up exactly: every split hands out the rounding remainder
 * cent by cent, largest fraction first, ties by name.
 */

export const STAGES = ['training', 'inference', 'experimentation', 'storage', 'data transfer', 'other'] as const;
export type Stage = (typeof STAGES)[number];

/** The label of cost that no team carries. */
export const UNALLOCATED = '(untagged and shared)';

const STAGE_WORDS: [RegExp, Stage][] = [
  [/^(train|training|fine-?tun\w*|pretrain\w*)$/i, 'training'],
  [/^(infer|inference|serving|serve|prod|production|endpoint)$/i, 'inference'],
  [/^(experiment\w*|exp|research|notebooks?|dev|sandbox)$/i, 'experimentation'],
  [/^(storage|data|datasets?|checkpoints?)$/i, 'storage'],
  [/^(data[ -]?transfer|transfer|egress|network\w*)$/i, 'data transfer'],
];

/** The stage of a cost: its Stage tag when it names one, else its FOCUS ServiceCategory (Storage, Networking). */
export function stageOf(stageTag: string | null | undefined, serviceCategory: string | null | undefined): Stage {
  const tag = (stageTag ?? '').trim();
  for (const [re, stage] of STAGE_WORDS) if (re.test(tag)) return stage;
  const category = (serviceCategory ?? '').trim().toLowerCase();
  if (category === 'storage' || category === 'databases') return 'storage';
  if (category === 'networking') return 'data transfer';
  return 'other';
}

/**
 * Splits `totalCents` in proportion to `weights` (largest remainder method): each part is the floor of its exact
 * share, and the cents left over go one by one to the largest fractional parts, ties broken by key. The parts add
 * up to `totalCents` exactly. Negative totals are split the same way and negated. With no positive weight the
 * split is even.
 */
export function apportion(totalCents: number, weights: readonly { key: string; weight: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  if (!weights.length) return out;
  const sign = totalCents < 0 ? -1 : 1;
  const total = Math.abs(Math.round(totalCents));
  const positive = weights.map((w) => ({ key: w.key, weight: Math.max(0, w.weight) }));
  let sum = positive.reduce((s, w) => s + w.weight, 0);
  if (!(sum > 0)) {
    for (const w of positive) w.weight = 1;
    sum = positive.length;
  }
  const parts = positive.map((w) => {
    const exact = (total * w.weight) / sum;
    const floor = Math.floor(exact + 1e-9);
    return { key: w.key, cents: floor, fraction: exact - floor };
  });
  let left = total - parts.reduce((s, p) => s + p.cents, 0);
  const order = [...parts].sort((a, b) => b.fraction - a.fraction || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let i = 0; left > 0; i = (i + 1) % order.length, left--) order[i]!.cents++;
  for (const p of parts) out.set(p.key, sign * p.cents);
  return out;
}

/** Cents of an amount, for splitting. */
export const toCents = (amount: number): number => Math.round(amount * 100);

export interface TeamReport {
  team: string;
  /** Direct + allocated, in cents. */
  totalCents: number;
  directCents: number;
  allocatedCents: number;
  /** By project (the team's direct cost), largest first; a missing tag is "(no Project tag)". */
  projects: { name: string; cents: number }[];
  /** By stage (direct cost). */
  stages: { stage: Stage; cents: number }[];
  budgets: BudgetStatus[];
  anomalies: Anomaly[];
}

export interface ShowbackReport {
  month: string;
  currency: string;
  /** The key teams are read from ("tag:Team"). */
  by: GroupKey;
  allocation: ShowbackAllocation;
  /** Team values treated as shared. */
  shared: string[];
  totalCents: number;
  /** Untagged and shared cost before allocation (cents). */
  poolCents: number;
  /** With allocation "none": the pool's own line. */
  teams: TeamReport[];
}

export interface ShowbackInput {
  month: string;
  currency: string;
  by: GroupKey;
  /** Rows of the month (granularity total) grouped by `by`, the project key, the stage key and ServiceCategory. */
  rows: readonly CostRow[];
  projectKey: GroupKey;
  stageKey: GroupKey;
  settings: ShowbackSettings;
  budgets?: readonly BudgetStatus[];
  /** Budgets are matched to teams by their scope's tag values (the `by` tag). */
  budgetTeams?: (status: BudgetStatus) => string[];
  anomalies?: readonly Anomaly[];
}

/** Builds the report. Every amount is in cents and the teams' totals add up to the month's total exactly. */
export function buildShowback(input: ShowbackInput): ShowbackReport {
  const shared = new Set((input.settings.shared ?? []).map(String));
  const isPool = (team: string | null | undefined): boolean => team === null || team === undefined || team === '' || shared.has(team);
  const direct = new Map<string, number>();
  const projects = new Map<string, Map<string, number>>();
  const stages = new Map<string, Map<Stage, number>>();
  let pool = 0;
  let total = 0;
  for (const r of input.rows) {
    total += r.cost;
    const team = r.groups[input.by];
    if (isPool(team)) {
      pool += r.cost;
      continue;
    }
    const t = team!;
    direct.set(t, (direct.get(t) ?? 0) + r.cost);
    const project = r.groups[input.projectKey] ?? `(no ${input.projectKey.replace(/^tag:/, '')} tag)`;
    const p = projects.get(t) ?? new Map<string, number>();
    p.set(project, (p.get(project) ?? 0) + r.cost);
    projects.set(t, p);
    const stage = stageOf(r.groups[input.stageKey], r.groups.ServiceCategory);
    const s = stages.get(t) ?? new Map<Stage, number>();
    s.set(stage, (s.get(stage) ?? 0) + r.cost);
    stages.set(t, s);
  }
  const teams = [...direct.keys()].sort();
  const allocation = teams.length ? input.settings.allocation : 'none';
  const totalCents = toCents(total);
  // the month's cents split between the teams' direct cost and the pool, then the pool between the teams
  const signed = signedCents(totalCents, [...teams.map((t) => ({ key: `team:${t}`, amount: direct.get(t)! })), { key: 'pool', amount: pool }]);
  const poolCents = signed.get('pool') ?? 0;
  const allocated = allocation === 'none' ? new Map<string, number>()
    : apportion(poolCents, teams.map((t) => ({ key: t, weight: allocation === 'even' ? 1 : direct.get(t)! })));
  const reports: TeamReport[] = teams.map((t) => {
    const directCents = signed.get(`team:${t}`) ?? 0;
    const projectCents = signedCents(directCents, [...projects.get(t)!].map(([key, amount]) => ({ key, amount })));
    const stageCents = signedCents(directCents, [...stages.get(t)!].map(([key, amount]) => ({ key, amount })));
    const allocatedCents = allocated.get(t) ?? 0;
    return {
      team: t,
      totalCents: directCents + allocatedCents,
      directCents,
      allocatedCents,
      projects: [...projectCents].map(([name, cents]) => ({ name, cents })).sort((a, b) => b.cents - a.cents || a.name.localeCompare(b.name)),
      stages: STAGES.filter((s) => stageCents.has(s)).map((stage) => ({ stage, cents: stageCents.get(stage)! })),
      budgets: (input.budgets ?? []).filter((b) => (input.budgetTeams?.(b) ?? []).includes(t)),
      anomalies: (input.anomalies ?? []).filter((a) => a.group[input.by] === t),
    };
  }).sort((a, b) => b.totalCents - a.totalCents || a.team.localeCompare(b.team));
  return { month: input.month, currency: input.currency, by: input.by, allocation, shared: [...shared], totalCents, poolCents, teams: reports };
}

/**
 * Whole cents for signed amounts that add up to `totalCents` exactly: each amount rounded toward zero, and the
 * cents left over handed out one by one in the direction of the total, largest remainder first, ties by key.
 */
export function signedCents(totalCents: number, amounts: readonly { key: string; amount: number }[]): Map<string, number> {
  const parts = amounts.map((a) => {
    const exact = a.amount * 100;
    const cents = Math.trunc(exact + (exact >= 0 ? 1e-7 : -1e-7));
    return { key: a.key, cents, remainder: exact - cents };
  });
  let left = Math.round(totalCents) - parts.reduce((s, p) => s + p.cents, 0);
  const dir = Math.sign(left);
  const order = [...parts].sort((a, b) => dir * (b.remainder - a.remainder) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let i = 0; left !== 0 && order.length; i = (i + 1) % order.length) {
    order[i]!.cents += dir;
    left -= dir;
  }
  return new Map(parts.map((p) => [p.key, p.cents]));
}

const money = (cents: number, currency: string): string => {
  const v = cents / 100;
  const text = Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const sym = currency === 'USD' ? '$' : `${currency} `;
  return `${v < 0 ? '−' : ''}${sym}${text}`;
};

function allocationSentence(r: ShowbackReport): string {
  const what = r.shared.length ? `Untagged cost and cost tagged ${r.shared.map((s) => `"${s}"`).join(', ')}` : 'Untagged cost';
  const pool = money(r.poolCents, r.currency);
  if (r.allocation === 'none') return `${what} (${pool}) is not allocated: it is shown on its own line.`;
  if (r.allocation === 'even') return `${what} (${pool}) is allocated evenly between the ${r.teams.length} teams (showback allocation: even).`;
  return `${what} (${pool}) is allocated in proportion to each team's own cost (showback allocation: proportional).`;
}

/** The report as Markdown. */
export function showbackMarkdown(r: ShowbackReport): string {
  const key = r.by.replace(/^tag:/, '');
  const lines = [`# Showback ${r.month}: cost by ${key}`, '', `Total ${money(r.totalCents, r.currency)}. ${allocationSentence(r)}`, ''];
  lines.push(`| ${key} | direct | allocated | total |`, '|---|---:|---:|---:|');
  for (const t of r.teams) lines.push(`| ${mdText(t.team)} | ${money(t.directCents, r.currency)} | ${money(t.allocatedCents, r.currency)} | **${money(t.totalCents, r.currency)}** |`);
  if (r.allocation === 'none') lines.push(`| ${UNALLOCATED} | ${money(r.poolCents, r.currency)} | | **${money(r.poolCents, r.currency)}** |`);
  lines.push(`| **Total** | | | **${money(r.totalCents, r.currency)}** |`);
  for (const t of r.teams) {
    lines.push('', `## ${mdText(t.team)}: ${money(t.totalCents, r.currency)}`, '');
    lines.push('| project | cost |', '|---|---:|', ...t.projects.map((p) => `| ${mdText(p.name)} | ${money(p.cents, r.currency)} |`));
    if (t.allocatedCents !== 0) lines.push(`| ${UNALLOCATED}, allocated | ${money(t.allocatedCents, r.currency)} |`);
    lines.push('', '| stage | cost |', '|---|---:|', ...t.stages.map((s) => `| ${s.stage} | ${money(s.cents, r.currency)} |`));
    if (t.budgets.length) {
      lines.push('', '| budget | period | actual | forecast | amount | status |', '|---|---|---:|---:|---:|---|');
      for (const b of t.budgets) lines.push(`| ${mdText(b.name)} | ${b.periodLabel} | ${money(toCents(b.actual), b.currency)} | ${money(toCents(b.forecast), b.currency)} | ${money(toCents(b.amount), b.currency)} | ${b.status} |`);
    }
    if (t.anomalies.length) {
      lines.push('', 'Anomalies:', ...t.anomalies.map((a) => `- ${a.date}: ${money(toCents(a.actual), r.currency)}, ${money(toCents(a.difference), r.currency)} ${a.direction} the expected ${money(toCents(a.expected), r.currency)}`));
    }
  }
  return `${lines.join('\n')}\n`;
}



/** The report as CSV: team, kind (total / direct / allocated / project / stage), name, cost, currency. */
export function showbackCsv(r: ShowbackReport): string {
  const rows: (string | number)[][] = [['team', 'kind', 'name', 'cost', 'currency']];
  const amount = (cents: number): string => (cents / 100).toFixed(2);
  for (const t of r.teams) {
    rows.push([t.team, 'total', '', amount(t.totalCents), r.currency], [t.team, 'direct', '', amount(t.directCents), r.currency], [t.team, 'allocated', r.allocation, amount(t.allocatedCents), r.currency]);
    for (const p of t.projects) rows.push([t.team, 'project', p.name, amount(p.cents), r.currency]);
    for (const s of t.stages) rows.push([t.team, 'stage', s.stage, amount(s.cents), r.currency]);
  }
  if (r.allocation === 'none') rows.push([UNALLOCATED, 'total', '', amount(r.poolCents), r.currency]);
  return toCsv(rows[0] as string[], rows.slice(1));
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The report as a standalone HTML page (no script, no external resource). */
export function showbackHtml(r: ShowbackReport): string {
  const key = esc(r.by.replace(/^tag:/, ''));
  const table = (head: string[], body: string[][]): string =>
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.map((row) => `<tr>${row.map((c, i) => `<td${i > 0 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const parts = [
    `<h1>Showback ${esc(r.month)}: cost by ${key}</h1>`,
    `<p>Total ${esc(money(r.totalCents, r.currency))}. ${esc(allocationSentence(r))}</p>`,
    table([r.by.replace(/^tag:/, ''), 'direct', 'allocated', 'total'], [
      ...r.teams.map((t) => [t.team, money(t.directCents, r.currency), money(t.allocatedCents, r.currency), money(t.totalCents, r.currency)]),
      ...(r.allocation === 'none' ? [[UNALLOCATED, money(r.poolCents, r.currency), '', money(r.poolCents, r.currency)]] : []),
      ['Total', '', '', money(r.totalCents, r.currency)],
    ]),
  ];
  for (const t of r.teams) {
    parts.push(`<h2>${esc(t.team)}: ${esc(money(t.totalCents, r.currency))}</h2>`);
    parts.push(table(['project', 'cost'], [...t.projects.map((p) => [p.name, money(p.cents, r.currency)]), ...(t.allocatedCents !== 0 ? [[`${UNALLOCATED}, allocated`, money(t.allocatedCents, r.currency)]] : [])]));
    parts.push(table(['stage', 'cost'], t.stages.map((s) => [s.stage, money(s.cents, r.currency)])));
    if (t.budgets.length) parts.push(table(['budget', 'period', 'actual', 'forecast', 'amount', 'status'], t.budgets.map((b) => [b.name, b.periodLabel, money(toCents(b.actual), b.currency), money(toCents(b.forecast), b.currency), money(toCents(b.amount), b.currency), b.status])));
    if (t.anomalies.length) parts.push(`<ul>${t.anomalies.map((a) => `<li>${esc(`${a.date}: ${money(toCents(a.actual), r.currency)}, ${money(toCents(a.difference), r.currency)} ${a.direction} the expected ${money(toCents(a.expected), r.currency)}`)}</li>`).join('')}</ul>`);
  }
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>Showback ${esc(r.month)}</title><style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;margin:0.5rem 0 1rem}td,th{border:1px solid #ccc;padding:0.25rem 0.6rem;text-align:left}td.num{text-align:right}</style></head><body>\n${parts.join('\n')}\n</body></html>\n`;
}
