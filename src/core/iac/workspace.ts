import * as nodePath from 'node:path';
import { globMatch, severityFor } from '../policy/evaluate';
import type { TagPolicy } from '../policy/model';
import { throwIfAborted } from '../ports';
import { analyzeCloudFormation, looksLikeCloudFormation } from './cloudformation/analyze';
import { LineIndex, type DeclaredResource, type Finding } from './model';
import { analyzeTerraformModule, type ModuleInputs } from './terraform/analyze';
import { isTerraformPath, isTfvarsPath, parseTerraformFile, type TfFile } from './terraform/files';

/** Files above this size are not analysed (Terraform that large is generated); a finding says so. */
/** Folders never scanned: provider caches, VCS metadata, dependencies. */
export const skippedDirs: ReadonlySet<string> = new Set(['.terraform', '.terragrunt-cache', '.git', '.hg', '.svn', 'node_modules', 'cdk.out', '.serverless']);

export const maxFileBytes = 4 * 1024 * 1024;

type IacKind = 'terraform' | 'tfvars' | 'cloudformation';

/** Which analysis a path gets by its name (CloudFormation candidates are confirmed by their content). */
export function iacKindOf(path: string): IacKind | undefined {
  if (isTfvarsPath(path)) return 'tfvars';
  if (isTerraformPath(path)) return 'terraform';
  if (/\.(ya?ml|json|template)$/i.test(path) && !/\.finops\.ya?ml$/i.test(path)) return 'cloudformation';
  return undefined;
}

interface Entry {
  path: string;
  text: string;
  kind: IacKind;
  /** Why the file is not analysed (too large, binary). */
  skipped?: string;
  tf?: TfFile;
}

interface AnalysisResult {
  /** Findings per file, for every file of the folders that were (re)analysed; files without findings map to []. */
  findingsByFile: Map<string, Finding[]>;
  resources: DeclaredResource[];
}

interface WorkspaceOptions {
  policy: TagPolicy;
  reportUnknown: boolean;
  /** Resolve resource sizes and regions too (inventories need them; diagnostics do not). */
  details?: boolean;
  /** The workspace root, for `excludePaths` globs (relative paths). */
  root?: string;
}

function looksBinary(text: string): boolean {
  const head = text.slice(0, 8000);
  return head.includes('\u0000') || (head.match(/\uFFFD/g)?.length ?? 0) > 8;
}

/**
 * All IaC files of a workspace, parsed once and re-analysed per Terraform folder when files change.
 * Pure: callers feed file texts (from disk or from open editors) and get findings and resources back.
 */
export class IacWorkspace {
  private readonly files = new Map<string, Entry>();
  private options: WorkspaceOptions;

  constructor(options: WorkspaceOptions) {
    this.options = options;
  }

  setOptions(options: WorkspaceOptions): void {
    this.options = options;
  }

  get paths(): string[] {
    return [...this.files.keys()];
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  /** The text last given for a file (offsets in findings and fixes refer to it). */
  text(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  /** Adds or replaces a file; returns false (and ignores it) when it is not an IaC file. */
  upsert(path: string, text: string): boolean {
    const kind = iacKindOf(path);
    if (!kind) return false;
    if (kind === 'cloudformation' && !looksLikeCloudFormation(text)) {
      this.files.delete(path);
      return false;
    }
    const prev = this.files.get(path);
    if (prev && prev.text === text) return true;
    const entry: Entry = { path, text, kind };
    if (text.length > maxFileBytes) entry.skipped = `is ${(text.length / 1024 / 1024).toFixed(1)} MB; files over ${maxFileBytes / 1024 / 1024} MB are not checked (is it generated?)`;
    else if (looksBinary(text)) entry.skipped = 'is not a text file';
    this.files.set(path, entry);
    return true;
  }

  /** Marks a file as not checked without reading it (too large, unreadable, not a regular file): a finding says why. */
  upsertSkipped(path: string, reason: string): void {
    const kind = iacKindOf(path);
    if (kind) this.files.set(path, { path, text: '', kind, skipped: reason });
  }

  remove(path: string): void {
    this.files.delete(path);
  }

  clear(): void {
    this.files.clear();
  }

  private parsed(e: Entry): TfFile | undefined {
    if (e.skipped || e.kind === 'cloudformation') return undefined;
    e.tf ??= parseTerraformFile(e.path, e.text);
    return e.tf;
  }

  private excluded(path: string): boolean {
    const globs = this.options.policy.excludePaths;
    if (globs.length === 0) return false;
    const rel = (this.options.root ? nodePath.relative(this.options.root, path) : path).split(nodePath.sep).join('/');
    return globs.some((g) => globMatch(g.replace(/\*\*\/?/g, '*'), rel));
  }

  /**
   * Analyses the folders holding `changed` (all files when omitted), plus the folders those call or are
   * called by, and returns findings for every file in them.
   */
  analyze(changed?: readonly string[], signal?: AbortSignal): AnalysisResult {
    const { policy, reportUnknown, details = false } = this.options;
    const byDir = new Map<string, Entry[]>();
    for (const e of this.files.values()) {
      if (e.kind === 'cloudformation') continue;
      const dir = nodePath.dirname(e.path);
      let list = byDir.get(dir);
      if (!list) byDir.set(dir, (list = []));
      list.push(e);
    }
    // the local module graph: who calls which folder, passing what
    const callersOf = new Map<string, Array<{ dir: string; passes: Set<string>; providers: 'all' | Set<string> }>>();
    const providersWithDefaults = new Map<string, Set<string>>();
    const dirByResolved = new Map<string, string>();
    for (const dir of byDir.keys()) dirByResolved.set(nodePath.resolve(dir), dir);
    for (const [dir, entries] of byDir) {
      const withDefaults = new Set<string>();
      for (const e of entries) {
        const tf = this.parsed(e);
        if (!tf || e.kind !== 'terraform') continue;
        for (const b of tf.hcl.body.blocks) {
          if (b.type === 'provider' && b.labels[0] && (b.body.blocks.some((x) => x.type === 'default_tags') || b.body.attributes.some((a) => a.name === 'default_labels'))) withDefaults.add(b.labels[0].value);
          if (b.type !== 'module') continue;
          const src = b.body.attributes.find((a) => a.name === 'source')?.expr;
          const source = src?.type === 'template' && src.parts.length === 1 && typeof src.parts[0] === 'string' ? src.parts[0] : undefined;
          if (!source || !/^\.\.?([/\\]|$)/.test(source)) continue;
          const target = nodePath.resolve(dir, source);
          const key = dirByResolved.get(target) ?? target;
          const providersAttr = b.body.attributes.find((a) => a.name === 'providers')?.expr;
          const providers: 'all' | Set<string> = providersAttr?.type === 'object'
            ? new Set(providersAttr.items.map((i) => (i.key.type === 'traversal' ? i.key.root : '')))
            : 'all';
          let list = callersOf.get(key);
          if (!list) callersOf.set(key, (list = []));
          list.push({ dir, passes: new Set(b.body.attributes.map((a) => a.name)), providers });
        }
      }
      providersWithDefaults.set(dir, withDefaults);
    }

    let dirs: Set<string>;
    const cfnFiles: Entry[] = [];
    if (!changed) {
      dirs = new Set(byDir.keys());
      for (const e of this.files.values()) if (e.kind === 'cloudformation') cfnFiles.push(e);
    } else {
      dirs = new Set();
      for (const p of changed) {
        const e = this.files.get(p);
        if (e?.kind === 'cloudformation') { cfnFiles.push(e); continue; }
        const dir = nodePath.dirname(p);
        dirs.add(dir);
        // folders this one calls see new arguments
        for (const [callee, callers] of callersOf) if (callers.some((c) => c.dir === dir)) dirs.add(callee);
      }
    }

    const findingsByFile = new Map<string, Finding[]>();
    const resources: DeclaredResource[] = [];
    const push = (f: Finding) => {
      let list = findingsByFile.get(f.file);
      if (!list) findingsByFile.set(f.file, (list = []));
      list.push(f);
    };
    for (const dir of dirs) {
      throwIfAborted(signal);
      const entries = byDir.get(dir) ?? [];
      for (const e of entries) findingsByFile.set(e.path, []);
      const tfFiles: TfFile[] = [];
      const tfvars: TfFile[] = [];
      for (const e of entries) {
        if (this.excluded(e.path)) continue;
        if (e.skipped) {
          const lines = new LineIndex('');
          push({ file: e.path, range: lines.range(0, 0), code: 'file-skipped', severity: severityFor(policy, 'file-skipped'), message: `Not checked: ${nodePath.basename(e.path)} ${e.skipped}.` });
          continue;
        }
        const tf = this.parsed(e)!;
        (e.kind === 'tfvars' ? tfvars : tfFiles).push(tf);
      }
      // syntax errors last: expressions are parsed as the analysis reads them
      const syntaxErrors = () => {
        for (const tf of [...tfFiles, ...tfvars]) {
          for (const err of [...tf.hcl.errors].sort((a, b) => a.start - b.start).slice(0, 5)) {
            const rest = tf.hcl.unparseable ? 'The file is not checked; the other files are.' : 'The rest of the file is still checked.';
            push({ file: tf.path, range: tf.lines.range(err.start, err.end), code: 'syntax-error', severity: severityFor(policy, 'syntax-error'), message: `${err.message} ${rest}` });
          }
        }
      };
      if (tfFiles.length === 0) { syntaxErrors(); continue; }
      const callers = callersOf.get(dir) ?? [];
      const inputs: ModuleInputs = { tfvars };
      if (callers.length > 0) {
        const passed = new Set<string>();
        const inherited = new Set<string>();
        for (const c of callers) {
          for (const p of c.passes) passed.add(p);
          for (const p of providersWithDefaults.get(c.dir) ?? []) if (c.providers === 'all' || c.providers.has(p)) inherited.add(p);
          if (c.providers !== 'all') for (const p of c.providers) inherited.add(p);
        }
        inputs.passedByCallers = passed;
        inputs.inheritedProviders = inherited;
      }
      const result = analyzeTerraformModule(tfFiles, policy, { reportUnknown, details }, inputs);
      for (const f of result.findings) push(f);
      syntaxErrors();
      resources.push(...result.resources);
    }
    for (const e of cfnFiles) {
      throwIfAborted(signal);
      findingsByFile.set(e.path, []);
      if (this.excluded(e.path)) continue;
      if (e.skipped) {
        push({ file: e.path, range: new LineIndex('').range(0, 0), code: 'file-skipped', severity: severityFor(policy, 'file-skipped'), message: `Not checked: ${nodePath.basename(e.path)} ${e.skipped}.` });
        continue;
      }
      const r = analyzeCloudFormation(e.path, e.text, policy, { reportUnknown });
      for (const f of r.findings) push(f);
      resources.push(...r.resources);
    }
    for (const list of findingsByFile.values()) list.sort(compareFindings);
    return { findingsByFile, resources };
  }
}

function compareFindings(a: Finding, b: Finding): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1
    : a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code);
}
