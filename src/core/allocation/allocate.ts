import type { CostRow } from '../cost/model';
import { dominantCurrency } from '../cost/currency';
import type { Resource } from '../sources';
import { tagValue } from './hierarchy';

export interface AllocationLeaf {
  /** null: charges the bill does not tie to a resource (support, tax, fees). */
  resourceId: string | null;
  /** Undefined when the source knows the resource but not what it cost. */
  cost: number | undefined;
  /** Share of the parent group's cost (0..1), when both are known and the parent's cost is positive. */
  share: number | undefined;
  /** Inventory detail (type, region, tags, declaration), when the resource is in an inventory. */
  resource?: Resource;
}

export interface AllocationGroup {
  /** Stable id: the path of `key=value` pairs from the root ("" for the root). */
  id: string;
  /** The tag key this group is a value of ("" for the root). */
  key: string;
  /** The tag value; null for resources lacking the tag ("(untagged)"). */
  value: string | null;
  /** 0 for the root, 1 for the first hierarchy level. */
  depth: number;
  cost: number;
  /** False when nothing under the group has a known cost (an inventory without prices). */
  costKnown: boolean;
  share: number | undefined;
  /** Child groups (levels above the deepest), most expensive first. */
  groups: AllocationGroup[];
  /** Resources (deepest level only), most expensive first. */
  leaves: AllocationLeaf[];
  /** Number of distinct leaves below this group. */
  resourceCount: number;
}

interface UntaggedShare {
  key: string;
  cost: number;
  /** 0..1 of the total; undefined when the total is not positive. */
  share: number | undefined;
}

export interface Allocation {
  hierarchy: string[];
  currency: string | undefined;
  root: AllocationGroup;
  total: number;
  /** Per hierarchy level: the cost of resources lacking that tag (the FinOps allocation KPI). */
  untagged: UntaggedShare[];
  /** Cost lacking at least one hierarchy tag, as a share of the total. */
  unallocated: UntaggedShare;
  /** Rows in other currencies than `currency`, left out of the sums. */
  excluded: { currency: string; cost: number; rows: number }[];
}

interface AllocationInput {
  hierarchy: readonly string[];
  /**
   * Cost rows for the period (granularity total), grouped by `tag:<key>` for each hierarchy key and, when the
   * source can, by `ResourceId`. Omit for a source without costs (the resources' own `cost` is used).
   */
  rows?: readonly CostRow[];
  resources?: readonly Resource[];
}


/** A tag value as allocation sees it: missing, empty or blank means untagged. */
function cleanValue(v: string | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null;
  // only a value that starts or ends with white space can be blank
  if (v.charCodeAt(0) > 32 && v.charCodeAt(v.length - 1) > 32) return v;
  return v.trim() === '' ? null : v;
}

/**
 * Groups resources and their costs by a tag hierarchy. Costs come from the bill's rows (what was charged
 * under which tag value), resources from an inventory; a resource in both gets the bill's cost and the
 * inventory's detail. Resources lacking a level's tag sit under "(untagged)" (value null).
 */
export function allocate(input: AllocationInput): Allocation {
  const hierarchy = [...input.hierarchy];
  const cols = hierarchy.map((k) => `tag:${k}`);
  const levels = hierarchy.length;
  const rows = input.rows ?? [];
  const resources = input.resources ?? [];
  // ids match exactly first; case-insensitively (Azure ids) only when an exact lookup misses
  const byId = new Map<string, number>();
  for (let i = 0; i < resources.length; i++) byId.set(resources[i]!.id, i);
  let byLowerId: Map<string, number> | undefined;
  const lookup = (id: string): number | undefined => {
    const exact = byId.get(id);
    if (exact !== undefined) return exact;
    if (resources.length === 0) return undefined;
    if (!byLowerId) {
      byLowerId = new Map();
      for (let i = 0; i < resources.length; i++) byLowerId.set(resources[i]!.id.toLowerCase(), i);
    }
    return byLowerId.get(id.toLowerCase());
  };
  // resources are placed in the tree as rows are read: one scratch path, no intermediate objects
  const tree = new TreeBuilder(hierarchy);
  const path = tree.path;
  const pathOfTags = (tags: Readonly<Record<string, string>>): void => {
    for (let i = 0; i < levels; i++) path[i] = cleanValue(tagValue(tags, hierarchy[i]!));
  };
  const excludedMap = new Map<string, { cost: number; rows: number }>();
  const exclude = (c: string, cost: number): void => {
    const e = excludedMap.get(c) ?? { cost: 0, rows: 0 };
    e.cost += cost; e.rows += 1;
    excludedMap.set(c, e);
  };
  let currency: string | undefined;

  if (input.rows) {
    currency = dominantCurrency(rows);
    const resourceLevel = rows.some((r) => 'ResourceId' in r.groups);
    const charged = new Uint8Array(resources.length);
    // rows of the same resource and path end up in one leaf
    for (const row of rows) {
      if (row.currency !== currency) { exclude(row.currency, row.cost); continue; }
      const groups = row.groups;
      const resourceId = cleanValue(groups.ResourceId);
      const index = resourceId === null ? undefined : lookup(resourceId);
      const resource = index === undefined ? undefined : resources[index];
      if (index !== undefined) charged[index] = 1;
      for (let i = 0; i < levels; i++) {
        const col = cols[i]!;
        const v = groups[col];
        path[i] = v !== undefined || col in groups ? cleanValue(v) : resource ? cleanValue(tagValue(resource.tags, hierarchy[i]!)) : null;
      }
      tree.add(resourceId, row.cost, resource);
    }
    // inventory resources the bill did not charge in the period: cost 0 when the bill is per resource
    for (let i = 0; i < resources.length; i++) {
      if (charged[i]) continue;
      const r = resources[i]!;
      pathOfTags(r.tags);
      tree.add(r.id, resourceLevel ? 0 : undefined, r);
    }
  } else {
    const priced = resources.filter((r) => r.cost).map((r) => ({ groups: {}, period: '', currency: r.cost!.currency, cost: r.cost!.amount }));
    currency = dominantCurrency(priced);
    for (const r of resources) {
      let cost: number | undefined = r.cost?.amount;
      if (r.cost && r.cost.currency !== currency) { exclude(r.cost.currency, r.cost.amount); cost = undefined; }
      pathOfTags(r.tags);
      tree.add(r.id, cost, r);
    }
  }

  const root = finish(tree.root);
  const total = root.cost;
  // the untagged KPI from the tree: groups without a value, per level; and cost with any level missing
  const untaggedCost = hierarchy.map(() => 0);
  let unallocatedCost = 0;
  const walk = (g: AllocationGroup, missing: boolean): void => {
    if (g.depth > 0 && g.value === null) untaggedCost[g.depth - 1]! += g.cost;
    const miss = missing || (g.depth > 0 && g.value === null);
    if (g.groups.length === 0) { if (miss) unallocatedCost += g.cost; return; }
    for (const c of g.groups) walk(c, miss);
  };
  walk(root, false);
  const untagged = hierarchy.map((key, level) => ({ key, cost: untaggedCost[level]!, share: total > 0 ? untaggedCost[level]! / total : undefined }));
  return {
    hierarchy,
    currency,
    root,
    total,
    untagged,
    unallocated: { key: hierarchy.join(' → '), cost: unallocatedCost, share: total > 0 ? unallocatedCost / total : undefined },
    excluded: [...excludedMap].map(([c, e]) => ({ currency: c, ...e })),
  };
}

interface MutableGroup {
  group: AllocationGroup;
  children: Map<string | null, MutableGroup>;
  leafMap: Map<string | null, AllocationLeaf>;
}

function segment(key: string, value: string | null): string {
  return `${encodeURIComponent(key)}=${value === null ? '\u2205' : encodeURIComponent(value)}`;
}

function newGroup(id: string, key: string, value: string | null, depth: number): MutableGroup {
  return {
    group: { id, key, value, depth, cost: 0, costKnown: false, share: undefined, groups: [], leaves: [], resourceCount: 0 },
    children: new Map(),
    leafMap: new Map(),
  };
}

/** Places resources in the group tree one at a time; `path` holds the current resource's tag values. */
class TreeBuilder {
  readonly root = newGroup('', '', null, 0);
  readonly path: (string | null)[];

  constructor(private readonly hierarchy: readonly string[]) {
    this.path = new Array<string | null>(hierarchy.length).fill(null);
  }

  add(resourceId: string | null, cost: number | undefined, resource: Resource | undefined): void {
    let node = this.root;
    if (cost !== undefined) { node.group.cost += cost; node.group.costKnown = true; }
    for (let level = 0; level < this.hierarchy.length; level++) {
      const value = this.path[level] ?? null;
      let child = node.children.get(value);
      if (!child) {
        const key = this.hierarchy[level]!;
        child = newGroup(node.group.id ? `${node.group.id}/${segment(key, value)}` : segment(key, value), key, value, level + 1);
        node.children.set(value, child);
      }
      node = child;
      if (cost !== undefined) { node.group.cost += cost; node.group.costKnown = true; }
    }
    const leaf = node.leafMap.get(resourceId);
    if (leaf) {
      if (cost !== undefined) leaf.cost = (leaf.cost ?? 0) + cost;
    } else {
      node.leafMap.set(resourceId, resource ? { resourceId, cost, share: undefined, resource } : { resourceId, cost, share: undefined });
    }
  }
}

function byCostThenLabel<T extends { cost: number | undefined }>(label: (t: T) => string | null): (a: T, b: T) => number {
  return (a, b) => {
    const d = (b.cost ?? -Infinity) - (a.cost ?? -Infinity);
    if (d !== 0 && !Number.isNaN(d)) return d;
    const la = label(a);
    const lb = label(b);
    if (la === lb) return 0;
    if (la === null) return 1;
    if (lb === null) return -1;
    return la < lb ? -1 : 1;
  };
}

function finish(node: MutableGroup): AllocationGroup {
  const g = node.group;
  const parentCost = g.costKnown && g.cost > 0 ? g.cost : undefined;
  g.groups = [...node.children.values()].map(finish);
  for (const c of g.groups) c.share = parentCost !== undefined && c.costKnown ? c.cost / parentCost : undefined;
  g.groups.sort(byCostThenLabel((c) => c.value));
  const leafMap = node.leafMap;
  g.resourceCount = leafMap.size;
  for (const c of g.groups) g.resourceCount += c.resourceCount;
  // a group's resources are ordered when first listed (on expand), not for every group up front
  let leaves: AllocationLeaf[] | undefined;
  Object.defineProperty(g, 'leaves', {
    enumerable: true,
    configurable: true,
    get(): AllocationLeaf[] {
      if (!leaves) {
        leaves = [...leafMap.values()];
        for (const l of leaves) l.share = parentCost !== undefined && l.cost !== undefined ? l.cost / parentCost : undefined;
        leaves.sort(byCostThenLabel((l) => l.resource?.name ?? l.resourceId));
      }
      return leaves;
    },
  });
  return g;
}

/** Finds a group by its id (a path of `key=value` segments). */
export function findGroup(root: AllocationGroup, id: string): AllocationGroup | undefined {
  if (id === root.id) return root;
  for (const c of root.groups) {
    if (id === c.id || id.startsWith(`${c.id}/`)) return findGroup(c, id);
  }
  return undefined;
}

/** The `key = value` pairs that lead from the root to a group (value null = untagged). */
export function groupPath(root: AllocationGroup, id: string): { key: string; value: string | null }[] {
  const path: { key: string; value: string | null }[] = [];
  let node: AllocationGroup | undefined = root;
  while (node && node.id !== id) {
    const next: AllocationGroup | undefined = node.groups.find((c) => id === c.id || id.startsWith(`${c.id}/`));
    if (next) path.push({ key: next.key, value: next.value });
    node = next;
  }
  return node ? path : [];
}
