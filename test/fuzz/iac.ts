import * as fs from 'node:fs';
import * as path from 'node:path';
import { isFinOpsError } from '../../src/core/errors';
import { parseHcl } from '../../src/core/iac/hcl/parser';
import { IacWorkspace } from '../../src/core/iac/workspace';
import { defaultPolicy } from '../../src/core/policy/defaults';
import { mutateText, pick, seeded } from './mutate';
import type { FuzzOutcome, FuzzTarget } from './target';

/**
 * Fuzz targets "HCL parse", "Terraform analysis" and "CloudFormation analysis": the repository's own Terraform
 * and CloudFormation (the demo, the test workspaces), a few hand-written files for the constructs those lack, and,
 * where present, the real Terraform repositories of ../shared/data, mutated with the language's tokens and with
 * nesting and chains thousands of levels deep. A run is right when it returns, never throws anything but a
 * FinOpsError, and every finding and quick-fix edit lies inside the text analysed.
 */
const root = path.resolve(__dirname, '../..');

const HCL_EXTRA = [
  'locals {\n  common = merge(var.tags, { Team = "nlp" })\n  gpus = [for t in var.types : upper(t) if t != ""]\n  m = { for k, v in var.m : k => v... }\n}\n',
  'variable "tags" {\n  type    = map(string)\n  default = { Team = "vision" }\n}\nresource "aws_instance" "x" {\n  count = 2\n  instance_type = "p4d.24xlarge"\n  tags = merge(var.tags, { Name = "x-${count.index}" })\n  dynamic "ebs_block_device" {\n    for_each = var.disks\n    content { volume_size = ebs_block_device.value }\n  }\n}\n',
  'provider "aws" {\n  region = "us-west-2"\n  default_tags {\n    tags = { CostCenter = "42" }\n  }\n}\nmodule "m" {\n  source = "./mod"\n  tags   = { Team = var.team == "" ? "x" : var.team }\n}\n',
  'resource "google_compute_instance" "g" {\n  machine_type = "a2-highgpu-1g"\n  zone = "us-central1-a"\n  labels = { team = "nlp", cost_center = "7" }\n  metadata_startup_script = <<-EOT\n    echo ${var.x}\n    %{ for s in var.l }${s}%{ endfor }\n  EOT\n}\n',
];
const HCL_TOKENS = ['{', '}', '[', ']', '(', ')', '"', '${', '%{', '}', '<<EOF\n', '\nEOF\n', '<<-EOT\n', '/*', '*/', '#', '//', '=', ':', '?', '.', ',', '\n', '...', '=>', 'for x in y :', 'if', 'merge(', 'lookup(', 'var.', 'local.', 'module.', 'each.value', 'count.index', 'null', 'true', '1e999', '-', '!', '&&', '||', 'tags', 'default_tags', 'resource "aws_instance" "z" {', 'dynamic "tags" {', '*', '[*]', '.0', '~}', '%%{', '$${'];
const HCL_NESTS = [
  { open: '(', close: ')', chain: ' + 1' }, { open: '[', close: ']', chain: ' && true' }, { open: '{', close: '}' }, { open: 'a {\n', close: '}\n' },
  { open: '"${', close: '}"' }, { open: 'merge(', close: ')', chain: '.x' }, { open: '/*' }, { open: '!', chain: ' ? 1 : 2' },
];
const JSON_NESTS = [{ open: '[', close: ']' }, { open: '{"a":', close: '}' }, { open: '{"resource":{"aws_instance":{"x":{"tags":', close: '}}}}' }];
const JSON_TOKENS = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '1e999', '"${var.x}"', '"//"', '\\u0000', '\\', '"resource"', '"tags"'];

function read(p: string): string | undefined {
  try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; }
}

function listFiles(dir: string, test: (name: string) => boolean, limit: number): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)); } catch { return; }
    for (const e of entries) {
      if (out.length >= limit) return;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

interface SeedFile { name: string; text: string }

function terraformSeeds(): SeedFile[] {
  const own = [...listFiles(path.join(root, 'demo'), (n) => n.endsWith('.tf'), 20), ...listFiles(path.join(root, 'test/fixtures'), (n) => /\.tf(\.json)?$|\.tfvars$/.test(n), 40)];
  // the real repositories of the shared data, when the checkout has them (every tenth file, for variety)
  const shared = listFiles(path.join(root, '../shared/data/terraform'), (n) => n.endsWith('.tf'), 1000).filter((_, i) => i % 10 === 0);
  const files = [...own, ...shared].map((p) => ({ name: path.basename(p), text: read(p) ?? '' })).filter((f) => f.text.length < 60_000);
  return [...files, ...HCL_EXTRA.map((text, i) => ({ name: `extra${i}.tf`, text })),
    { name: 'main.tf.json', text: JSON.stringify({ resource: { aws_instance: { j: { instance_type: 'g5.xlarge', tags: { Team: 'nlp', Name: '${var.x}' } } } } }, null, 2) },
    { name: 'prod.tfvars', text: 'team = "nlp"\ntags = { CostCenter = "42" }\n' }];
}

/** Every finding and every quick-fix edit inside the text the analysis saw. */
function checkFindings(ws: IacWorkspace, texts: ReadonlyMap<string, string>): string | undefined {
  const { findingsByFile } = ws.analyze();
  for (const [file, findings] of findingsByFile) {
    const text = texts.get(file) ?? ws.text(file) ?? '';
    const lines = text.split(/\r\n|\r|\n/).length;
    for (const f of findings) {
      const { start, end } = f.range;
      if (!(start.line >= 0 && start.character >= 0 && end.line >= start.line && end.line <= lines)) return `${f.code} at ${JSON.stringify(f.range)} outside ${lines} lines`;
      if (!f.message || /\bundefined\b|\[object Object\]|NaN/.test(f.message)) return `${f.code}: message "${f.message}"`;
      for (const fix of f.fixes ?? []) {
        for (const e of fix.edits) {
          const t = texts.get(e.file) ?? ws.text(e.file) ?? '';
          if (!(e.start >= 0 && e.end >= e.start && e.end <= t.length)) return `fix "${fix.title}" edits ${e.start}-${e.end} of ${t.length} characters`;
        }
      }
    }
  }
  return undefined;
}

const outcome = (e: unknown): FuzzOutcome => (isFinOpsError(e) ? { kind: 'refused' } : { kind: 'thrown', detail: e instanceof Error ? e.stack ?? e.message : String(e) });

export interface TextInput { name: string; text: string; steps: string[] }
export interface FilesInput { files: TextInput[]; reportUnknown: boolean }

const describeFiles = (i: FilesInput) => i.files.map((f) => `${f.name}: ${f.steps.join('; ')}`).join(' | ');

/** Analyses the files as one workspace folder and checks every finding and fix against the texts. */
async function analyzeFiles(input: FilesInput, root?: string): Promise<FuzzOutcome> {
  try {
    const ws = new IacWorkspace({ policy: defaultPolicy(), reportUnknown: input.reportUnknown, details: true, ...(root ? { root } : {}) });
    const texts = new Map<string, string>();
    for (const f of input.files) {
      const p = `/fuzz/${f.name}`;
      ws.upsert(p, f.text);
      texts.set(p, f.text);
    }
    const wrong = checkFindings(ws, texts);
    return wrong ? { kind: 'wrong', detail: wrong } : { kind: 'ok' };
  } catch (e) {
    return outcome(e);
  }
}

export function hclParseTarget(): FuzzTarget<TextInput> {
  const seeds = terraformSeeds().filter((s) => !s.name.endsWith('.json'));
  return {
    name: 'HCL parse',
    setup: async () => {}, teardown: async () => {},
    generate(seed) {
      const random = seeded(seed);
      const base = pick(random, seeds);
      const m = mutateText(random, base.text, HCL_TOKENS, HCL_NESTS);
      return { name: base.name, text: m.text, steps: m.steps };
    },
    describe: (i) => `${i.name}: ${i.steps.join('; ')}`,
    async run(input) {
      try {
        const r = parseHcl(input.text);
        for (const e of r.errors) {
          if (!(e.start >= 0 && e.end >= e.start && e.end <= input.text.length)) return { kind: 'wrong', detail: `syntax error at ${e.start}-${e.end} of ${input.text.length}` };
        }
        return { kind: 'ok' };
      } catch (e) {
        return outcome(e);
      }
    },
  };
}

export function terraformTarget(): FuzzTarget<FilesInput> {
  const seeds = terraformSeeds();
  return {
    name: 'Terraform analysis',
    setup: async () => {}, teardown: async () => {},
    generate(seed) {
      const random = seeded(seed);
      const count = 1 + Math.floor(random() * 3);
      const files: TextInput[] = [];
      for (let i = 0; i < count; i++) {
        const base = pick(random, seeds);
        const json = base.name.endsWith('.json');
        const m = random() < 0.15 ? { text: base.text, steps: ['unchanged'] } : mutateText(random, base.text, json ? JSON_TOKENS : HCL_TOKENS, json ? JSON_NESTS : HCL_NESTS);
        files.push({ name: `${i}-${base.name}`, text: m.text, steps: m.steps });
      }
      return { files, reportUnknown: random() < 0.5 };
    },
    describe: describeFiles,
    run: (input) => analyzeFiles(input, '/fuzz'),
  };
}

const CFN_EXTRA = [
  'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Team:\n    Type: String\nResources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.g5.xlarge\n      Tags:\n        - Key: Team\n          Value: !Ref Team\n        - Key: Name\n          Value: !Sub "${AWS::StackName}-nb"\n  Lt:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n        InstanceType: g5.xlarge\n        TagSpecifications:\n          - ResourceType: instance\n            Tags: [{ Key: Team, Value: nlp }]\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: &t\n        - { Key: Team, Value: x }\n  C:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *t\n',
];
const YAML_TOKENS = [':', ': ', '- ', '&a ', '*a', '!Ref ', '!Sub ', '!GetAtt ', '!If ', '<<: *a\n', '{', '}', '[', ']', '"', "'", '\t', '  ', '\n', '---\n', '...\n', '%YAML 1.2\n', '? ', '|\n', '>\n', '#', 'Tags:', 'Key: Team', 'Value:', 'Type: AWS::EC2::Instance', '~', 'null', '!!binary ', '!!str '];
const YAML_NESTS = [{ open: '[', close: ']' }, { open: '{a: ', close: '}' }, { open: '- ', close: undefined }, { open: '  x:\n' }];

export function cloudFormationTarget(): FuzzTarget<FilesInput> {
  const own = listFiles(path.join(root, 'test/fixtures'), (n) => /\.(ya?ml|json|template)$/.test(n), 200)
    .map((p) => ({ name: path.basename(p), text: read(p) ?? '' }))
    .filter((f) => /AWSTemplateFormatVersion|AWS::/.test(f.text));
  const yamlSeeds = [...own, ...CFN_EXTRA.map((text, i) => ({ name: `extra${i}.yaml`, text }))];
  const jsonSeeds = [{ name: 'stack.json', text: JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { T: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 'p3.2xlarge', Tags: [{ Key: 'Team', Value: 'vision' }] } }, V: { Type: 'AWS::EC2::Volume', Properties: { Size: 100 } } } }, null, 2) }];
  return {
    name: 'CloudFormation analysis',
    setup: async () => {}, teardown: async () => {},
    generate(seed) {
      const random = seeded(seed);
      const json = random() < 0.3;
      const base = pick(random, json ? jsonSeeds : yamlSeeds);
      const m = mutateText(random, base.text, json ? JSON_TOKENS : YAML_TOKENS, json ? JSON_NESTS : YAML_NESTS);
      return { files: [{ name: base.name, text: m.text, steps: m.steps }], reportUnknown: random() < 0.5 };
    },
    describe: describeFiles,
    run: (input) => analyzeFiles(input),
  };
}
