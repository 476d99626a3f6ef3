import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FinOpsError } from '../../core/errors';
import { iacKindOf, maxFileBytes, skippedDirs, type IacWorkspace } from '../../core/iac/workspace';
import { throwIfAborted } from '../../core/ports';

/** CloudFormation candidates (.yaml/.json) larger than this are not read: templates are far smaller. */
const maxTemplateBytes = 2 * 1024 * 1024;

interface CollectResult {
  /** Files added to the workspace. */
  files: string[];
}

/**
 * Walks files and folders and feeds every IaC file to the workspace: Terraform (`.tf`, `.tf.json`, tfvars)
 * and CloudFormation templates (YAML/JSON holding `AWSTemplateFormatVersion` or `AWS::` resources).
 * A missing path is an `invalidInput` error naming it.
 */
export async function collectIacFiles(
  paths: readonly string[],
  workspace: IacWorkspace,
  options: { signal?: AbortSignal; /** Read with blocking calls: fastest for a CLI run, never in the extension host. */ sync?: boolean } = {},
): Promise<CollectResult> {
  const { signal, sync = false } = options;
  const files: string[] = [];
  const visit = async (p: string, explicit: boolean): Promise<void> => {
    throwIfAborted(signal);
    let st;
    try {
      st = sync ? fsSync.statSync(p) : await fs.stat(p);
    } catch (e) {
      if (explicit) throw new FinOpsError('input', `No such file or folder: ${p}`, { cause: e, fix: 'Check the path (relative paths start at the current folder).' });
      return;
    }
    if (st.isDirectory()) {
      if (!explicit && skippedDirs.has(path.basename(p))) return;
      const entries = (sync ? fsSync.readdirSync(p, { withFileTypes: true }) : await fs.readdir(p, { withFileTypes: true })).sort((x, y) => (x.name < y.name ? -1 : 1));
      // read the folder's files in parallel, recurse into sub-folders one by one
      const subdirs: string[] = [];
      await Promise.all(entries.map(async (d) => {
        const child = path.join(p, d.name);
        if (d.isDirectory() || (d.isSymbolicLink() && (await fs.stat(child).catch(() => undefined))?.isDirectory())) {
          subdirs.push(child);
          return;
        }
        const kind = iacKindOf(child);
        if (kind && (d.isFile() || d.isSymbolicLink())) await readOne(child, kind, false);
      }));
      for (const d of subdirs.sort()) await visit(d, false);
      return;
    }
    const kind = iacKindOf(p);
    if (kind) await readOne(p, kind, explicit, st.size);
    else if (explicit) throw new FinOpsError('input', `${p} is not a Terraform or CloudFormation file.`, { fix: 'Pass .tf, .tf.json, .tfvars, or CloudFormation .yaml/.json files, or a folder.' });
  };
  const readOne = async (p: string, kind: NonNullable<ReturnType<typeof iacKindOf>>, explicit: boolean, knownSize?: number): Promise<void> => {
    let size = knownSize;
    if (size === undefined && kind !== 'cloudformation' && sync) {
      // Terraform files: one read, no stat (the size check happens on the text); the common case of a CLI run
      let text: string;
      try { text = fsSync.readFileSync(p, 'utf8'); } catch { return; }
      if (text.length > maxFileBytes) workspace.upsertSkipped(p, `is ${(text.length / 1024 / 1024).toFixed(1)} MB; files over ${maxFileBytes / 1024 / 1024} MB are not checked (is it generated?)`);
      else if (!workspace.upsert(p, text)) return;
      files.push(p);
      return;
    }
    if (size === undefined) {
      let s: fsSync.Stats | undefined;
      try { s = sync ? fsSync.statSync(p) : await fs.stat(p); } catch { s = undefined; }
      if (!s) return;
      if (s.isDirectory()) { await visit(p, false); return; }
      size = s.size;
    }
    if (kind === 'cloudformation' && size > maxTemplateBytes && !explicit) return;
    if (size > maxFileBytes) {
      workspace.upsertSkipped(p, `is ${(size / 1024 / 1024).toFixed(1)} MB; files over ${maxFileBytes / 1024 / 1024} MB are not checked (is it generated?)`);
      files.push(p);
      return;
    }
    const text = sync ? fsSync.readFileSync(p, 'utf8') : await fs.readFile(p, 'utf8');
    if (workspace.upsert(p, text)) files.push(p);
  };
  for (const p of paths) await visit(p, true);
  return { files };
}
