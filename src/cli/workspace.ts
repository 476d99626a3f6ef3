import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseSetting } from '../core/settings';
import { loadDefaultPolicy, loadPolicy } from '../core/policy/load';
import type { LoadedPolicy } from '../core/policy/model';
import { usageError } from './io';

/** The workspace a command runs in, found the way the extension sees it when that folder is opened in VS Code. */
export interface CliWorkspace {
  /** The workspace folder: the nearest folder up from the current one that holds the policy (else the current folder). */
  root: string;
  /** The policy file read, absolute; undefined when the default policy applies. */
  policyFile?: string;
  loaded: LoadedPolicy;
}

/** JSON with comments and trailing commas (VS Code settings files) as plain JSON: both dropped outside strings. */
function plainJson(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === ',' && /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*[}\]]/.test(text.slice(i + 1))) {
      // a trailing comma: dropped
    } else {
      out += c;
    }
  }
  return out;
}

/** `mlFinops.tags.policyFile` of a folder's `.vscode/settings.json`, when it is set to a non-empty string. */
async function policyFileSetting(folder: string): Promise<string | undefined> {
  const text = await fs.readFile(path.join(folder, '.vscode', 'settings.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let settings: unknown;
  try {
    settings = JSON.parse(plainJson(text));
  } catch {
    return undefined;
  }
  const value = settings && typeof settings === 'object' ? (settings as Record<string, unknown>)['mlFinops.tags.policyFile'] : undefined;
  if (typeof value !== 'string' || !value.trim()) return undefined;
  // the extension's own rule: a path inside the folder (an absolute path or one climbing out is ignored, as there)
  return parseSetting('tags.policyFile', value).success ? value : undefined;
}

/** True when `file`, links resolved, is inside `folder` (a link in a repository cannot lead the policy outside it). */
async function resolvesInside(folder: string, file: string): Promise<boolean> {
  const [root, real] = await Promise.all([fs.realpath(folder).catch(() => folder), fs.realpath(file).catch(() => undefined)]);
  if (real === undefined) return false;
  const rel = path.relative(root, real);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

/**
 * The policy file of the workspace `cwd` is in, as the extension finds it: from `cwd` up to the repository root (a
 * folder holding `.git`), the first folder whose `.vscode/settings.json` names `mlFinops.tags.policyFile` or that
 * holds `.finops.yaml`. So `mlfinops` run anywhere in a repository reads the same policy, tag aliases and hierarchy
 * as VS Code opened on it.
 */
export async function findPolicyFile(cwd: string): Promise<{ root: string; file: string } | undefined> {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const setting = await policyFileSetting(dir);
    const file = path.resolve(dir, setting ?? '.finops.yaml');
    if (await exists(file) && await resolvesInside(dir, file)) return { root: dir, file };
    if (await exists(path.join(dir, '.git')) || path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The workspace's policy: `--policy FILE` when given (relative to `cwd`; an unreadable one is a usage error), else
 * the one `findPolicyFile` finds, else the default policy.
 */
export async function readWorkspace(cwd: string, explicit: string | undefined): Promise<CliWorkspace> {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) throw usageError(`cannot read the policy file ${explicit}`);
    return { root: path.resolve(cwd), policyFile: file, loaded: loadPolicy(text, file) };
  }
  const found = await findPolicyFile(cwd);
  const text = found ? await fs.readFile(found.file, 'utf8').catch(() => undefined) : undefined;
  if (!found || text === undefined) return { root: path.resolve(cwd), loaded: loadDefaultPolicy() };
  return { root: found.root, policyFile: found.file, loaded: loadPolicy(text, found.file) };
}
