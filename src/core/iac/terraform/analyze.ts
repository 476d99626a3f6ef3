import type { Attribute, Block, Expr, ObjectExpr } from '../hcl/ast';
import { templateText } from '../hcl/parser';
import { evaluateTags, isChecked, severityFor, type ObservedTags, type Violation } from '../../policy/evaluate';
import { fixGcpLabelKey, fixGcpLabelValue } from '../../policy/gcpLabels';
import { own, type Cloud, type TagPolicy } from '../../policy/model';
import { hclEntries, keyFor, placeholderFor, placeholderText, asSnippet, inlineEntries } from '../fixText';
import { withLazyFixes, type DeclaredResource, type Finding, type Fix, type TextEdit } from '../model';
import { terraformTaggable } from '../tagSupport';
import { emptyObject, evaluate, mergeValues, tagsOf, unknown, type Entry, type Scope, type Value } from './evaluate';
import type { TfFile } from './files';

/** What a module's callers decide for it (when another folder of the workspace calls it with `source = "./…"`). */
export interface ModuleInputs {
  /** Variables that local callers pass: their values depend on the caller, so they are unknown here. */
  passedByCallers?: ReadonlySet<string>;
  /** Provider local names whose configuration (and default tags) comes from a caller. */
  inheritedProviders?: ReadonlySet<string>;
  /** `terraform.tfvars` and `*.auto.tfvars` of the folder. */
  tfvars?: readonly TfFile[];
}

interface AnalyzeOptions {
  /** Report the informational `cannot-verify` hint. */
  reportUnknown: boolean;
  /** Also resolve each resource's size and region (for inventories; findings do not need them). */
  details?: boolean;
}

interface ModuleCall {
  name: string;
  source: string;
  file: string;
  /** Arguments the call passes (variable names of the called module). */
  passes: Set<string>;
  /** Provider local names whose configuration the call hands to the module (all, when no `providers` map). */
  providers: 'all' | Set<string>;
}

interface ModuleAnalysis {
  resources: DeclaredResource[];
  findings: Finding[];
  calls: ModuleCall[];
  /** Provider local names that declare default tags/labels in this module. */
  providersWithDefaults: Set<string>;
}

interface ProviderConfig {
  name: string;
  alias?: string;
  block: Block;
  file: TfFile;
  /** aws: `default_tags { tags = … }`; google: `default_labels = …`. */
  defaults?: { block?: Block; attr?: Attribute };
}

function attr(block: Block, name: string): Attribute | undefined {
  return block.body.attributes.find((a) => a.name === name);
}

function literalString(e: Expr | undefined): string | undefined {
  if (!e) return undefined;
  if (e.type === 'template') return templateText(e);
  return undefined;
}

/** `aws.west` → "aws.west"; `aws` → "aws". */
function providerRef(e: Expr): string | undefined {
  if (e.type === 'traversal') {
    const first = e.steps[0];
    if (e.steps.length === 0) return e.root;
    if (e.steps.length === 1 && first?.kind === 'attr') return `${e.root}.${first.name}`;
  }
  const s = literalString(e);
  return s || undefined;
}

/** The blocks of a module's files, by kind. */
interface Declarations {
  locals: Map<string, { attr: Attribute; file: string }>;
  variables: Map<string, { block: Block; file: string }>;
  providers: Map<string, ProviderConfig>;
  resources: Array<{ block: Block; file: TfFile }>;
  modules: Array<{ block: Block; file: TfFile }>;
}

/** A provider's default tags (aws `default_tags`, google `default_labels`), and the provider they came from. */
interface ProviderDefaults { value: Value; provider?: ProviderConfig }

/** What analysing one resource or module call needs of its module. */
interface ModuleContext {
  policy: TagPolicy;
  options: AnalyzeOptions;
  scope: Scope;
  providers: Map<string, ProviderConfig>;
  /** The default tags that apply to a provider reference (`aws`, `aws.west`), memoised. */
  defaultsOf(key: string, localName: string): ProviderDefaults;
  findings: Finding[];
}

/** A module's folder analysed as Terraform evaluates it: all `.tf` files in one folder form one module. */
export function analyzeTerraformModule(files: readonly TfFile[], policy: TagPolicy, options: AnalyzeOptions, inputs: ModuleInputs = {}): ModuleAnalysis {
  const decls = collectDeclarations(files);
  const scope = moduleScope(decls, inputs);
  const ctx: ModuleContext = { policy, options, scope, providers: decls.providers, defaultsOf: providerDefaults(decls.providers, scope, inputs), findings: [] };
  const providersWithDefaults = new Set<string>();
  for (const [, cfg] of decls.providers) if (cfg.defaults?.attr) providersWithDefaults.add(cfg.name);
  const resources = decls.resources.map((r) => analyzeResource(r.block, r.file, ctx)).filter((r): r is DeclaredResource => r !== undefined);
  const calls = decls.modules.map((m) => analyzeModuleCall(m.block, m.file, ctx)).filter((c): c is ModuleCall => c !== undefined);
  return { resources, findings: ctx.findings, calls, providersWithDefaults };
}

function collectDeclarations(files: readonly TfFile[]): Declarations {
  const decls: Declarations = { locals: new Map(), variables: new Map(), providers: new Map(), resources: [], modules: [] };
  for (const f of files) {
    for (const b of f.hcl.body.blocks) {
      switch (b.type) {
        case 'locals':
          // expressions are parsed only when a local is read
          for (const a of b.body.attributes) decls.locals.set(a.name, { attr: a, file: f.path });
          break;
        case 'variable':
          if (b.labels[0]) decls.variables.set(b.labels[0].value, { block: b, file: f.path });
          break;
        case 'provider': {
          const name = b.labels[0]?.value;
          if (!name) break;
          const alias = literalString(attr(b, 'alias')?.expr);
          const cfg: ProviderConfig = { name, block: b, file: f, ...(alias ? { alias } : {}) };
          const dtBlock = b.body.blocks.find((x) => x.type === 'default_tags');
          const dl = attr(b, 'default_labels');
          if (dtBlock) cfg.defaults = { block: dtBlock, ...(attr(dtBlock, 'tags') ? { attr: attr(dtBlock, 'tags')! } : {}) };
          else if (dl) cfg.defaults = { attr: dl };
          decls.providers.set(alias ? `${name}.${alias}` : name, cfg);
          break;
        }
        case 'resource':
          decls.resources.push({ block: b, file: f });
          break;
        case 'module':
          decls.modules.push({ block: b, file: f });
          break;
      }
    }
  }
  return decls;
}

/** Locals and variables as Terraform resolves them: tfvars over defaults; what local callers pass is unknown. */
function moduleScope(decls: Declarations, inputs: ModuleInputs): Scope {
  const tfvarValues = new Map<string, Value>();
  const emptyScope: Scope = { local: () => unknown, variable: () => unknown };
  const ordered = [...(inputs.tfvars ?? [])].sort((a, b) => tfvarsRank(a.path) - tfvarsRank(b.path) || a.path.localeCompare(b.path));
  for (const tv of ordered) for (const a of tv.hcl.body.attributes) tfvarValues.set(a.name, evaluate(a.expr, tv.path, emptyScope));

  const localValues = new Map<string, Value>();
  const variableValues = new Map<string, Value>();
  const inProgress = new Set<string>();
  const scope: Scope = {
    local(name) {
      const done = localValues.get(name);
      if (done) return done;
      const def = decls.locals.get(name);
      if (!def || inProgress.has(name)) return unknown;
      inProgress.add(name);
      const v = evaluate(def.attr.expr, def.file, scope);
      inProgress.delete(name);
      localValues.set(name, v);
      return v;
    },
    variable(name) {
      if (inputs.passedByCallers?.has(name)) return unknown;
      const tv = tfvarValues.get(name);
      if (tv) return tv;
      let v = variableValues.get(name);
      if (!v) {
        const def = decls.variables.get(name);
        const d = def ? attr(def.block, 'default') : undefined;
        v = d && def ? evaluate(d.expr, def.file, emptyScope) : unknown;
        variableValues.set(name, v);
      }
      return v;
    },
  };
  return scope;
}

/** The default tags of each provider reference, evaluated once. */
function providerDefaults(providers: Map<string, ProviderConfig>, scope: Scope, inputs: ModuleInputs): ModuleContext['defaultsOf'] {
  const memo = new Map<string, ProviderDefaults>();
  const compute = (key: string, localName: string): ProviderDefaults => {
    const cfg = providers.get(key);
    if (cfg) {
      const a = cfg.defaults?.attr;
      if (cfg.defaults?.block?.body.blocks.some((x) => x.type === 'dynamic')) return { value: unknown, provider: cfg };
      return { value: a ? evaluate(a.expr, cfg.file.path, scope) : emptyObject(), provider: cfg };
    }
    // an alias that is not declared has no default tags; an undeclared default provider comes from a caller
    if (!key.includes('.') && inputs.inheritedProviders?.has(localName)) return { value: unknown };
    return { value: emptyObject() };
  };
  return (key, localName) => {
    const memoKey = `${key}\u0000${localName}`;
    let d = memo.get(memoKey);
    if (!d) memo.set(memoKey, (d = compute(key, localName)));
    return d;
  };
}

/** Tags as the cloud applies them: the provider's default tags under the resource's own (Azure has none). */
function withDefaultTags(ctx: ModuleContext, cloud: Cloud, value: Value, providerKey: string, localName: string): { value: Value; defaults: ProviderDefaults } {
  if (cloud === 'azure') return { value, defaults: { value: emptyObject() } };
  const defaults = ctx.defaultsOf(providerKey, localName);
  return { value: mergeValues([defaults.value, value]), defaults };
}

/** Findings for the tags one resource or module call ends up with. */
function checkTags(tagCtx: ResourceContext, observed: ReturnType<typeof tagsOf>, options: AnalyzeOptions, findings: Finding[]): void {
  for (const v of evaluateTags(tagCtx.policy, tagCtx.cloud, observed as ObservedTags)) {
    const f = violationFinding(v, tagCtx, options);
    if (f) findings.push(f);
  }
}

/** The value of an attribute when it is a known string. */
function knownString(a: Attribute | undefined, file: string, scope: Scope): string | undefined {
  const v = a ? evaluate(a.expr, file, scope) : unknown;
  return v.k === 'str' ? v.v : undefined;
}

/** The first of `names` the block sets, as a known string. */
function firstKnown(block: Block, names: readonly string[], file: string, scope: Scope): string | undefined {
  for (const name of names) {
    const a = attr(block, name);
    if (a) return knownString(a, file, scope);
  }
  return undefined;
}

/**
 * How many instances a resource block declares: `count` as a known whole number, `for_each` over a known map
 * (its keys) or set/list (its distinct values); 'unknown' when either cannot be known statically; undefined for a
 * block with neither (one instance).
 */
export function instancesOf(block: Block, file: string, scope: Scope): number | 'unknown' | undefined {
  const count = attr(block, 'count');
  if (count) {
    const v = evaluate(count.expr, file, scope);
    const n = v.k === 'num' ? v.v : v.k === 'str' && /^\s*\d+\s*$/.test(v.v) ? Number(v.v) : NaN;
    return Number.isInteger(n) && n >= 0 ? n : 'unknown';
  }
  const forEach = attr(block, 'for_each');
  if (forEach) {
    const v = evaluate(forEach.expr, file, scope);
    if (v.k === 'obj') return v.complete ? v.entries.size : 'unknown';
    if (v.k === 'list') {
      const keys = new Set<string>();
      for (const item of v.items) {
        if (item.k !== 'str' && item.k !== 'num') return 'unknown';
        keys.add(String(item.v));
      }
      return keys.size;
    }
    return 'unknown';
  }
  return undefined;
}

function analyzeResource(block: Block, file: TfFile, ctx: ModuleContext): DeclaredResource | undefined {
  const { policy, scope, options } = ctx;
  const type = block.labels[0]?.value;
  const name = block.labels[1]?.value;
  if (!type || !name) return undefined;
  const taggable = terraformTaggable(type);
  if (!taggable) return undefined;
  const address = `${type}.${name}`;
  const header = { start: block.start, end: (block.labels[block.labels.length - 1] ?? block.typeSpan).end };
  const localName = type.slice(0, type.indexOf('_'));
  const pAttr = attr(block, 'provider');
  const providerKey = (pAttr && providerRef(pAttr.expr)) || localName;
  const tagsAttr = attr(block, taggable.attribute);
  const isAsg = type === 'aws_autoscaling_group';
  const conflict = isAsg && tagsAttr && block.body.blocks.some((b) => b.type === 'tag' || (b.type === 'dynamic' && b.labels[0]?.value === 'tag'));
  // autoscaling groups take no default tags
  const { value, defaults } = isAsg
    ? { value: asgTags(block, file.path, scope), defaults: { value: emptyObject() } as ProviderDefaults }
    : withDefaultTags(ctx, taggable.cloud, tagsAttr ? evaluate(tagsAttr.expr, file.path, scope) : emptyObject(), providerKey, providerKey.split('.')[0] ?? localName);
  const observed = tagsOf(value);
  const size = options.details ? firstKnown(block, taggable.sizeAttributes, file.path, scope) : undefined;
  const region = options.details
    ? firstKnown(block, taggable.regionAttributes, file.path, scope) ?? knownString(attr(defaults.provider?.block ?? ctx.providers.get(providerKey)?.block ?? block, 'region'), file.path, scope)
    : undefined;
  const instances = options.details ? instancesOf(block, file.path, scope) : undefined;
  const resource: DeclaredResource = {
    cloud: taggable.cloud, address, type, name, file: file.path,
    range: file.lines.range(header.start, header.end),
    tags: Object.fromEntries([...observed.keys].filter((e): e is [string, string] => e[1] !== undefined)),
    tagsComplete: observed.complete,
    ...(size ? { size } : {}),
    ...(region ? { region } : {}),
    ...(instances !== undefined ? { instances } : {}),
  };
  if (!isChecked(policy, type, address)) return resource;
  const target = tagsAttr ? { start: tagsAttr.expr.start, end: tagsAttr.expr.end } : header;
  if (conflict && tagsAttr) {
    ctx.findings.push({
      file: file.path, range: file.lines.range(tagsAttr.start, tagsAttr.end), code: 'asg-tag-conflict',
      severity: severityFor(policy, 'asg-tag-conflict'), resource: address,
      message: `${address} sets tags both with "tag" blocks and the "tags" attribute: use only one (the "tag" blocks).`,
    });
  }
  const tagCtx: ResourceContext = { policy, cloud: taggable.cloud, address, file, block, tagsAttr, target, providerConfig: defaults.provider, isAsg, entries: observed.entries, attribute: taggable.attribute };
  checkTags(tagCtx, observed, options, ctx.findings);
  return resource;
}

/** A `module` call: what it passes to the module, and the tags it hands to the module's resources. */
function analyzeModuleCall(block: Block, file: TfFile, ctx: ModuleContext): ModuleCall | undefined {
  const { policy, scope, options } = ctx;
  const name = block.labels[0]?.value;
  if (!name) return undefined;
  const source = literalString(attr(block, 'source')?.expr) ?? '';
  const providersAttr = attr(block, 'providers');
  let passedProviders: ModuleCall['providers'] = 'all';
  if (providersAttr?.expr.type === 'object') {
    passedProviders = new Set(providersAttr.expr.items.map((i) => (i.key.type === 'traversal' ? i.key.root : '')).filter(Boolean));
  }
  const call: ModuleCall = { name, source, file: file.path, passes: new Set(block.body.attributes.map((a) => a.name)), providers: passedProviders };
  // a module call that passes tags: check the tags it hands to the module's resources
  const tagsAttr = attr(block, 'tags') ?? attr(block, 'labels');
  if (!tagsAttr) return call;
  const cloud: Cloud = /google|gcp|gke/i.test(source) ? 'gcp' : /azurerm|azure|avm-/i.test(source) ? 'azure' : 'aws';
  const address = `module.${name}`;
  if (!isChecked(policy, 'module', address)) return call;
  const local = cloud === 'gcp' ? 'google' : 'aws';
  const mapped = providersAttr?.expr.type === 'object'
    ? providersAttr.expr.items.find((i) => i.key.type === 'traversal' && i.key.root === local)?.value
    : undefined;
  const { value, defaults } = withDefaultTags(ctx, cloud, evaluate(tagsAttr.expr, file.path, scope), (mapped && providerRef(mapped)) || local, local);
  const observed = tagsOf(value);
  const tagCtx: ResourceContext = {
    policy, cloud, address, file, block, tagsAttr, target: { start: tagsAttr.expr.start, end: tagsAttr.expr.end },
    providerConfig: defaults.provider, isAsg: false, entries: observed.entries, attribute: tagsAttr.name as 'tags' | 'labels',
  };
  checkTags(tagCtx, observed, options, ctx.findings);
  return call;
}

function tfvarsRank(p: string): number {
  return /terraform\.tfvars(\.json)?$/.test(p) ? 0 : 1;
}

/** Autoscaling groups: `tag {}` blocks (static or dynamic) and the legacy `tags = [{ key, value }]` list; no default tags. */
function asgTags(block: Block, file: string, scope: Scope): Value {
  const entries = new Map<string, Entry>();
  let complete = true;
  for (const b of block.body.blocks) {
    if (b.type === 'dynamic' && b.labels[0]?.value === 'tag') { complete = false; continue; }
    if (b.type !== 'tag') continue;
    const k = attr(b, 'key');
    const v = attr(b, 'value');
    const key = k ? evaluate(k.expr, file, scope) : unknown;
    if (key.k !== 'str') { complete = false; continue; }
    entries.set(key.v, { value: v ? evaluate(v.expr, file, scope) : unknown, key: { file, start: k!.expr.start, end: k!.expr.end }, ...(v ? { at: { file, start: v.expr.start, end: v.expr.end } } : {}) });
  }
  const tagsAttr = attr(block, 'tags');
  if (tagsAttr) {
    const list = evaluate(tagsAttr.expr, file, scope);
    if (list.k !== 'list') complete = false;
    else {
      for (const item of list.items) {
        if (item.k !== 'obj') { complete = false; continue; }
        const key = item.entries.get('key');
        if (!key || key.value.k !== 'str') { complete = false; continue; }
        const val = item.entries.get('value');
        entries.set(key.value.v, { value: val?.value ?? unknown, ...(key.at ? { key: key.at } : {}), ...(val?.at ? { at: val.at } : {}) });
      }
    }
  }
  return { k: 'obj', entries, complete };
}

interface ResourceContext {
  policy: TagPolicy;
  cloud: Cloud;
  address: string;
  file: TfFile;
  block: Block;
  tagsAttr: Attribute | undefined;
  target: { start: number; end: number };
  providerConfig: ProviderConfig | undefined;
  isAsg: boolean;
  entries: Map<string, Entry>;
  attribute: 'tags' | 'labels' | 'resource_labels';
}

function quoteList(keys: readonly string[]): string {
  return keys.map((k) => `"${k}"`).join(', ');
}

function violationFinding(v: Violation, ctx: ResourceContext, options: AnalyzeOptions): Finding | undefined {
  const { policy, cloud, address, file } = ctx;
  const noun = cloud === 'gcp' ? 'labels' : 'tags';
  const here = (origin: { file: string; start: number; end: number } | undefined) =>
    origin && origin.file === file.path ? file.lines.range(origin.start, origin.end) : file.lines.range(ctx.target.start, ctx.target.end);
  switch (v.code) {
    case 'missing-tag': {
      const missing = v.missing.map((k) => keyFor(policy, k, cloud)).sort();
      const near = Object.entries(v.nearMisses).map(([want, have]) => `"${have}" should be "${want}"`);
      return withLazyFixes({
        file: file.path, range: here(undefined), code: 'missing-tag', severity: severityFor(policy, 'missing-tag'), resource: address, missing,
        message: `${address} is missing required ${noun}: ${quoteList(missing)}${near.length ? ` (${near.join('; ')}: tag keys are case-sensitive)` : ''}`,
      }, () => [addTagsFix(ctx, v.missing), addDefaultsFix(ctx, v.missing)].filter((f): f is Fix => f !== undefined));
    }
    case 'cannot-verify': {
      if (!(policy.reportUnknown ?? options.reportUnknown)) return undefined;
      const missing = v.missing.map((k) => keyFor(policy, k, cloud)).sort();
      return {
        file: file.path, range: here(undefined), code: 'cannot-verify', severity: severityFor(policy, 'cannot-verify'), resource: address, missing,
        message: `Cannot verify the ${noun} of ${address}: some come from values known only at plan time. Make sure it gets ${quoteList(missing)}.`,
      };
    }
    case 'invalid-tag-value': {
      const e = ctx.entries.get(v.key);
      const rule = own(policy.rules, v.key);
      const fixes: Fix[] = [];
      const allowed = rule?.allowed?.filter((a) => !a.includes('*'));
      if (e?.at && e.at.file === file.path && allowed?.length && isLiteral(file.text.slice(e.at.start, e.at.end))) {
        const best = allowed.find((a) => a.toLowerCase().startsWith(v.value.toLowerCase().slice(0, 3))) ?? allowed[0]!;
        fixes.push({
          title: `Set ${v.key} to "${best}"`, preferred: true, kind: 'addTags',
          edits: [{ file: file.path, start: e.at.start, end: e.at.end, newText: JSON.stringify(best), snippet: `"\${1|${[best, ...allowed.filter((a) => a !== best)].map((a) => a.replace(/[$}\\,|]/g, '\\$&')).join(',')}|}"` }],
        });
      }
      return {
        file: file.path, range: here(e?.at), code: 'invalid-tag-value', severity: severityFor(policy, 'invalid-tag-value', v.key), resource: address,
        message: `${address}: ${cloud === 'gcp' ? 'label' : 'tag'} "${v.key}" is "${v.value}"; expected ${v.expected}${rule?.description ? ` (${rule.description})` : ''}`,
        fixes,
      };
    }
    case 'placeholder-tag-value': {
      const e = ctx.entries.get(v.key);
      const rule = policy.rules[v.key];
      const fixes: Fix[] = [];
      const allowed = rule?.allowed?.filter((a) => !a.includes('*'));
      if (e?.at && e.at.file === file.path && allowed?.length && isLiteral(file.text.slice(e.at.start, e.at.end))) {
        fixes.push({
          title: `Set ${v.key} to "${allowed[0]}"`, preferred: true, kind: 'addTags',
          edits: [{ file: file.path, start: e.at.start, end: e.at.end, newText: JSON.stringify(allowed[0]), snippet: `"\${1|${allowed.map((a) => a.replace(/[$}\\,|]/g, '\\$&')).join(',')}|}"` }],
        });
      }
      return {
        file: file.path, range: here(e?.at), code: 'placeholder-tag-value', severity: severityFor(policy, 'placeholder-tag-value', v.key), resource: address,
        message: `${address}: ${cloud === 'gcp' ? 'label' : 'tag'} "${v.key}" is ${placeholderText(v.value)}, a placeholder; set the real value`,
        fixes,
      };
    }
    case 'invalid-label-key': {
      const e = ctx.entries.get(v.key);
      const fixed = fixGcpLabelKey(v.key, policy.gcpLabelKeys, [...policy.required, ...policy.optional]);
      const fixes: Fix[] = [];
      if (e?.key && e.key.file === file.path) {
        const written = file.text.slice(e.key.start, e.key.end);
        const newText = written.startsWith('"') ? JSON.stringify(fixed) : fixed;
        fixes.push({ title: `Rename label "${v.key}" to "${fixed}"`, preferred: true, kind: 'renameLabel', edits: [{ file: file.path, start: e.key.start, end: e.key.end, newText }] });
      }
      return {
        file: file.path, range: here(e?.key), code: 'invalid-label-key', severity: severityFor(policy, 'invalid-label-key'), resource: address,
        message: `${address}: label key "${v.key}" is not valid on Google Cloud (lowercase letters, digits, "_" and "-", starting with a letter); use "${fixed}"`,
        fixes,
      };
    }
    case 'invalid-label-value': {
      const e = ctx.entries.get(v.key);
      const fixed = fixGcpLabelValue(v.value);
      const fixes: Fix[] = [];
      if (e?.at && e.at.file === file.path && isLiteral(file.text.slice(e.at.start, e.at.end))) {
        fixes.push({ title: `Change label "${v.key}" to "${fixed}"`, preferred: true, kind: 'fixLabelValue', edits: [{ file: file.path, start: e.at.start, end: e.at.end, newText: JSON.stringify(fixed) }] });
      }
      return {
        file: file.path, range: here(e?.at), code: 'invalid-label-value', severity: severityFor(policy, 'invalid-label-value', v.key), resource: address,
        message: `${address}: label "${v.key}" has the value "${v.value}", which Google Cloud does not accept (lowercase letters, digits, "_" and "-", at most 63); use "${fixed}"`,
        fixes,
      };
    }
  }
}

function isLiteral(text: string): boolean {
  return /^"[^"$%\\]*"$/.test(text);
}

function entriesFor(ctx: ResourceContext, missing: readonly string[]) {
  return missing.map((k) => {
    const key = keyFor(ctx.policy, k, ctx.cloud);
    const p = placeholderFor(ctx.policy, k, ctx.cloud);
    return { key, value: p.text, ...(p.choices ? { choices: p.choices } : {}) };
  });
}

const indentUnit = '  ';

/** Inserts entries into an object literal, keeping its layout. */
function insertIntoObject(file: TfFile, obj: ObjectExpr, entries: ReturnType<typeof entriesFor>): TextEdit {
  const text = file.text;
  const outer = file.lines.indentAt(obj.start);
  const close = obj.end - 1;
  const multiline = text.slice(obj.start, obj.end).includes('\n');
  if (obj.items.length === 0 || !multiline) {
    if (obj.items.length > 0) {
      const at = obj.items[obj.items.length - 1]!.end;
      return { file: file.path, start: at, end: at, newText: `, ${inlineEntries(entries)}` };
    }
    const body = hclEntries(entries, outer + indentUnit);
    return { file: file.path, start: obj.start, end: obj.end, newText: `{\n${body.text}${outer}}`, snippet: `{\n${body.snippet}${asSnippet(outer)}}` };
  }
  const lineStart = text.lastIndexOf('\n', close - 1) + 1;
  const lastItem = obj.items[obj.items.length - 1]!;
  const inner = file.lines.indentAt(lastItem.start);
  if (/^[ \t]*$/.test(text.slice(lineStart, close))) {
    const body = hclEntries(entries, inner);
    return { file: file.path, start: lineStart, end: lineStart, newText: body.text, snippet: body.snippet };
  }
  const body = hclEntries(entries, inner);
  return { file: file.path, start: close, end: close, newText: `\n${body.text}${outer}`, snippet: `\n${body.snippet}${asSnippet(outer)}` };
}

/** Adds entries to whatever expression holds the tags: an object literal, a merge() or anything else (wrapped in merge). */
function addToExpression(file: TfFile, expr: Expr, entries: ReturnType<typeof entriesFor>): TextEdit {
  if (expr.type === 'object') return insertIntoObject(file, expr, entries);
  if (expr.type === 'call' && expr.name === 'merge') {
    const lastObject = [...expr.args].reverse().find((a): a is ObjectExpr => a.type === 'object');
    if (lastObject && lastObject === expr.args[expr.args.length - 1]) return insertIntoObject(file, lastObject, entries);
    const last = expr.args[expr.args.length - 1];
    const outer = file.lines.indentAt(expr.start);
    const body = hclEntries(entries, outer + indentUnit);
    const at = last ? last.end : expr.end - 1;
    const sep = last ? ', ' : '';
    return { file: file.path, start: at, end: at, newText: `${sep}{\n${body.text}${outer}}`, snippet: `${sep}{\n${body.snippet}${asSnippet(outer)}}` };
  }
  const outer = file.lines.indentAt(expr.start);
  const original = file.text.slice(expr.start, expr.end);
  const body = hclEntries(entries, outer + indentUnit);
  return { file: file.path, start: expr.start, end: expr.end, newText: `merge(${original}, {\n${body.text}${outer}})`, snippet: `merge(${asSnippet(original)}, {\n${body.snippet}${asSnippet(outer)}})` };
}

/** Inserts text as new lines just before a block's closing brace. */
function insertBeforeClose(file: TfFile, block: Block, make: (indent: string) => { text: string; snippet: string }): TextEdit {
  const text = file.text;
  const blockIndent = file.lines.indentAt(block.start);
  const firstAttr = block.body.attributes[0] ?? block.body.blocks[0];
  const indent = firstAttr && file.lines.position(firstAttr.start).line !== file.lines.position(block.open).line
    ? file.lines.indentAt(firstAttr.start)
    : blockIndent + indentUnit;
  const close = block.close;
  const lineStart = text.lastIndexOf('\n', close - 1) + 1;
  const made = make(indent);
  if (lineStart > block.open && /^[ \t]*$/.test(text.slice(lineStart, close))) {
    return { file: file.path, start: lineStart, end: lineStart, newText: made.text, snippet: made.snippet };
  }
  // a one-line block: `resource "x" "y" {}`
  return { file: file.path, start: close, end: close, newText: `\n${made.text}${blockIndent}`, snippet: `\n${made.snippet}${asSnippet(blockIndent)}` };
}

function addTagsFix(ctx: ResourceContext, missing: readonly string[]): Fix | undefined {
  const entries = entriesFor(ctx, missing);
  const { file, block } = ctx;
  if (ctx.isAsg) {
    if (ctx.tagsAttr) return undefined;
    const edit = insertBeforeClose(file, block, (ind) => {
      let text = '';
      let snippet = '';
      entries.forEach((e, i) => {
        const value = e.choices && e.choices.length > 1 ? `\${${i + 1}|${e.choices.join(',')}|}` : `\${${i + 1}:${asSnippet(e.value)}}`;
        const lines = (v: string) => `${ind}tag {\n${ind}  key                 = ${JSON.stringify(e.key)}\n${ind}  value               = "${v}"\n${ind}  propagate_at_launch = true\n${ind}}\n`;
        text += lines(e.value);
        snippet += lines(value);
      });
      return { text, snippet };
    });
    return { title: `Add ${quoteList(entries.map((e) => e.key))} as tag blocks`, preferred: true, kind: 'addTags', edits: [edit] };
  }
  const edit = ctx.tagsAttr
    ? addToExpression(file, ctx.tagsAttr.expr, entries)
    : insertBeforeClose(file, block, (ind) => {
      const body = hclEntries(entries, ind + indentUnit);
      return { text: `${ind}${ctx.attribute} = {\n${body.text}${ind}}\n`, snippet: `${asSnippet(ind)}${ctx.attribute} = {\n${body.snippet}${asSnippet(ind)}}\n` };
    });
  return { title: `Add missing ${ctx.cloud === 'gcp' ? 'labels' : 'tags'} ${quoteList(entries.map((e) => e.key))} to ${ctx.address}`, preferred: true, kind: 'addTags', edits: [edit] };
}

function addDefaultsFix(ctx: ResourceContext, missing: readonly string[]): Fix | undefined {
  const cfg = ctx.providerConfig;
  if (!cfg || ctx.isAsg || ctx.cloud === 'azure') return undefined;
  const entries = entriesFor(ctx, missing);
  const label = cfg.alias ? `${cfg.name}.${cfg.alias}` : cfg.name;
  let edit: TextEdit;
  if (ctx.cloud === 'aws') {
    if (cfg.defaults?.attr) edit = addToExpression(cfg.file, cfg.defaults.attr.expr, entries);
    else if (cfg.defaults?.block) {
      edit = insertBeforeClose(cfg.file, cfg.defaults.block, (ind) => {
        const body = hclEntries(entries, ind + indentUnit);
        return { text: `${ind}tags = {\n${body.text}${ind}}\n`, snippet: `${asSnippet(ind)}tags = {\n${body.snippet}${asSnippet(ind)}}\n` };
      });
    } else {
      edit = insertBeforeClose(cfg.file, cfg.block, (ind) => {
        const body = hclEntries(entries, ind + indentUnit + indentUnit);
        return {
          text: `${ind}default_tags {\n${ind}${indentUnit}tags = {\n${body.text}${ind}${indentUnit}}\n${ind}}\n`,
          snippet: `${asSnippet(ind)}default_tags {\n${asSnippet(ind + indentUnit)}tags = {\n${body.snippet}${asSnippet(ind + indentUnit)}}\n${asSnippet(ind)}}\n`,
        };
      });
    }
  } else {
    edit = cfg.defaults?.attr
      ? addToExpression(cfg.file, cfg.defaults.attr.expr, entries)
      : insertBeforeClose(cfg.file, cfg.block, (ind) => {
        const body = hclEntries(entries, ind + indentUnit);
        return { text: `${ind}default_labels = {\n${body.text}${ind}}\n`, snippet: `${asSnippet(ind)}default_labels = {\n${body.snippet}${asSnippet(ind)}}\n` };
      });
  }
  return {
    title: `Add ${quoteList(entries.map((e) => e.key))} to the default ${ctx.cloud === 'gcp' ? 'labels' : 'tags'} of provider "${label}"`,
    preferred: false, kind: 'addDefaultTags', edits: [edit],
  };
}

