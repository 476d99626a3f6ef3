import { z } from 'zod';

/**
 * The `budgets:` and `showback:` sections of `.finops.yaml`, validated with the tag policy (src/core/policy/load.ts
 * reads the file and reports each problem on its line). The JSON schema in schemas/finops.schema.json describes the
 * same keys for completion in the editor.
 *
 *     budgets:
 *       - name: research-aws
 *         scope: { tag: { Team: research }, provider: aws }
 *         amount: 50000
 *         currency: USD
 *         period: monthly              # quarterly, annual
 *         alerts: [{ at: 80, on: actual }, { at: 100, on: forecast }]
 *     showback:
 *       allocation: proportional       # even, none
 *       shared: [shared]               # Team values whose cost is shared out like untagged cost
 */

export const BUDGET_PERIODS = ['monthly', 'quarterly', 'annual'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

export const BUDGET_CLOUDS = ['aws', 'gcp', 'azure'] as const;
export type BudgetCloud = (typeof BUDGET_CLOUDS)[number];

/** Scalars may be written unquoted (`Project: 42`): tag values, so strings. */
const valueString = z.union([z.string().min(1), z.number(), z.boolean()]).transform((v) => String(v));
const oneOrMany = <T extends z.ZodType>(inner: T) => z.union([inner.transform((v) => [v] as z.output<T>[]), z.array(inner).min(1)]);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const budgetScopeSchema = z.strictObject({
  /** Tag key → value (or values): costs carrying one of them. */
  tag: z.record(z.string().min(1).max(128), oneOrMany(valueString)).optional(),
  /** Clouds: aws, gcp, azure. */
  provider: oneOrMany(z.enum(BUDGET_CLOUDS)).optional(),
  /** FOCUS ServiceName values ("Amazon Elastic Compute Cloud"). */
  service: oneOrMany(valueString).optional(),
  /** FOCUS SubAccountId values: AWS account, Azure subscription, Google Cloud project. */
  account: oneOrMany(valueString).optional(),
});

export const budgetAlertSchema = z.strictObject({
  /** Percent of the amount (80 = 80 %). */
  at: z.number().positive('a percentage above 0').max(1000, 'at most 1000 (%)'),
  /** `actual`: spend so far reached it; `forecast`: spend at the end of the period is expected to reach it. */
  on: z.enum(['actual', 'forecast']).default('actual'),
});

export const budgetSchema = z.strictObject({
  name: z.string().min(1, 'a budget needs a name').max(100, 'at most 100 characters'),
  scope: budgetScopeSchema.optional(),
  amount: z.number().positive('an amount above 0').finite(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code in capitals, such as USD'),
  period: z.enum(BUDGET_PERIODS).default('monthly'),
  alerts: z.array(budgetAlertSchema).max(10).optional(),
  /** Which cost counts: EffectiveCost (amortized, the default) or BilledCost (as invoiced). */
  metric: z.enum(['EffectiveCost', 'BilledCost']).optional(),
  /** IANA time zone whose calendar decides which period is the current one (default UTC, as bills are dated). */
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin').optional(),
  /** Who a cloud budget created from this one notifies. */
  notify: z.strictObject({
    emails: z.array(z.email('an e-mail address')).max(10).optional(),
    /** An SNS topic ARN (AWS) or Pub/Sub topic (Google Cloud). */
    topic: z.string().min(1).optional(),
  }).optional(),
});

export const SHOWBACK_ALLOCATIONS = ['proportional', 'even', 'none'] as const;
export type ShowbackAllocation = (typeof SHOWBACK_ALLOCATIONS)[number];

export const showbackSchema = z.strictObject({
  /** How untagged and shared cost is shared out: in proportion to each team's own cost, evenly, or not at all. */
  allocation: z.enum(SHOWBACK_ALLOCATIONS).default('proportional'),
  /** Values of the team tag that mean "shared by everyone" (their cost is allocated like untagged cost). */
  shared: z.array(valueString).max(50).optional(),
  /** Tag naming the workload stage (default Stage). */
  stageTag: z.string().min(1).max(128).optional(),
});

export type BudgetScope = z.output<typeof budgetScopeSchema>;
export type BudgetAlert = z.output<typeof budgetAlertSchema>;
export type Budget = z.output<typeof budgetSchema>;
export type ShowbackSettings = z.output<typeof showbackSchema>;

export const DEFAULT_SHOWBACK: ShowbackSettings = { allocation: 'proportional' };

/** A problem in the budgets or showback section: where (a path from the file's root) and what. */
export interface SectionIssue { path: (string | number)[]; message: string }

function issueTexts(issue: z.core.$ZodIssue, prefix: (string | number)[]): SectionIssue[] {
  const path = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  if (issue.code === 'unrecognized_keys') {
    // one problem per key, on the key
    return issue.keys.map((k) => ({ path: [...path, k], message: `Unknown key "${k}" in ${path.join('.')}.` }));
  }
  return [{ path, message: `${path.join('.')}: ${issue.message}.`.replace(/\.\.$/, '.') }];
}

/**
 * Reads the `budgets` and `showback` values of a parsed `.finops.yaml`. Never throws: a budget with a problem is
 * left out (the others are used) and each problem comes back with its path; a bad showback section falls back to
 * the defaults.
 */
export function parseBudgetSections(budgets: unknown, showback: unknown): { budgets: Budget[]; showback: ShowbackSettings; issues: SectionIssue[] } {
  const issues: SectionIssue[] = [];
  const out: Budget[] = [];
  if (budgets !== undefined && budgets !== null) {
    if (!Array.isArray(budgets)) {
      issues.push({ path: ['budgets'], message: 'budgets: a list of budgets, each with a name, amount, currency and period.' });
    } else {
      const names = new Map<string, number>();
      budgets.forEach((entry, i) => {
        const r = budgetSchema.safeParse(entry);
        if (!r.success) {
          for (const issue of r.error.issues) issues.push(...issueTexts(issue, ['budgets', i]));
          return;
        }
        const first = names.get(r.data.name);
        if (first !== undefined) {
          issues.push({ path: ['budgets', i, 'name'], message: `budgets.${i}.name: "${r.data.name}" is the name of budget ${first + 1} already; each budget needs its own name.` });
          return;
        }
        names.set(r.data.name, i);
        out.push(r.data);
      });
    }
  }
  let settings = DEFAULT_SHOWBACK;
  if (showback !== undefined && showback !== null) {
    const r = showbackSchema.safeParse(showback);
    if (r.success) settings = r.data;
    else for (const issue of r.error.issues) issues.push(...issueTexts(issue, ['showback']));
  }
  return { budgets: out, showback: settings, issues };
}
