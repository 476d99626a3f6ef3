import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { skippedDirs } from '../../core/iac/workspace';
import { throwIfAborted } from '../../core/ports';
import { indexStateIds, type TerraformStateIndex } from '../../core/iac/terraformState';

/** Local state files larger than this are not read (a state of thousands of resources is still far smaller). */
const maxStateBytes = 32 * 1024 * 1024;
const maxDepth = 8;

/**
 * The ids in the local Terraform state files (`terraform.tfstate`) under some folders: which running resource each
 * declaration created. Remote state is not read (it is not in the workspace); unreadable files are skipped.
 */
export async function readTerraformStates(roots: readonly string[], signal?: AbortSignal): Promise<TerraformStateIndex> {
  const index = new Map<string, { address: string; file: string }>();
  const walk = async (dir: string, root: string, depth: number): Promise<void> => {
    throwIfAborted(signal);
    if (depth > maxDepth) return;
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!skippedDirs.has(e.name) && !e.name.startsWith('.')) await walk(full, root, depth + 1);
      } else if (e.isFile() && e.name === 'terraform.tfstate') {
        const stat = await fs.stat(full).catch(() => undefined);
        if (!stat || stat.size > maxStateBytes) continue;
        const text = await fs.readFile(full, 'utf8').catch(() => undefined);
        if (text !== undefined) indexStateIds(text, path.relative(root, full).split(path.sep).join('/'), index);
      }
    }
  };
  for (const root of roots) await walk(root, root, 0);
  return index;
}
