import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeIgnore, findIgnore, ignoreEdit, parseIgnoreComment } from '../../../src/core/iac/ignoreComments';
import { findSizeDeclarations, type SizeDeclaration } from '../../../src/core/iac/sizeDeclarations';
import { parseTerraformState } from '../../../src/core/iac/terraformState';
import { seeded } from '../cost/billText';
import { mutateText, pick } from '../../fuzz/mutate';

const tf = `provider "aws" {
  region = "us-west-2"
}

resource "aws_instance" "trainer" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "p3.8xlarge"
}

resource "aws_instance" "notebook" {
  instance_type = var.notebook_type
}

resource "google_compute_instance" "finetune" {
  machine_type = "a2-highgpu-1g"
}

resource "azurerm_linux_virtual_machine" "inference" {
  size = "Standard_NC24ads_A100_v4"
}

resource "aws_s3_bucket" "b" {
  bucket = "x"
}
`;

const yaml = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Trainer:
    Type: AWS::EC2::Instance
    Properties:
      UserData: |
        #!/bin/bash
        # finops:ignore rightsizing
      InstanceType: p3.8xlarge
      ImageId: ami-0123456789abcdef0
  Quoted:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: "g5.12xlarge"
  Referenced:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: !Ref TrainerType
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: 'ml.g5.xlarge'
`;

const json = `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Trainer": {
      "Type": "AWS::EC2::Instance",
      "Properties": { "InstanceType": "p3.8xlarge", "ImageId": "ami-0123456789abcdef0" }
    }
  }
}
`;

const apply = (text: string, e: { start: number; end: number; newText: string }) => text.slice(0, e.start) + e.newText + text.slice(e.end);
const rewrite = (text: string, d: SizeDeclaration, to: string) => apply(text, { start: d.value.start, end: d.value.end, newText: to });
const ignoreOf = (text: string, d: SizeDeclaration) => findIgnore(text, { ...d, valueEnd: d.value.end }, 'rightsizing');

test('Terraform: literal instance_type / machine_type / size values are found token by token; var references and other types are not', () => {
  const decls = findSizeDeclarations('/w/main.tf', tf);
  assert.deepEqual(decls.map((d) => [d.address, d.attribute, d.size, d.provider]), [
    ['aws_instance.trainer', 'instance_type', 'p3.8xlarge', 'aws'],
    ['google_compute_instance.finetune', 'machine_type', 'a2-highgpu-1g', 'gcp'],
    ['azurerm_linux_virtual_machine.inference', 'size', 'Standard_NC24ads_A100_v4', 'azure'],
  ]);
  const trainer = decls[0]!;
  assert.equal(tf.slice(trainer.value.start, trainer.value.end), 'p3.8xlarge');
  assert.deepEqual(trainer.valueRange.start, { line: 6, character: 19 });
  assert.equal(trainer.attributeLine, 6);
  assert.equal(trainer.resourceLine, 4);
  // only the token changes: quotes, alignment and everything else stay
  const out = rewrite(tf, trainer, 'p3.2xlarge');
  assert.equal(out, tf.replace('instance_type = "p3.8xlarge"', 'instance_type = "p3.2xlarge"'));
});

test('CloudFormation YAML and JSON: InstanceType literals (plain, double and single quoted) are found; !Ref is not', () => {
  const y = findSizeDeclarations('/w/stack.yaml', yaml);
  assert.deepEqual(y.map((d) => [d.address, d.size, d.format]), [['Trainer', 'p3.8xlarge', 'yaml'], ['Quoted', 'g5.12xlarge', 'yaml'], ['Notebook', 'ml.g5.xlarge', 'yaml']]);
  assert.equal(rewrite(yaml, y[1]!, 'g5.2xlarge'), yaml.replace('"g5.12xlarge"', '"g5.2xlarge"'));
  assert.equal(rewrite(yaml, y[2]!, 'ml.g5.large'), yaml.replace("'ml.g5.xlarge'", "'ml.g5.large'"));
  assert.equal(y[0]!.attributeLine, 8);
  const j = findSizeDeclarations('/w/stack.json', json);
  assert.equal(j.length, 1);
  assert.equal(j[0]!.format, 'json');
  assert.equal(rewrite(json, j[0]!, 'p3.2xlarge'), json.replace('"p3.8xlarge"', '"p3.2xlarge"'));
  assert.deepEqual(findSizeDeclarations('/w/values.yaml', 'image: x\nInstanceType: p3.2xlarge\n'), [], 'not a template');
});

test('ignore comments: end of line, the line above the attribute, above the resource; not inside strings, block scalars or after a blank line', () => {
  const [trainer] = findSizeDeclarations('/w/main.tf', tf);
  assert.equal(ignoreOf(tf, trainer!), undefined);
  const cases: Array<[string, string, string | undefined]> = [
    ['end of line', tf.replace('"p3.8xlarge"', '"p3.8xlarge" # finops:ignore rightsizing'), 'endOfLine'],
    ['end of line, //', tf.replace('"p3.8xlarge"', '"p3.8xlarge" // finops:ignore rightsizing -- reserved capacity'), 'endOfLine'],
    ['above', tf.replace('  instance_type = "p3.8xlarge"', '  # finops:ignore rightsizing\n  instance_type = "p3.8xlarge"'), 'above'],
    ['above, among others', tf.replace('  instance_type = "p3.8xlarge"', '  # sized for the 70B run\n  # finops:ignore schedule, rightsizing\n  instance_type = "p3.8xlarge"'), 'above'],
    ['above the resource', tf.replace('resource "aws_instance" "trainer"', '# finops:ignore rightsizing\nresource "aws_instance" "trainer"'), 'resource'],
    ['another rule', tf.replace('"p3.8xlarge"', '"p3.8xlarge" # finops:ignore schedule'), undefined],
    ['a prefix only', tf.replace('"p3.8xlarge"', '"p3.8xlarge" # finops:ignore rightsizingX'), undefined],
    ['blank line between', tf.replace('  instance_type = "p3.8xlarge"', '  # finops:ignore rightsizing\n\n  instance_type = "p3.8xlarge"'), undefined],
    ['the previous attribute\'s trailing comment', tf.replace('"ami-0123456789abcdef0"', '"ami-0123456789abcdef0" # finops:ignore rightsizing'), undefined],
    ['inside a string', tf.replace('"ami-0123456789abcdef0"', '"ami # finops:ignore rightsizing"'), undefined],
  ];
  for (const [name, text, where] of cases) {
    const d = findSizeDeclarations('/w/main.tf', text).find((x) => x.address === 'aws_instance.trainer');
    assert.ok(d, name);
    assert.equal(ignoreOf(text, d)?.where, where, name);
  }
  const withReason = tf.replace('"p3.8xlarge"', '"p3.8xlarge" # finops:ignore rightsizing -- reserved capacity');
  const d = findSizeDeclarations('/w/main.tf', withReason)[0]!;
  assert.equal(describeIgnore('main.tf', ignoreOf(withReason, d)!), 'main.tf:7 (# finops:ignore rightsizing): reserved capacity');

  // YAML: a comment inside the block scalar above is text, not a directive
  const [yTrainer] = findSizeDeclarations('/w/stack.yaml', yaml);
  assert.equal(ignoreOf(yaml, yTrainer!), undefined);
  const yAbove = yaml.replace('      InstanceType: "g5.12xlarge"', '      # finops:ignore rightsizing\n      InstanceType: "g5.12xlarge"');
  assert.equal(ignoreOf(yAbove, findSizeDeclarations('/w/stack.yaml', yAbove)[1]!)?.where, 'above');
  const yEol = yaml.replace('InstanceType: p3.8xlarge', 'InstanceType: p3.8xlarge # finops:ignore rightsizing');
  assert.equal(ignoreOf(yEol, findSizeDeclarations('/w/stack.yaml', yEol)[0]!)?.where, 'endOfLine');
  const yHash = yaml.replace('InstanceType: p3.8xlarge', 'InstanceType: p3.8xlarge#finops:ignore rightsizing');
  assert.equal(findSizeDeclarations('/w/stack.yaml', yHash)[0]?.size, 'p3.8xlarge#finops:ignore rightsizing', 'YAML needs a space before #');
});

test('parseIgnoreComment reads rules and a reason, and nothing else', () => {
  assert.deepEqual(parseIgnoreComment(' finops:ignore rightsizing'), { rules: ['rightsizing'] });
  assert.deepEqual(parseIgnoreComment('finops:ignore rightsizing, schedule -- reserved'), { rules: ['rightsizing', 'schedule'], reason: 'reserved' });
  assert.deepEqual(parseIgnoreComment('finops:ignore RightSizing schedule'), { rules: ['rightsizing', 'schedule'] });
  for (const no of ['finops:ignore', 'finops:ignorerightsizing', 'see finops:ignore rightsizing', 'finops:ignore rightsizing!', 'finops: ignore rightsizing']) {
    assert.equal(parseIgnoreComment(no), undefined, no);
  }
});

test('the ignore action\'s edit: a comment above the attribute (HCL, YAML) or a Metadata entry (JSON), each then found', () => {
  for (const [path, text, index] of [['/w/main.tf', tf, 0], ['/w/stack.yaml', yaml, 1], ['/w/stack.yaml', yaml, 0]] as const) {
    const d = findSizeDeclarations(path, text)[index]!;
    const e = ignoreEdit(text, d, 'rightsizing');
    assert.ok(e, path);
    const out = apply(text, e);
    const after = findSizeDeclarations(path, out).find((x) => x.address === d.address)!;
    assert.equal(after.size, d.size);
    assert.equal(ignoreOf(out, after)?.where, 'above', `${path} ${d.address}`);
  }
  const tfOut = apply(tf, ignoreEdit(tf, findSizeDeclarations('/w/main.tf', tf)[0]!, 'rightsizing')!);
  assert.match(tfOut, /\n {2}ami {11}= "ami-0123456789abcdef0"\n {2}# finops:ignore rightsizing\n {2}instance_type = "p3.8xlarge"\n/);

  const jd = findSizeDeclarations('/w/stack.json', json)[0]!;
  const jOut = apply(json, ignoreEdit(json, jd, 'rightsizing')!);
  assert.deepEqual(JSON.parse(jOut).Resources.Trainer.Metadata, { finops: { ignore: ['rightsizing'] } });
  const jAfter = findSizeDeclarations('/w/stack.json', jOut)[0]!;
  assert.equal(ignoreOf(jOut, jAfter)?.where, 'metadata');
  // existing Metadata, and an existing ignore list, are extended in place
  const withMeta = json.replace('"Type": "AWS::EC2::Instance",', '"Type": "AWS::EC2::Instance",\n      "Metadata": { "cfn-lint": { "config": { "ignore_checks": ["W1"] } } },');
  const m2 = apply(withMeta, ignoreEdit(withMeta, findSizeDeclarations('/w/s.json', withMeta)[0]!, 'rightsizing')!);
  assert.deepEqual(JSON.parse(m2).Resources.Trainer.Metadata, { finops: { ignore: ['rightsizing'] }, 'cfn-lint': { config: { ignore_checks: ['W1'] } } });
  const withList = json.replace('"Type": "AWS::EC2::Instance",', '"Type": "AWS::EC2::Instance", "Metadata": { "finops": { "ignore": ["schedule"] } },');
  const m3 = apply(withList, ignoreEdit(withList, findSizeDeclarations('/w/s.json', withList)[0]!, 'rightsizing')!);
  assert.deepEqual(JSON.parse(m3).Resources.Trainer.Metadata.finops.ignore, ['rightsizing', 'schedule']);
  assert.ok(ignoreOf(m3, findSizeDeclarations('/w/s.json', m3)[0]!));
});

test('fuzz: mutated files never throw, tokens are the values they claim, and a directive is found only where one was written', () => {
  const random = seeded(14);
  const tokens = ['#', '//', ' # finops:ignore rightsizing', '"', "'", '\n', '{', '}', 'instance_type = ', 'InstanceType: ', '|\n', '<<EOF\n# finops:ignore rightsizing\nEOF\n', '/*', '*/', ' -- why'];
  const nests = [{ open: '{', close: '}' }, { open: '[', close: ']' }, { open: '(', close: ')' }];
  for (let i = 0; i < 300; i++) {
    const [path, base] = pick(random, [['/w/main.tf', tf], ['/w/stack.yaml', yaml], ['/w/stack.json', json]] as const);
    const { text, steps } = mutateText(random, base, tokens, nests);
    let decls: SizeDeclaration[] = [];
    assert.doesNotThrow(() => { decls = findSizeDeclarations(path, text); }, steps.join('; '));
    for (const d of decls) {
      assert.equal(text.slice(d.value.start, d.value.end), d.size, steps.join('; '));
      const found = ignoreOf(text, d);
      if (!found) continue;
      if (found.where === 'metadata') continue;
      // the directive's line holds a comment that names the rule
      const line = text.split('\n')[found.line] ?? '';
      assert.match(line, /(#|\/\/)\s*finops:ignore\b.*\brightsizing\b/, `${steps.join('; ')}: line ${found.line + 1}`);
    }
  }
});

test('Terraform state v4: single-instance managed resources by address; count / for_each, data sources and other versions are not tied', () => {
  const state = {
    version: 4,
    resources: [
      { mode: 'managed', type: 'aws_instance', name: 'trainer', instances: [{ attributes: { id: 'i-0abc', instance_type: 'p3.8xlarge' } }] },
      { mode: 'managed', type: 'aws_instance', name: 'this', module: 'module.gpu', instances: [{ attributes: { id: 'i-0def' } }] },
      { mode: 'managed', type: 'aws_instance', name: 'many', instances: [{ index_key: 0, attributes: { id: 'i-1' } }, { index_key: 1, attributes: { id: 'i-2' } }] },
      { mode: 'data', type: 'aws_ami', name: 'dl', instances: [{ attributes: { id: 'ami-1' } }] },
    ],
  };
  const m = parseTerraformState(JSON.stringify(state));
  assert.deepEqual([...m.values()], [
    { address: 'aws_instance.trainer', id: 'i-0abc', size: 'p3.8xlarge' },
    { address: 'module.gpu.aws_instance.this', id: 'i-0def' },
  ]);
  assert.throws(() => parseTerraformState('{'), /not JSON/);
  assert.throws(() => parseTerraformState(JSON.stringify({ ...state, version: 3 })), /version 3 is not read/);
  assert.throws(() => parseTerraformState('[]'), /not a Terraform state/);
});
