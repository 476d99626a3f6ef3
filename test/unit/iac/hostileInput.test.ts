import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCloudFormation } from '../../../src/core/iac/cloudformation/analyze';
import { maxHclDepth, parseHcl } from '../../../src/core/iac/hcl/parser';
import { maxJsonDepth, parseJsonWithOffsets } from '../../../src/core/iac/json';
import { IacWorkspace } from '../../../src/core/iac/workspace';
import { maxYamlDepth, yamlTooDeep } from '../../../src/core/yamlDepth';
import { lint, policyFrom } from './helpers';

const policy = policyFrom('tags:\n  required: [Team]\n');
const resource = (tags: string) => `resource "aws_instance" "a" {\n  tags = ${tags}\n}\n`;
const healthy = 'resource "aws_instance" "b" {}\n';

/** Lints one hostile file beside a healthy one: never throws, and the healthy file keeps its finding. */
function beside(name: string, text: string) {
  const ws = new IacWorkspace({ policy, reportUnknown: true });
  ws.upsert(`/w/${name}`, text);
  ws.upsert('/w/healthy.tf', healthy);
  const findings = [...ws.analyze().findingsByFile.values()].flat();
  assert.ok(findings.some((f) => f.file === '/w/healthy.tf' && f.code === 'missing-tag'), `${name}: the other file is still checked`);
  return findings.filter((f) => f.file === `/w/${name}`);
}

const n = 3000;
const deepHcl: Record<string, string> = {
  'parentheses': resource(`${'('.repeat(n)}{}${')'.repeat(n)}`),
  'nested blocks': `${'a {\n'.repeat(n)}${'}\n'.repeat(n)}`,
  'merge( calls': resource(`${'merge('.repeat(n)}{}${')'.repeat(n)}`),
  'chained +': resource(Array(n).fill('1').join(' + ')),
  'chained &&': resource(Array(n).fill('true').join(' && ')),
  'nested interpolations': resource(`${'"${'.repeat(n)}x${'}"'.repeat(n)}`),
  'unary operators': resource(`${'!'.repeat(n * 5)}true`),
  'conditionals': resource(`${'true ? {} : '.repeat(n)}{}`),
  'index brackets': resource(`a${'['.repeat(n)}1${']'.repeat(n)}`),
  'lists': resource(`${'['.repeat(n)}${']'.repeat(n)}`),
  'maps': resource(`${'{a = '.repeat(n)}1${'}'.repeat(n)}`),
  'repeated /*': resource('/*'.repeat(6000)),
  'repeated /* closed': resource(`${'/*'.repeat(6000)}*/ {}`),
};

for (const [name, text] of Object.entries(deepHcl)) {
  test(`HCL nested too deeply (${name}): the file is reported, never a crash, the rest is checked`, () => {
    const findings = beside('deep.tf', text);
    assert.ok(findings.some((f) => f.code === 'syntax-error'), JSON.stringify(findings.map((f) => f.message)));
  });
}

test('HCL just inside the depth limit still parses and evaluates', () => {
  const depth = maxHclDepth - 20;
  const findings = lint({ '/w/main.tf': resource(`${'('.repeat(depth)}{ Team = "vision" }${')'.repeat(depth)}`) }, policy);
  assert.deepEqual(findings, []);
  const plus = parseHcl(`x = ${Array(maxHclDepth - 20).fill('1').join(' + ')}\n`);
  assert.deepEqual(plus.errors, []);
  assert.equal(plus.body.attributes[0]!.expr.type, 'binary');
});

test('a whole-file depth refusal says the file is not checked; an attribute too deep is a syntax error at its place', () => {
  const [blocks] = beside('deep.tf', deepHcl['nested blocks']!).filter((f) => f.code === 'syntax-error');
  assert.match(blocks!.message, new RegExp(`Nested more than ${maxHclDepth} levels deep.*The file is not checked; the other files are\\.`));
  const attr = beside('deep.tf', deepHcl['merge( calls']!);
  const syntax = attr.find((f) => f.code === 'syntax-error')!;
  assert.equal(syntax.range.start.line, 1);
  assert.match(syntax.message, /this value is not read/);
});

test('chained locals (1,800 and 5,000 long) give an unknown value, never a stack overflow', () => {
  for (const count of [1800, 5000]) {
    const locals = `locals {\n${Array.from({ length: count }, (_, i) => `  l${i} = local.l${i + 1}`).join('\n')}\n  l${count} = { Team = "vision" }\n}\n`;
    const findings = beside('main.tf', `${locals}${resource('local.l0')}`);
    assert.deepEqual(findings.map((f) => f.code), ['cannot-verify']);
  }
  // a short chain is still followed to its value
  const short = `locals {\n${Array.from({ length: 50 }, (_, i) => `  l${i} = local.l${i + 1}`).join('\n')}\n  l50 = { Team = "vision" }\n}\n`;
  assert.deepEqual(lint({ '/w/main.tf': `${short}${resource('local.l0')}` }, policy, true), []);
});

test('.tf.json is read as strict JSON with bounded nesting: 850 nested brackets in two files never end the process', () => {
  const deep = '['.repeat(850) + ']'.repeat(850);
  const ws = new IacWorkspace({ policy, reportUnknown: false });
  ws.upsert('/w/a.tf.json', deep);
  ws.upsert('/w/b.tf.json', `{"resource": {"aws_instance": {"x": {"tags": ${'{"a": '.repeat(900)}1${'}'.repeat(900)}}}}}`);
  ws.upsert('/w/healthy.tf', healthy);
  const all = [...ws.analyze().findingsByFile.values()].flat();
  for (const file of ['/w/a.tf.json', '/w/b.tf.json']) {
    const [f] = all.filter((x) => x.file === file);
    assert.equal(f?.code, 'syntax-error');
    assert.match(f!.message, new RegExp(`JSON syntax: Nested more than ${maxJsonDepth} levels deep.*The file is not checked`));
  }
  assert.ok(all.some((f) => f.file === '/w/healthy.tf'));
});

test('JSON reader: offsets, escapes, and what strict JSON refuses (comments, trailing commas, YAML)', () => {
  const ok = parseJsonWithOffsets('\ufeff{"a\\u00e9": [1, -2.5e3, true, null, "x\\n"]}');
  assert.equal(ok.error, undefined);
  const obj = ok.value as Extract<typeof ok.value, { t: 'obj' }>;
  assert.equal(obj.items[0]!.key.v, 'aé');
  assert.deepEqual([obj.items[0]!.key.start, obj.items[0]!.key.end], [2, 11]);
  for (const [text, at] of [['{"a": 1,}', 8], ['{"a": 1} // c', 9], ['a: 1', 0], ['{"a": "x\ny"}', 8], ['[1 2]', 3], ['{"a": 01}', 7], ['', 0]] as const) {
    const r = parseJsonWithOffsets(text);
    assert.ok(r.error, text);
    assert.equal(r.error.start, at, `${JSON.stringify(text)}: ${r.error.message}`);
  }
  assert.ok(parseJsonWithOffsets('['.repeat(maxJsonDepth) + ']'.repeat(maxJsonDepth)).value);
  assert.ok(parseJsonWithOffsets('['.repeat(maxJsonDepth + 1) + ']'.repeat(maxJsonDepth + 1)).error);
});

test('YAML nesting is measured before the YAML library builds anything; CloudFormation too deep is reported', () => {
  assert.equal(yamlTooDeep('a:\n  b: [1, {c: "[[[["}]\n  d: |\n    [[[[[[[[\n'), undefined);
  assert.ok(yamlTooDeep('a: ' + '['.repeat(maxYamlDepth + 1)));
  assert.ok(yamlTooDeep(Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')));
  assert.ok(yamlTooDeep(`a: ${'- '.repeat(maxYamlDepth + 1)}x`));
  for (const text of [
    `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  X: ${'['.repeat(5000)}`,
    `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": ${'{"a": '.repeat(850)}1${'}'.repeat(850)}}`,
  ]) {
    const r = analyzeCloudFormation('/w/t.yaml', text, policy, { reportUnknown: false });
    assert.equal(r.findings.length, 1);
    assert.match(r.findings[0]!.message, new RegExp(`nested more than ${maxYamlDepth} levels deep`));
  }
});

test('CloudFormation quick fixes never place an edit outside the text, whatever prefix of a template is read', () => {
  const json = JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      A: { Type: 'AWS::EC2::Instance', Properties: { Tags: [{ Key: 'Owner', Value: 'x' }] } },
      B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'b' } },
      C: { Type: 'AWS::Batch::JobQueue', Properties: { Tags: {} } },
    },
  }, null, 1);
  const yaml = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  A:\n    Type: AWS::EC2::Instance\n    Properties:\n      Tags: [{Key: Owner, Value: x}]\n  B:\n    Type: AWS::Batch::JobQueue\n    Properties: {Tags: {Owner: y}}\n  C:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: b\n';
  let fixes = 0;
  for (const [name, text] of [['t.json', json], ['t.yaml', yaml]] as const) {
    for (let cut = 40; cut <= text.length; cut++) {
      const prefix = text.slice(0, cut);
      for (const f of analyzeCloudFormation(`/w/${name}`, prefix, policy, { reportUnknown: false }).findings) {
        for (const fix of f.fixes ?? []) {
          for (const e of fix.edits) {
            fixes++;
            assert.ok(e.start >= 0 && e.start <= e.end && e.end <= prefix.length, `${name} cut at ${cut}: edit ${e.start}-${e.end} of ${prefix.length}`);
            if (e.start === e.end && e.newText.startsWith(', ')) assert.match(prefix[e.start]!, /[\]}]/, `${name} cut at ${cut}: inserts before a closing bracket`);
          }
        }
      }
    }
  }
  assert.ok(fixes > 100, `fixes were offered and checked (${fixes})`);
});
