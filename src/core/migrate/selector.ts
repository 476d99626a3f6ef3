import { FinOpsError } from '../errors';
import { FOCUS_DIMENSIONS, type CostFilter, type GroupKey } from '../cost/model';

/**
 * Which bill resources a migration estimate covers: `all`, or comma-separated `KEY=VALUE` terms where a key is a
 * FOCUS dimension or a tag written `tag:Key`. Terms with different keys must all hold; the same key repeated lists
 * alternatives (`tag:Team=nlp,tag:Team=vision,ProviderName=AWS`).
 */
export function parseSelector(text: string): CostFilter[] {
  const t = text.trim();
  if (t === '' ) throw selectorError('The resource selector is empty.');
  if (t.toLowerCase() === 'all') return [];
  const byKey = new Map<string, string[]>();
  for (const term of t.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = term.indexOf('=');
    if (eq <= 0 || eq === term.length - 1) throw selectorError(`"${term}" is not KEY=VALUE.`);
    const key = term.slice(0, eq).trim();
    const value = term.slice(eq + 1).trim();
    if (!(FOCUS_DIMENSIONS as readonly string[]).includes(key) && !/^tag:[^\0]{1,256}$/.test(key)) throw selectorError(`"${key}" is neither a FOCUS dimension nor a tag written tag:Key.`);
    byKey.set(key, [...(byKey.get(key) ?? []), value]);
  }
  return [...byKey.entries()].map(([key, values]) => ({ key: key as GroupKey, values }));
}

function selectorError(message: string): FinOpsError {
  return new FinOpsError('input', `${message} A selector is "all" or KEY=VALUE terms joined by commas.`, {
    fix: `Write e.g. tag:Team=nlp,ProviderName=AWS; keys are tag:Key or one of ${FOCUS_DIMENSIONS.join(', ')}.`,
  });
}

/** The selector as people read it: "tag:Team = nlp and ProviderName = AWS". */
export function describeSelector(filters: readonly CostFilter[]): string {
  if (!filters.length) return 'every resource';
  return filters.map((f) => `${f.key} = ${f.values.map((v) => v ?? '(none)').join(' or ')}`).join(' and ');
}
