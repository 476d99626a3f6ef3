import { z } from 'zod';
import { FinOpsError } from '../errors';
import { FOCUS_DIMENSIONS, type CostQuery, type GroupKey } from './model';
import { isIsoDate } from '../period';

const dimensions = new Set<string>(FOCUS_DIMENSIONS);

const groupKey = z.string().refine(
  (k) => dimensions.has(k) || /^tag:[^\0]{1,256}$/.test(k),
  { message: `a FOCUS dimension (${FOCUS_DIMENSIONS.join(', ')}) or a tag written tag:Key` },
).transform((k) => k as GroupKey);

const isoDate = z.string().refine(isIsoDate, { message: 'a date written YYYY-MM-DD' });

const costQuerySchema = z.object({
  period: z.object({ start: isoDate, end: isoDate }).refine((p) => p.start < p.end, { message: 'the period must end after it starts' }),
  granularity: z.enum(['daily', 'monthly', 'total']),
  groupBy: z.array(groupKey).max(8).refine((keys) => new Set(keys).size === keys.length, { message: 'a key is listed twice' }),
  filters: z.array(z.object({ key: groupKey, values: z.array(z.string().nullable()).min(1).max(1000) })).max(16).optional(),
  metric: z.enum(['BilledCost', 'EffectiveCost', 'ListCost']),
  usageHours: z.boolean().optional(),
});

/** Validates a query from outside (CLI flags, webview messages); throws FinOpsError('invalidInput'). */
export function parseCostQuery(input: unknown): CostQuery {
  const result = costQuerySchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new FinOpsError('input', `Invalid cost query: ${where}${issue?.message ?? 'invalid value'}.`, {
    fix: 'Group by FOCUS dimensions or tag:Key, with a period written YYYY-MM-DD.',
  });
}

/** Parses `ProviderName,tag:Team` into group keys (validated). */
export function parseGroupBy(text: string): GroupKey[] {
  const keys = text.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
  const result = z.array(groupKey).safeParse(keys);
  if (result.success) return result.data;
  const bad = keys.filter((k) => !groupKey.safeParse(k).success);
  throw new FinOpsError('input', `Unknown group-by key ${bad.map((k) => `"${k}"`).join(', ')}.`, {
    fix: `Use FOCUS dimensions (${FOCUS_DIMENSIONS.join(', ')}) or tags written tag:Key.`,
  });
}
