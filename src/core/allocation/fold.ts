/**
 * The long tail of a tree level folded away: children whose cost is under a threshold (a share of the parent's
 * cost, rounded up to a round figure) are listed under one "N more under $X" node, so a level shows what matters
 * first. "(untagged)" is never folded: it is the allocation gap people look for.
 */

/** Children costing less than this share of their parent are folded. */
export const FOLD_SHARE = 0.01;

/** Fewer folded children than this are shown as they are (folding one row saves nothing). */
const MIN_FOLDED = 2;

export interface Folded<T> {
  /** Children shown in place, in their order. */
  shown: T[];
  /** Children behind the fold node, in their order (empty: no fold node). */
  folded: T[];
  /** Every folded child costs less than this (in the parent's currency); undefined when nothing is folded. */
  under: number | undefined;
  /** Sum of the folded children's cost. */
  foldedCost: number;
}

/** Rounds a positive amount up to two significant digits ($5,123.45 → $5,200; $0.734 → $0.74). */
export function roundUpFigure(amount: number): number {
  if (!(amount > 0) || !Number.isFinite(amount)) return 0;
  const step = 10 ** (Math.floor(Math.log10(amount)) - 1);
  // the tiny epsilon keeps 5200 from becoming 5300 through floating-point noise
  return Math.ceil(amount / step - 1e-9) * step;
}

/**
 * Splits children (already sorted by cost, largest first) into those shown and those folded: a child folds when
 * its cost is known and its absolute value is under `share` × the parent's cost (rounded up to a round figure);
 * children with an unknown cost and those `keep` names are always shown. Nothing folds when the parent's cost is
 * not positive or fewer than two children would fold.
 */
export function foldSmall<T>(
  children: readonly T[],
  options: { cost: (child: T) => number | undefined; parentCost: number | undefined; keep?: (child: T) => boolean; share?: number },
): Folded<T> {
  const parent = options.parentCost;
  const none: Folded<T> = { shown: [...children], folded: [], under: undefined, foldedCost: 0 };
  if (parent === undefined || !(parent > 0)) return none;
  const under = roundUpFigure(parent * (options.share ?? FOLD_SHARE));
  const shown: T[] = [];
  const folded: T[] = [];
  let foldedCost = 0;
  for (const child of children) {
    const cost = options.cost(child);
    if (cost !== undefined && Math.abs(cost) < under && !options.keep?.(child)) { folded.push(child); foldedCost += cost; } else shown.push(child);
  }
  if (folded.length < MIN_FOLDED) return none;
  return { shown, folded, under, foldedCost };
}
