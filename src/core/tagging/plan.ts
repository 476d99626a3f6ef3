import * as path from 'node:path';
import { normalizeTagKey, tagValue } from '../allocation/hierarchy';
import { gcpLabelCandidates } from '../policy/gcpLabels';
import { evaluateTags, isPlaceholderValue, tagValueProblem } from '../policy/evaluate';
import { own, type Cloud, type TagPolicy } from '../policy/model';
import type { Resource } from '../sources';

/**
 * Tagging what already runs: which required keys a resource lacks, values suggested from its neighbours, and the
 * plan (resource → key: old → new) the editor confirms and `mlfinops act tag` prints. Plain data, no I/O.
 */

/** A resource as tagging sees it. */
export interface TagTarget {
  cloud: Cloud;
  /** ARN (AWS), resource name or self link (Google Cloud), resource id (Azure), or the IaC address of a declaration. */
  id: string;
  name?: string;
  type?: string;
  region?: string;
  /** AWS account, Google Cloud project or Azure subscription, when the id or the source says. */
  account?: string;
  tags: Readonly<Record<string, string>>;
  /** Where the resource is declared in the workspace's Terraform or CloudFormation (1-based range). */
  declaredIn?: NonNullable<Resource['declaredIn']>;
}

const PROVIDER_CLOUDS: Record<string, Cloud> = {
  aws: 'aws', 'amazon web services': 'aws', amazon: 'aws',
  gcp: 'gcp', 'google cloud': 'gcp', google: 'gcp', 'google cloud platform': 'gcp',
  azure: 'azure', microsoft: 'azure', 'microsoft azure': 'azure',
};

/** The cloud of a resource: from its provider name, else from the shape of its id. */
export function cloudOf(r: Pick<Resource, 'provider' | 'id'>): Cloud | undefined {
  const byName = PROVIDER_CLOUDS[r.provider.trim().toLowerCase()];
  if (byName) return byName;
  if (r.id.startsWith('arn:')) return 'aws';
  if (/^\/subscriptions\//i.test(r.id)) return 'azure';
  if (/^(\/\/[a-z]+\.googleapis\.com\/)?projects\//.test(r.id) || r.id.startsWith('https://www.googleapis.com/compute/')) return 'gcp';
  return undefined;
}

/** The AWS account, Google Cloud project or Azure subscription in a resource id, when it holds one. */
export function accountOf(cloud: Cloud, id: string): string | undefined {
  if (cloud === 'aws') return id.startsWith('arn:') ? id.split(':')[4] || undefined : undefined;
  if (cloud === 'azure') return /^\/subscriptions\/([^/]+)/i.exec(id)?.[1]?.toLowerCase();
  return /(?:^|\/)projects\/([^/]+)/.exec(id)?.[1];
}

/** A resource of a tree, a bill or an inventory as a tagging target (undefined: its cloud is not known). */
export function tagTarget(r: Resource): TagTarget | undefined {
  const cloud = cloudOf(r);
  if (!cloud) return undefined;
  const account = accountOf(cloud, r.id) ?? r.attributes?.project ?? r.attributes?.account;
  return {
    cloud, id: r.id, tags: r.tags,
    ...(r.name ? { name: r.name } : {}), ...(r.type ? { type: r.type } : {}), ...(r.region ? { region: r.region } : {}),
    ...(account ? { account } : {}), ...(r.declaredIn ? { declaredIn: r.declaredIn } : {}),
  };
}

/** The key a policy key is written under on a cloud: Google Cloud's label spelling (`CostCenter` → `cost_center`). */
export function cloudKey(policy: TagPolicy, cloud: Cloud, key: string): string {
  return cloud === 'gcp' ? gcpLabelCandidates(key, policy.gcpLabelKeys)[0] ?? key.toLowerCase() : key;
}

/** The key a resource already holds a policy key under (on Google Cloud any accepted label spelling), if any. */
function presentKey(policy: TagPolicy, target: TagTarget, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(target.tags, key)) return key;
  if (target.cloud !== 'gcp') return undefined;
  const candidates = gcpLabelCandidates(key, policy.gcpLabelKeys);
  return candidates.find((c) => Object.prototype.hasOwnProperty.call(target.tags, c));
}

export interface KeyToSet {
  /** The policy key (`CostCenter`). */
  key: string;
  why: 'missing' | 'placeholder' | 'invalid';
  /** The value there now, for a placeholder or an invalid value. */
  current?: string;
  /** For an invalid value: what the policy expects. */
  expected?: string;
}

/** The required keys a resource lacks, and the keys it holds a placeholder or a value the policy refuses for. */
export function keysToSet(policy: TagPolicy, target: TagTarget): KeyToSet[] {
  const keys = new Map(Object.entries(target.tags));
  const out = new Map<string, KeyToSet>();
  const policyKeyOf = (written: string): string => [...policy.required, ...policy.optional, ...Object.keys(policy.rules)]
    .find((k) => k === written || cloudKey(policy, target.cloud, k) === written || normalizeTagKey(k) === normalizeTagKey(written)) ?? written;
  for (const v of evaluateTags(policy, target.cloud, { keys, complete: true })) {
    if (v.code === 'missing-tag') for (const k of v.missing) out.set(k, { key: k, why: 'missing' });
    else if (v.code === 'placeholder-tag-value') { const k = policyKeyOf(v.key); out.set(k, { key: k, why: 'placeholder', current: v.value }); }
    else if (v.code === 'invalid-tag-value') { const k = policyKeyOf(v.key); out.set(k, { key: k, why: 'invalid', current: v.value, expected: v.expected }); }
  }
  const order = [...policy.required, ...policy.optional];
  return [...out.values()].sort((a, b) => rank(order, a.key) - rank(order, b.key) || a.key.localeCompare(b.key));
}

function rank(order: readonly string[], key: string): number {
  const i = order.indexOf(key);
  return i < 0 ? order.length : i;
}

export interface Suggestion {
  value: string;
  /** How many neighbours in the scope hold the value, and how many neighbours the scope has. */
  count: number;
  of: number;
  scope: 'module' | 'project' | 'account' | 'policy';
  /** "4 of 5 resources in account 123456789012 have Team = ml-research". */
  reason: string;
}

/** The folder of a declaration: a Terraform module (or a CloudFormation template's folder). */
function moduleOf(t: TagTarget): string | undefined {
  return t.declaredIn ? path.posix.dirname(t.declaredIn.file.split(path.sep).join('/')) : undefined;
}

/**
 * Values for a key, suggested from the resource's neighbours, narrowest first: resources declared in the same IaC
 * module (folder), then those of the same project (its `Project` tag), then those of the same account, project or
 * subscription; in each, the most common value first. Values the policy would refuse are left out; the policy's own
 * allowed values and example follow. Each says why.
 */
export function suggestValues(policy: TagPolicy, target: TagTarget, key: string, neighbours: readonly TagTarget[]): Suggestion[] {
  const others = neighbours.filter((n) => n.id !== target.id && n.cloud === target.cloud);
  const project = tagValue(target.tags, 'Project');
  const module = moduleOf(target);
  const accountWord = target.cloud === 'aws' ? 'account' : target.cloud === 'gcp' ? 'project' : 'subscription';
  const scopes: { scope: Suggestion['scope']; where: string; members: TagTarget[] }[] = [];
  if (module !== undefined) scopes.push({ scope: 'module', where: `the IaC module ${module}`, members: others.filter((n) => moduleOf(n) === module) });
  if (project && normalizeTagKey(key) !== 'project') scopes.push({ scope: 'project', where: `project "${project}"`, members: others.filter((n) => tagValue(n.tags, 'Project') === project) });
  if (target.account) scopes.push({ scope: 'account', where: `${accountWord} ${target.account}`, members: others.filter((n) => n.account === target.account) });
  const out: Suggestion[] = [];
  const seen = new Set<string>();
  const written = cloudKey(policy, target.cloud, key);
  for (const { scope, where, members } of scopes) {
    if (!members.length) continue;
    const counts = new Map<string, number>();
    for (const m of members) {
      const v = tagValue(m.tags, key) ?? tagValue(m.tags, written);
      if (v === undefined || v.trim() === '' || isPlaceholderValue(policy, v)) continue;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    for (const [value, count] of ranked) {
      if (seen.has(value) || tagValueProblem(policy, target.cloud, key, value)) continue;
      seen.add(value);
      const noun = members.length === 1 ? 'resource' : 'resources';
      out.push({ value, count, of: members.length, scope, reason: `${count} of ${members.length} ${noun} in ${where} ${count === 1 ? 'has' : 'have'} ${written} = ${value}` });
    }
  }
  const rule = own(policy.rules, key);
  const fromPolicy = [...(rule?.allowed?.filter((a) => !a.includes('*')) ?? []), ...(rule?.example ? [rule.example] : [])];
  for (const value of fromPolicy) {
    if (seen.has(value) || tagValueProblem(policy, target.cloud, key, value)) continue;
    seen.add(value);
    out.push({ value, count: 0, of: 0, scope: 'policy', reason: rule?.allowed?.includes(value) ? 'allowed by the tag policy' : 'the tag policy\'s example' });
  }
  return out;
}

/** Where a resource is declared in the workspace, so its tags are changed there and not in the cloud. */
export interface IacLocation {
  /** `aws_instance.trainer` or a CloudFormation logical id. */
  address: string;
  file: string;
  /** 1-based, as `Resource.declaredIn`. */
  range: NonNullable<Resource['declaredIn']>['range'];
  /** How the link was found ("declared in the workspace", "Terraform state terraform.tfstate", …). */
  how: string;
}

export interface TagChange {
  /** The policy key. */
  key: string;
  /** The key written on the resource (a Google Cloud label key may differ). */
  writtenKey: string;
  old: string | undefined;
  value: string;
}

export interface PlannedResource {
  target: TagTarget;
  changes: TagChange[];
  /** cloud: written through the cloud's API; iac: to be fixed in its declaration; none: nothing to change. */
  route: 'cloud' | 'iac' | 'none';
  iac?: IacLocation;
  /** Values the policy refuses, in its words: the resource is not changed while there are any. */
  problems: string[];
}

export interface TagPlan {
  resources: PlannedResource[];
  /** Where the policy came from, for the preview. */
  policySource: string;
}

export function policySourceText(policy: TagPolicy): string {
  return policy.source.file ? path.basename(policy.source.file) : policy.source.kind === 'default' ? 'the default tag policy' : 'the team tag policy';
}

/**
 * The plan for setting `values` (policy key → value) on resources: per resource the keys that change (old → new;
 * a key already holding the value is left out), where it is changed (the cloud, or its IaC declaration when `link`
 * finds one) and every value the policy refuses, in the policy's words.
 */
export function planTags(policy: TagPolicy, targets: readonly TagTarget[], values: Readonly<Record<string, string>>, link: (t: TagTarget) => IacLocation | undefined = () => undefined): TagPlan {
  const resources = targets.map((target): PlannedResource => {
    const changes: TagChange[] = [];
    const problems: string[] = [];
    for (const [key, value] of Object.entries(values)) {
      const writtenKey = presentKey(policy, target, key) ?? cloudKey(policy, target.cloud, key);
      const problem = tagValueProblem(policy, target.cloud, key, value);
      if (problem) problems.push(`${writtenKey} = "${value}": ${problem}`);
      if (target.cloud === 'gcp' && !/^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u.test(writtenKey)) problems.push(`"${writtenKey}" is not a valid Google Cloud label key (a lowercase letter, then lowercase letters, digits, "_" and "-")`);
      const old = Object.prototype.hasOwnProperty.call(target.tags, writtenKey) ? target.tags[writtenKey] : undefined;
      if (old !== value) changes.push({ key, writtenKey, old, value });
    }
    const iac = changes.length ? link(target) : undefined;
    return { target, changes, route: !changes.length ? 'none' : iac ? 'iac' : 'cloud', ...(iac ? { iac } : {}), problems };
  });
  return { resources, policySource: policySourceText(policy) };
}

/** Resources the plan writes through a cloud API: changes, no problems, not declared in IaC. */
export function cloudChanges(plan: TagPlan): PlannedResource[] {
  return plan.resources.filter((r) => r.route === 'cloud' && r.problems.length === 0);
}

/** `arn:…/i-0abc (trainer)`. */
export function targetLabel(t: TagTarget): string {
  return t.name && !t.id.endsWith(t.name) ? `${t.id} (${t.name})` : t.id;
}

function quoted(v: string | undefined): string {
  return v === undefined ? '(none)' : `"${v}"`;
}

/** The preview: every resource and change, where it is made, and what is refused. Shared by the editor and the CLI. */
export function formatPlan(plan: TagPlan): string {
  const lines: string[] = [];
  const cloud = cloudChanges(plan);
  const iac = plan.resources.filter((r) => r.route === 'iac');
  const refused = plan.resources.filter((r) => r.route === 'cloud' && r.problems.length);
  const same = plan.resources.filter((r) => r.route === 'none');
  const changeLines = (r: PlannedResource) => r.changes.map((c) => `    ${c.writtenKey}: ${quoted(c.old)} → ${quoted(c.value)}`);
  if (cloud.length) {
    lines.push(`Tag ${cloud.length} running resource${cloud.length === 1 ? '' : 's'} in the cloud (policy: ${plan.policySource}):`);
    for (const r of cloud) lines.push(`  ${targetLabel(r.target)}`, ...changeLines(r));
  }
  if (iac.length) {
    if (lines.length) lines.push('');
    lines.push(`Not tagged in the cloud: ${iac.length} resource${iac.length === 1 ? ' is' : 's are'} declared in IaC, so the next apply would revert it. Add the tags in the code with the missing-tag quick fix:`);
    for (const r of iac) lines.push(`  ${targetLabel(r.target)} → ${r.iac!.address} in ${r.iac!.file}:${r.iac!.range.startLine} (${r.iac!.how})`, ...changeLines(r));
  }
  if (refused.length) {
    if (lines.length) lines.push('');
    lines.push(`Refused by ${plan.policySource} (fix the values):`);
    for (const r of refused) lines.push(`  ${targetLabel(r.target)}`, ...r.problems.map((p) => `    ${p}`));
  }
  if (same.length) {
    if (lines.length) lines.push('');
    lines.push(`Already tagged so: ${same.map((r) => targetLabel(r.target)).join(', ')}`);
  }
  return lines.join('\n');
}

/** What happened to one resource the plan wrote. */
export interface TagOutcome {
  id: string;
  ok: boolean;
  /** Why it failed, with the fix. */
  error?: string;
}

/** "Tagged 2 of 3 resources. Not tagged: arn:… (AWS denied …)". */
export function formatOutcomes(outcomes: readonly TagOutcome[]): string {
  const ok = outcomes.filter((o) => o.ok);
  const failed = outcomes.filter((o) => !o.ok);
  const head = `Tagged ${ok.length} of ${outcomes.length} resource${outcomes.length === 1 ? '' : 's'}.`;
  if (!failed.length) return head;
  return [head, `Not tagged:`, ...failed.map((o) => `  ${o.id}: ${o.error ?? 'failed'}`)].join('\n');
}
