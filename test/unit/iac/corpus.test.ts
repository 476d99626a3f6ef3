import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as hashicorpParse } from '@cdktf/hcl2json';
import { main } from '../../../src/cli/main';
import { terraformTaggable } from '../../../src/core/iac/tagSupport';
import { IacWorkspace } from '../../../src/core/iac/workspace';
import { defaultPolicy } from '../../../src/core/policy/defaults';
import { collectIacFiles } from '../../../src/providers/iac/files';

// Six real Terraform repositories (907 .tf files) shipped with the team's shared data. The counts here are
// computed independently with HashiCorp's own HCL parser (@cdktf/hcl2json), never hard-coded.
const corpus = path.resolve(__dirname, '../../../../shared/data/terraform');
const present = fs.existsSync(corpus);
const skip = present ? false : `the shared Terraform corpus is not at ${corpus} (it ships beside the repository, not in it)`;

function tfFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== '.terraform') out.push(...tfFiles(p)); } else if (e.name.endsWith('.tf')) out.push(p);
  }
  return out.sort();
}

type HclJson = {
  resource?: Record<string, Record<string, Array<Record<string, unknown>>>>;
  provider?: Record<string, Array<Record<string, unknown>>>;
  module?: Record<string, Array<{ source?: string }>>;
};

test('the 907-file corpus: no crash, no parse error, and the taggable resources match HashiCorp\'s parser', { skip }, async () => {
  const files = tfFiles(corpus);
  assert.equal(files.length, 907);
  // independent view: HashiCorp's parser
  const theirs = new Map<string, HclJson>();
  for (const f of files) theirs.set(f, await hashicorpParse(f, fs.readFileSync(f, 'utf8')) as HclJson);

  const ws = new IacWorkspace({ policy: defaultPolicy(), reportUnknown: true });
  await collectIacFiles([corpus], ws);
  const result = ws.analyze();
  const findings = [...result.findingsByFile.values()].flat();
  assert.deepEqual(findings.filter((f) => f.code === 'syntax-error' || f.code === 'file-skipped').map((f) => `${f.file}: ${f.message}`), []);

  // 1. every taggable resource block HashiCorp's parser sees, we see (per file, by address)
  const expected: string[] = [];
  for (const [f, json] of theirs) {
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      if (!terraformTaggable(type)) continue;
      for (const name of Object.keys(byName)) expected.push(`${f} ${type}.${name}`);
    }
  }
  const ours = result.resources.map((r) => `${r.file} ${r.address}`);
  assert.deepEqual(ours.sort(), expected.sort());

  // 2. every taggable resource with no tags attribute at all, in a folder with no provider default tags that
  //    no other folder calls as a module, must be reported as missing all five required keys
  const dirsWithDefaults = new Set<string>();
  const calledDirs = new Set<string>();
  for (const [f, json] of theirs) {
    for (const blocks of Object.values(json.provider ?? {})) {
      if (blocks.some((b) => 'default_tags' in b || 'default_labels' in b)) dirsWithDefaults.add(path.dirname(f));
    }
    for (const calls of Object.values(json.module ?? {})) {
      for (const c of calls) if (c.source?.startsWith('.')) calledDirs.add(path.resolve(path.dirname(f), c.source));
    }
  }
  const bare: string[] = [];
  for (const [f, json] of theirs) {
    const dir = path.dirname(f);
    if (dirsWithDefaults.has(dir) || calledDirs.has(dir)) continue;
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      const t = terraformTaggable(type);
      if (!t || type === 'aws_autoscaling_group') continue;
      for (const [name, [body]] of Object.entries(byName)) if (body && !(t.attribute in body)) bare.push(`${f} ${type}.${name}`);
    }
  }
  assert.ok(bare.length > 20, `the cross-check covers only ${bare.length} resources`);
  const missingAll = new Set(findings.filter((f) => f.code === 'missing-tag' && f.missing?.length === 5).map((f) => `${f.file} ${f.resource}`));
  assert.deepEqual(bare.filter((b) => !missingAll.has(b)), []);

  // 3. each checked resource ends up compliant, reported, or "cannot verify" — never lost
  const reported = new Set(findings.filter((f) => f.resource && !f.resource.startsWith('module.')).map((f) => `${f.file} ${f.resource}`));
  const compliant = result.resources.filter((r) => !reported.has(`${r.file} ${r.address}`));
  for (const r of compliant) assert.ok(r.tagsComplete, `${r.address} in ${r.file} has unknown tags but no cannot-verify hint`);
});

test('mlfinops lint on the corpus exits 1 with JSON sorted by file then line', { skip }, async () => {
  let out = '';
  const code = await main(['lint', corpus, '--format', 'json'], { stdout: (t) => { out += t; }, stderr: () => {}, cwd: corpus, env: {} });
  assert.equal(code, 1);
  const findings: Array<{ file: string; line: number }> = JSON.parse(out);
  assert.ok(findings.length > 0);
  const sorted = [...findings].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  assert.deepEqual(findings, sorted);
});
