// @ts-check
// Speed of `mlfinops lint` (cold, a new process each run) on the 907-file Terraform corpus, side by side with
// HashiCorp's parser (@cdktf/hcl2json) parsing the same files in the same run, plus the editor's re-check of
// one edited 2,000-line file. Usage: node bench/lint.mjs [corpus folder] [--runs N]
// Targets: cold lint ≤ 0.5 s; re-check ≤ 20 ms.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const corpus = path.resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs') ?? path.join(root, '../shared/data/terraform'));
if (!fs.existsSync(corpus)) {
  console.error(`No corpus at ${corpus}: pass a folder of Terraform files.`);
  process.exit(2);
}

/** @type {string[]} */
const tfFiles = [];
(function walk(/** @type {string} */ d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) { if (e.name !== '.terraform') walk(p); } else if (e.name.endsWith('.tf')) tfFiles.push(p);
  }
})(corpus);

// the CLI as `npm run package` ships it (bundled, minified, one bundle per subcommand), built from the current sources
execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
const cli = path.join(root, 'dist/cli.js');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlfinops-bench-'));

const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (/** @type {number} */ x) => `${x.toFixed(0)} ms`;

/** @param {string[]} argv */
function timeProcess(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd: corpus, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  return { wall, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// 1. cold lint: a new node process per run
const lintTimes = [];
let findings = 0;
for (let i = 0; i < runs; i++) {
  const r = timeProcess([cli, 'lint', '.', '--format', 'json']);
  if (r.status !== 0 && r.status !== 1) throw new Error(`mlfinops lint failed (${r.status}): ${r.stderr}`);
  findings = JSON.parse(r.stdout).length;
  lintTimes.push(r.wall);
}

// 1b. what every CLI run pays before any work: starting node, and loading the CLI bundle (`--version`)
const nodeTimes = [];
const versionTimes = [];
for (let i = 0; i < runs; i++) {
  nodeTimes.push(timeProcess(['-e', '0']).wall);
  versionTimes.push(timeProcess([cli, '--version']).wall);
}
const bundleKb = (fs.statSync(cli).size + fs.statSync(path.join(root, 'dist/cli-lint.js')).size) / 1024;

// 2. HashiCorp's parser on the same files, also in a new process (parse only, no analysis)
const hclScript = path.join(os.tmpdir(), `mlfinops-bench-hcl2json-${process.pid}.cjs`);
fs.writeFileSync(hclScript, `
const { parse } = require(${JSON.stringify(path.join(root, 'node_modules/@cdktf/hcl2json'))});
const fs = require('fs');
const files = JSON.parse(fs.readFileSync(0, 'utf8'));
(async () => {
  const t0 = performance.now();
  for (const f of files) await parse(f, fs.readFileSync(f, 'utf8'));
  process.stdout.write(String(performance.now() - t0));
})();
`);
const hclTimes = [];
const hclParseTimes = [];
for (let i = 0; i < Math.min(runs, 3); i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [hclScript], { input: JSON.stringify(tfFiles), encoding: 'utf8' });
  hclTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (r.status !== 0) throw new Error(`hcl2json failed: ${r.stderr}`);
  hclParseTimes.push(Number(r.stdout));
}
fs.rmSync(hclScript, { force: true });

// 2b. web-tree-sitter with the HCL grammar (the parser first considered), parse only, for the record
const tsScript = path.join(scratch, 'tree-sitter.cjs');
fs.writeFileSync(tsScript, `
const { Parser, Language } = require(${JSON.stringify(path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.cjs'))});
const fs = require('fs');
const files = JSON.parse(fs.readFileSync(0, 'utf8'));
(async () => {
  await Parser.init();
  const lang = await Language.load(${JSON.stringify(path.join(root, 'node_modules/@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'))});
  const parser = new Parser();
  parser.setLanguage(lang);
  const t0 = performance.now();
  for (const f of files) parser.parse(fs.readFileSync(f, 'utf8')).delete();
  process.stdout.write(String(performance.now() - t0));
})();
`);
const tsTimes = [];
for (let i = 0; i < Math.min(runs, 3); i++) {
  const r = spawnSync(process.execPath, [tsScript], { input: JSON.stringify(tfFiles), encoding: 'utf8' });
  if (r.status === 0) tsTimes.push(Number(r.stdout));
}

// 3. the editor's re-check of one edited 2,000-line file (warm workspace, as after the first scan)
const entry = path.join(scratch, 'core.cjs');
await esbuild.build({
  stdin: {
    contents: `export { IacWorkspace } from './src/core/iac/workspace'; export { defaultPolicy } from './src/core/policy/defaults';`,
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', outfile: entry, logLevel: 'error',
});
const { IacWorkspace, defaultPolicy } = createRequire(import.meta.url)(entry);
const lines = ['provider "aws" {', '  default_tags {', '    tags = { Environment = "dev", CostCenter = "ml" }', '  }', '}', '', 'locals {', '  common = { Team = "vision", Project = "detector" }', '}', ''];
for (let i = 0; lines.length < 2000; i++) {
  lines.push(
    `resource "aws_instance" "gpu_${i}" {`,
    '  ami           = "ami-0123456789abcdef0"',
    `  instance_type = "${i % 2 ? 'p4d.24xlarge' : 'g5.xlarge'}"`,
    '  root_block_device {',
    '    volume_size = 200',
    '  }',
    '  tags = merge(local.common, {',
    `    Name  = "trainer-${i}"`,
    `    Owner = "${i % 3 ? 'ml@example.com' : 'nobody'}"`,
    '  })',
    '}',
    '',
  );
}
const big = lines.slice(0, 2000).join('\n');
const file = path.join(os.tmpdir(), 'bench', 'main.tf');
const ws = new IacWorkspace({ policy: defaultPolicy(), reportUnknown: false });
ws.upsert(file, big);
ws.analyze();
const recheck = [];
let last;
for (let i = 0; i < 30; i++) {
  const edited = big.replace('trainer-7"', `trainer-7-${i}"`);
  const t0 = process.hrtime.bigint();
  ws.upsert(file, edited);
  last = ws.analyze([file]);
  recheck.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const recheckFindings = last.findingsByFile.get(file).length;

fs.rmSync(scratch, { recursive: true, force: true });
const lintMed = median(lintTimes);
const hclMed = median(hclTimes);
console.log(`Corpus: ${corpus} (${tfFiles.length} .tf files), machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`);
console.log('');
console.log(`mlfinops lint (cold, new process)    median ${ms(lintMed)}  min ${ms(Math.min(...lintTimes))}  (${runs} runs, ${findings} findings)   target ≤ 500 ms`);
console.log(`  of which node start-up ${ms(median(nodeTimes))}; mlfinops --version ${ms(median(versionTimes))}; lint loads ${(bundleKb / 1024).toFixed(2)} MB of JavaScript`);
console.log(`@cdktf/hcl2json (new process)        median ${ms(hclMed)}  min ${ms(Math.min(...hclTimes))}  (parse only: median ${ms(median(hclParseTimes))})`);
console.log(`ratio hcl2json / mlfinops lint       ${(hclMed / lintMed).toFixed(1)}× (parse-only hcl2json vs full lint: ${(median(hclParseTimes) / lintMed).toFixed(1)}×)`);
if (tsTimes.length) console.log(`web-tree-sitter + HCL grammar       parse only: median ${ms(median(tsTimes))}  (the parser first considered; too slow for the target)`);
console.log(`re-check of an edited 2,000-line file median ${median(recheck).toFixed(1)} ms  max ${Math.max(...recheck).toFixed(1)} ms  (${recheckFindings} findings)   target ≤ 20 ms`);
