import { z } from 'zod';
import { PERIOD_PRESETS, type PeriodPreset } from '../core/period';

/**
 * Messages between the extension host and the cost dashboard page, both ways, as discriminated unions. The host
 * validates every message from the page with these schemas before acting on it; the page trusts the host (it
 * imports the types only, so no schema library is bundled into it) and shows every value as text.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD');
/** A group-by / filter key: a FOCUS dimension or `tag:<key>`. */
const groupKey = z.string().min(1).max(300);
const text = z.string().max(2000);

const periodPresetSchema = z.enum(PERIOD_PRESETS as [PeriodPreset, ...PeriodPreset[]]);
const periodChoiceSchema = z.object({
  preset: periodPresetSchema,
  custom: z.object({ start: isoDate, end: isoDate }).optional(),
});

/** A filter: rows whose `key` is one of `values` (null = the tag or dimension is missing). */
export const filterSchema = z.object({
  key: groupKey,
  values: z.array(z.string().max(2048).nullable()).min(1).max(200),
});

export const chartIdSchema = z.enum(['daily', 'level1', 'level2', 'service', 'movers', 'untagged', 'recommendations', 'gpu']);

/** What the page keeps with `setState` so a restored panel comes back as it was. */
export const dashboardStateSchema = z.object({
  version: z.literal(1),
  period: periodChoiceSchema,
  filters: z.array(filterSchema).max(20),
});

// ── page → host ────────────────────────────────────────────────────────────────────────────────────
export const pageMessageSchema = z.discriminatedUnion('type', [
  /** The page is listening; the host (re)sends everything. Carries the page's saved state after a reload (checked by the host). */
  z.object({ type: z.literal('ready'), state: z.unknown().optional() }),
  z.object({ type: z.literal('setPeriod'), period: periodChoiceSchema }),
  /** Adds a filter, replacing any filter on the same key. */
  z.object({ type: z.literal('setFilter'), filter: filterSchema }),
  z.object({ type: z.literal('removeFilter'), key: groupKey }),
  z.object({ type: z.literal('clearFilters') }),
  /** Asks for a tag key's values; the answer carries the same id, so the page keeps only the latest request's. */
  z.object({ type: z.literal('requestTagValues'), key: groupKey, requestId: z.number().int().nonnegative() }),
  z.object({ type: z.literal('exportCsv'), chart: chartIdSchema }),
  z.object({
    type: z.literal('savePng'),
    chart: chartIdSchema,
    dataUrl: z.string().max(30_000_000).regex(/^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/, 'a PNG data URL'),
  }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('runCommand'), command: z.enum(['configureAccounts', 'showLogs']) }),
]);
export type PageMessage = z.infer<typeof pageMessageSchema>;

// ── host → page ────────────────────────────────────────────────────────────────────────────────────
const breakdownItemSchema = z.object({
  kind: z.enum(['value', 'untagged', 'other']),
  value: z.string().nullable(),
  cost: z.number(),
  share: z.number().optional(),
  count: z.number().int(),
});

const breakdownSchema = z.object({
  id: z.enum(['level1', 'level2', 'service']),
  title: text,
  /** The key a click on an item filters by. */
  key: groupKey,
  items: z.array(breakdownItemSchema),
});

const moverSchema = z.object({
  dimension: text,
  key: groupKey,
  value: z.string().nullable(),
  previous: z.number(),
  current: z.number(),
  delta: z.number(),
  change: z.number().optional(),
});

const sourceStatusSchema = z.object({
  label: text,
  state: z.enum(['ok', 'loading', 'error', 'notConfigured']),
  message: text.optional(),
  fetchedAt: z.string().optional(),
});

/**
 * A long list of finite numbers (two years of daily costs × dozens of series), checked in one pass:
 * element-by-element schemas cost more than drawing the chart.
 */
const numbers = z.custom<number[]>((v) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)), 'a list of numbers');

/** Nullable numbers (a burn-down's actual stops at the last complete day, its forecast starts after it). */
const nullableNumbers = z.custom<(number | null)[]>((v) => Array.isArray(v) && v.every((x) => x === null || (typeof x === 'number' && Number.isFinite(x))), 'a list of numbers or nulls');

/** One budget as the dashboard's budget panel draws it: its figures and its burn-down, one point per day of the period. */
export const budgetPanelSchema = z.object({
  name: text,
  scope: text,
  periodLabel: text,
  period: z.object({ start: isoDate, end: isoDate }),
  asOf: isoDate,
  amount: z.number(),
  currency: z.string().max(10),
  actual: z.number(),
  forecast: z.number(),
  forecastLo80: z.number(),
  forecastHi80: z.number(),
  forecastLo95: z.number(),
  forecastHi95: z.number(),
  percent: z.number(),
  forecastPercent: z.number(),
  status: z.enum(['ok', 'at-risk', 'over']),
  crossesOn: isoDate.nullable(),
  model: text.nullable(),
  note: text,
  alerts: z.array(z.object({ at: z.number(), on: z.enum(['actual', 'forecast']), crossed: z.boolean(), crossesOn: isoDate.nullable(), expected: z.boolean() })).max(20),
  burnDown: z.object({
    dates: z.custom<string[]>((v) => Array.isArray(v) && v.every((x) => typeof x === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(x)), 'a list of dates written YYYY-MM-DD'),
    actual: nullableNumbers, forecast: nullableNumbers, lo80: nullableNumbers, hi80: nullableNumbers, lo95: nullableNumbers, hi95: nullableNumbers,
  }),
});

/** A day a group spent outside its forecast's 95 % band. */
export const anomalySchema = z.object({
  date: isoDate,
  /** "Team = recsys", "Service = Virtual Machines". */
  group: text,
  /** The filter that shows the group in the dashboard. */
  filter: filterSchema.optional(),
  actual: z.number(),
  expected: z.number(),
  /** actual − expected (positive: above the band's centre). */
  above: z.number(),
  currency: z.string().max(10),
  /** The resources / SKUs that grew most: `cost` is the increase over their usual day (the week before). */
  contributors: z.array(z.object({ name: text, cost: z.number() })).max(10),
});

export const dashboardDataSchema = z.object({
  generatedAt: z.string(),
  currency: z.string().max(10).optional(),
  period: z.object({ choice: periodChoiceSchema, start: isoDate, end: isoDate, label: text }),
  metric: z.enum(['BilledCost', 'EffectiveCost', 'ListCost']),
  filters: z.array(filterSchema),
  hierarchy: z.array(text),
  /** Net cost: charges plus credits and refunds. */
  total: z.number(),
  /** Cost of charges (usage, purchases, tax, fees): what the charts and shares are over. */
  charges: z.number(),
  /** Credits and refunds (≤ 0), reported beside the charges, never netted into a share. */
  credits: z.number(),
  daily: z.object({
    key: groupKey,
    dates: z.custom<string[]>((v) => Array.isArray(v) && v.every((x) => typeof x === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(x)), 'a list of dates written YYYY-MM-DD'),
    series: z.array(z.object({ value: z.string().nullable(), total: z.number(), values: numbers })),
  }),
  breakdowns: z.array(breakdownSchema),
  movers: z.array(moverSchema),
  /** Week-over-week window: the last day of "this week" (inclusive). */
  moversEnd: isoDate.optional(),
  untagged: z.array(z.object({ key: text, cost: z.number(), share: z.number().optional() })),
  /**
   * GPU spend by accelerator model × count (the `mlfinops costs --group-by gpu` grouping), most expensive first:
   * cost, GPU-hours and cost per GPU-hour. Absent or empty: no source knows instance types, or no GPUs ran.
   */
  gpus: z.array(z.object({ label: text, cost: z.number(), gpuHours: z.number().optional(), costPerGpuHour: z.number().optional() })).max(200).optional(),
  recommendations: z.array(z.object({
    title: text,
    detail: text,
    monthlySaving: z.number(),
    currency: z.string().max(10),
    resourceId: z.string().max(2048).optional(),
  })),
  /** The team's budgets (`.finops.yaml`), worst first; none: the budget panel stays hidden. */
  budgets: z.array(budgetPanelSchema).max(100),
  /** Days whose cost fell outside the forecast's 95 % band, newest first. */
  anomalies: z.array(anomalySchema).max(200),
  options: z.object({
    providers: z.array(z.string().max(300)).max(500),
    services: z.array(z.string().max(300)).max(2000),
    tagKeys: z.array(z.string().max(300)).max(500),
  }),
  sources: z.array(sourceStatusSchema),
  warnings: z.array(text),
});
export type DashboardData = z.infer<typeof dashboardDataSchema>;
export type DashboardState = z.infer<typeof dashboardStateSchema>;
export type DashboardFilter = z.infer<typeof filterSchema>;
export type BudgetPanel = z.infer<typeof budgetPanelSchema>;
export type DashboardAnomaly = z.infer<typeof anomalySchema>;
export type ChartId = z.infer<typeof chartIdSchema>;

export const hostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('data'), data: dashboardDataSchema }),
  z.object({ type: z.literal('loading'), message: text }),
  /** Nothing to show: no cost source, or every source failed. */
  z.object({ type: z.literal('empty'), message: text, fix: text.optional(), sources: z.array(sourceStatusSchema) }),
  z.object({ type: z.literal('tagValues'), key: groupKey, values: z.array(z.string().max(2048).nullable()).max(5000), requestId: z.number().int() }),
  z.object({ type: z.literal('notice'), level: z.enum(['info', 'error']), message: text }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

/** The page's message for an invalid input: which field and why (never echoes the value). */
export function describeInvalid(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid message';
}

