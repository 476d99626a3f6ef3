import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHcl } from '../../../src/core/iac/hcl/parser';
import { evaluate, type Value } from '../../../src/core/iac/terraform/evaluate';
import type { Expr } from '../../../src/core/iac/hcl/ast';

const noScope = { local: (): Value => ({ k: 'unknown' }), variable: (): Value => ({ k: 'unknown' }) };
const js = (v: Value): unknown => {
  switch (v.k) {
    case 'str': case 'num': case 'bool': return v.v;
    case 'null': return null;
    case 'list': return v.items.map(js);
    case 'obj': return Object.fromEntries([...v.entries].map(([k, e]) => [k, js(e.value)]));
    default: return '<unknown>';
  }
};
function valueOf(src: string, lazy = true): unknown {
  const f = parseHcl(`x = ${src}\n`, { lazy });
  assert.deepEqual(f.errors, []);
  const attr = f.body.attributes[0]!;
  return js(evaluate(attr.expr as Expr, 'f', noScope));
}

test('literals, templates, escapes, heredocs and maps evaluate as Terraform does', () => {
  for (const lazy of [true, false]) {
    assert.equal(valueOf('"a\\"b\\n\\u00e9"', lazy), 'a"b\né');
    assert.equal(valueOf('"$${not} %%{x} ${"in${"ner"}"}"', lazy), '${not} %{x} inner');
    assert.deepEqual(valueOf('{ a = 1, "b c" = true, d: null, e = [1.5e2, -3] }', lazy), { a: 1, 'b c': true, d: null, e: [150, -3] });
    assert.equal(valueOf('<<EOT\nline ${"one"}\n  EOT', lazy), 'line one\n');
    assert.deepEqual(valueOf('merge({ a = "1" }, { b = "2" }, null, { a = "3" })', lazy), { a: '3', b: '2' });
    assert.deepEqual(valueOf('true ? { a = "x" } : {}', lazy), { a: 'x' });
    assert.equal(valueOf('lower("ABC")', lazy), 'abc');
    assert.equal(valueOf('lookup({ a = "x" }, "b", "d")', lazy), 'd');
    assert.equal(valueOf('{ a = ["x", "y"] }.a[1]', lazy), 'y');
    assert.equal(valueOf('"a" == "a" && !false', lazy), true);
  }
});

test('the whole language parses: blocks, one-line blocks, comments, for, splat, provider functions, operators', () => {
  const src = `# comment
// comment
/* block
   comment */
terraform { required_version = ">= 1.5" }
locals {
  names   = [for s in var.list : upper(s) if s != ""]
  by_key  = { for k, v in var.map : k => v... }
  ids     = aws_instance.web[*].id
  first   = aws_instance.web.0.id
  legacy  = module.x.*.id
  arn     = provider::aws::arn_parse("arn:aws:iam::1:role/x")
  math    = (1 + 2) * 3 / 4 % 5 - -1 >= 0 || 1 < 2
  cond    = var.a ? var.b : var.c
  nested  = { a = { b = [1, 2, { c = "d" }] } }
  tmpl    = "%{ if var.x }yes%{ else }no%{ endif }"
  indent  = <<-EOT
    hello
    EOT
}
resource "aws_instance" "web" {
  count = 2
  lifecycle { ignore_changes = [tags] }
  dynamic "ebs_block_device" {
    for_each = var.disks
    content {
      device_name = ebs_block_device.value.name
    }
  }
}
`;
  for (const lazy of [true, false]) {
    const f = parseHcl(src, { lazy });
    const locals = f.body.blocks.find((b) => b.type === 'locals')!;
    for (const a of locals.body.attributes) void a.expr; // force every lazy expression
    assert.deepEqual(f.errors, []);
    assert.deepEqual(f.body.blocks.map((b) => [b.type, b.labels.map((l) => l.value)]), [['terraform', []], ['locals', []], ['resource', ['aws_instance', 'web']]]);
    assert.deepEqual(locals.body.attributes.map((a) => a.name), ['names', 'by_key', 'ids', 'first', 'legacy', 'arn', 'math', 'cond', 'nested', 'tmpl', 'indent']);
    assert.equal(locals.body.attributes.find((a) => a.name === 'nested')!.expr.type, 'object');
    const res = f.body.blocks[2]!;
    assert.equal(src.slice(res.open, res.close + 1).startsWith('{\n  count = 2'), true);
    assert.equal(src.slice(res.start, res.end).endsWith('}\n}'), true);
  }
});

test('syntax errors carry exact offsets and parsing goes on after them', () => {
  const src = 'a = 1\nb = = 2\nc = "unterminated\nresource "x" "y" {\n  d = 3\n}\ne = [1, 2\n';
  const f = parseHcl(src);
  for (const a of f.body.attributes) void a.expr;
  const msgs = [...f.errors].sort((x, y) => x.start - y.start).map((e) => [src.slice(0, e.start).split('\n').length, e.message]);
  assert.deepEqual(msgs.map(([line]) => line), [2, 3, 7]);
  assert.match(String(msgs[0]![1]), /Expected an expression, found "="/);
  assert.match(String(msgs[1]![1]), /Unterminated string/);
  assert.match(String(msgs[2]![1]), /never closed/);
  assert.deepEqual(f.body.blocks.map((b) => b.labels.map((l) => l.value)), [['x', 'y']]);
  const unclosed = parseHcl('resource "a" "b" {\n  x = 1\n');
  assert.match(unclosed.errors[0]!.message, /"resource" block opened here is never closed/);
  assert.equal(unclosed.errors[0]!.start, 17);
});

test('a file with Windows line endings and a byte-order mark parses', () => {
  const f = parseHcl('\uFEFFresource "aws_instance" "w" {\r\n  tags = {\r\n    A = "b"\r\n  }\r\n}\r\n');
  assert.deepEqual(f.errors, []);
  assert.deepEqual(js(evaluate(f.body.blocks[0]!.body.attributes[0]!.expr, 'f', noScope)), { A: 'b' });
});
