import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, lint, policyFrom, textAt } from './helpers';
import { IacWorkspace } from '../../../src/core/iac/workspace';

// The tflint-ruleset-aws rule `aws_resource_missing_tags` is the reference: these cases rebuild the cases its
// documentation and tests describe (wanted tags, provider default_tags per alias, undeclared aliases,
// autoscaling groups, unknown values), then go further (locals, variables, tfvars, modules, GCP, Azure).
const fooBar = policyFrom('tags:\n  required: [Foo, Bar]\n  optional: []\n  rules: {}\n');

test('tflint: a resource missing wanted tags is reported with the keys sorted, on the tags expression', () => {
  const src = 'resource "aws_instance" "web" {\n  instance_type = "t2.micro"\n  tags = {\n    foo = "bar"\n    bar = "baz"\n  }\n}\n';
  const [f, ...rest] = lint({ '/w/main.tf': src }, fooBar);
  assert.equal(rest.length, 0);
  assert.equal(f!.code, 'missing-tag');
  assert.equal(f!.message, 'aws_instance.web is missing required tags: "Bar", "Foo" ("bar" should be "Bar"; "foo" should be "Foo": tag keys are case-sensitive)');
  assert.deepEqual(f!.missing, ['Bar', 'Foo']);
  assert.equal(textAt(src, f!), '{\n    foo = "bar"\n    bar = "baz"\n  }');
  assert.deepEqual(f!.range, { start: { line: 2, character: 9 }, end: { line: 5, character: 3 } });
});

test('tflint: a resource with every wanted tag passes; one without tags is reported on its header', () => {
  const src = 'resource "aws_instance" "ok" {\n  tags = { Foo = "a", Bar = "b" }\n}\nresource "aws_s3_bucket" "none" {\n  bucket = "x"\n}\n';
  const fs = lint({ '/w/main.tf': src }, fooBar);
  assert.equal(fs.length, 1);
  assert.equal(fs[0]!.resource, 'aws_s3_bucket.none');
  assert.equal(textAt(src, fs[0]!), 'resource "aws_s3_bucket" "none"');
});

test('tflint: provider default_tags count, per alias; an undeclared alias has none; provider = aws is the default', () => {
  const src = `
provider "aws" {
  default_tags {
    tags = { Foo = "default" }
  }
}
provider "aws" {
  alias = "west"
  default_tags {
    tags = { Foo = "west", Bar = "west" }
  }
}
resource "aws_instance" "default" { tags = { Bar = "x" } }
resource "aws_instance" "explicit" {
  provider = aws
  tags     = { Bar = "x" }
}
resource "aws_instance" "west" { provider = aws.west }
resource "aws_instance" "ghost" {
  provider = aws.ghost
  tags     = { Bar = "x" }
}
resource "aws_instance" "partial" { tags = {} }
`;
  const fs = lint({ '/w/main.tf': src }, fooBar);
  assert.deepEqual(fs.map((f) => [f.resource, f.missing]), [
    ['aws_instance.ghost', ['Foo']],
    ['aws_instance.partial', ['Bar']],
  ]);
});

test('tflint: aws_autoscaling_group reads tag blocks and the tags list, gets no default tags, and flags both at once', () => {
  const src = `
provider "aws" {
  default_tags { tags = { Foo = "a", Bar = "b" } }
}
resource "aws_autoscaling_group" "blocks" {
  tag {
    key                 = "Foo"
    value               = "x"
    propagate_at_launch = true
  }
}
resource "aws_autoscaling_group" "list" {
  tags = [{ key = "Foo", value = "x", propagate_at_launch = true }, { key = "Bar", value = "y", propagate_at_launch = true }]
}
resource "aws_autoscaling_group" "both" {
  tag {
    key                 = "Foo"
    value               = "x"
    propagate_at_launch = true
  }
  tags = [{ key = "Bar", value = "y", propagate_at_launch = true }]
}
resource "aws_autoscaling_group" "dynamic" {
  dynamic "tag" {
    for_each = var.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
`;
  const fs = lint({ '/w/main.tf': src }, fooBar);
  assert.deepEqual(fs.map((f) => [f.resource, f.code, f.missing]), [
    ['aws_autoscaling_group.blocks', 'missing-tag', ['Bar']],
    ['aws_autoscaling_group.both', 'asg-tag-conflict', undefined],
  ]);
  assert.match(textAt(src, fs[1]!), /^tags = \[/);
});

test('tflint: unknown values are not guessed (no finding), and the cannot-verify hint appears only when asked', () => {
  const src = `
variable "extra" { type = map(string) }
resource "aws_instance" "a" { tags = var.extra }
resource "aws_instance" "b" { tags = merge(var.extra, { Foo = "x" }) }
resource "aws_instance" "c" { tags = data.x.y.tags }
resource "aws_instance" "d" { tags = { for k, v in var.extra : k => v } }
`;
  assert.deepEqual(lint({ '/w/main.tf': src }, fooBar), []);
  const hints = lint({ '/w/main.tf': src }, fooBar, true);
  assert.deepEqual(hints.map((f) => [f.resource, f.code, f.severity, f.missing]), [
    ['aws_instance.a', 'cannot-verify', 'info', ['Bar', 'Foo']],
    ['aws_instance.b', 'cannot-verify', 'info', ['Bar']],
    ['aws_instance.c', 'cannot-verify', 'info', ['Bar', 'Foo']],
    ['aws_instance.d', 'cannot-verify', 'info', ['Bar', 'Foo']],
  ]);
});

test('tflint: excluded resource types are not checked', () => {
  const p = policyFrom('tags:\n  required: [Foo]\n  exclude: [aws_autoscaling_group, "aws_s3_*"]\n');
  const src = 'resource "aws_autoscaling_group" "a" {}\nresource "aws_s3_bucket" "b" {}\nresource "aws_instance" "c" {}\n';
  assert.deepEqual(lint({ '/w/main.tf': src }, p).map((f) => f.resource), ['aws_instance.c']);
});

test('resolves locals, merge(), variables with defaults, terraform.tfvars and *.auto.tfvars across files', () => {
  const files = {
    '/w/locals.tf': 'locals {\n  common = { Foo = "x" }\n  all = merge(local.common, { Bar = var.bar })\n}\n',
    '/w/variables.tf': 'variable "bar" {\n  default = "fromdefault"\n}\nvariable "env" {\n  default = "dev"\n}\n',
    '/w/main.tf': 'resource "aws_instance" "a" { tags = local.all }\nresource "aws_instance" "b" { tags = { Env = var.env } }\n',
    '/w/terraform.tfvars': 'env = "prod"\n',
    '/w/z.auto.tfvars': 'env = "staging"\n',
  };
  const p = policyFrom('tags:\n  required: [Foo, Bar]\n  optional: [Env]\n  rules:\n    Env: { allowed: [dev, staging] }\n    Bar: { allowed: [fromdefault] }\n');
  const fs = lint(files, p);
  // a: Bar comes from the variable default and satisfies the rule; b: auto.tfvars wins over terraform.tfvars
  assert.deepEqual(fs.map((f) => [f.resource, f.code, f.missing]), [['aws_instance.b', 'missing-tag', ['Bar', 'Foo']]]);
  const prod = lint({ ...files, '/w/z.auto.tfvars': 'env = "prod"\n' }, p);
  assert.deepEqual(prod.map((f) => [f.resource, f.code]), [['aws_instance.b', 'missing-tag'], ['aws_instance.b', 'invalid-tag-value']]);
  assert.match(prod[1]!.message, /tag "Env" is "prod"; expected one of "dev", "staging"/);
});

test('conditionals: a known condition picks its branch; an unknown one keeps only the keys both branches have', () => {
  const src = `
variable "on" { default = true }
variable "x" {}
resource "aws_instance" "known" { tags = var.on ? { Foo = "a", Bar = "b" } : {} }
resource "aws_instance" "both" { tags = var.x ? { Foo = "a", Bar = "b" } : { Foo = "c", Bar = "d" } }
resource "aws_instance" "one" { tags = var.x ? { Foo = "a", Bar = "b" } : { Foo = "c" } }
`;
  assert.deepEqual(lint({ '/w/main.tf': src }, fooBar), []);
  assert.deepEqual(lint({ '/w/main.tf': src }, fooBar, true).map((f) => [f.resource, f.missing]), [['aws_instance.one', ['Bar']]]);
});

test('module calls that pass tags are checked; a local module gets its variables from the caller (unknown here)', () => {
  const files = {
    '/w/main.tf': 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n  tags   = { Foo = "x" }\n}\nmodule "local" {\n  source = "./modules/box"\n  tags   = { Foo = "x", Bar = "y" }\n}\n',
    '/w/modules/box/main.tf': 'variable "tags" {\n  default = {}\n}\nresource "aws_instance" "this" { tags = var.tags }\nresource "aws_instance" "fixed" { tags = merge(var.tags, {}) }\n',
  };
  const fs = lint(files, fooBar);
  assert.deepEqual(fs.map((f) => [f.file, f.resource, f.missing]), [['/w/main.tf', 'module.vpc', ['Bar']]]);
  // the same module folder linted on its own uses the variable's default: every key is missing
  const alone = lint({ '/w/modules/box/main.tf': files['/w/modules/box/main.tf'] }, fooBar);
  assert.deepEqual(alone.map((f) => f.resource), ['aws_instance.this', 'aws_instance.fixed']);
});

test('a local module without its own provider inherits the caller\'s default tags (unknown, so no false positive)', () => {
  const files = {
    '/w/main.tf': 'provider "aws" {\n  default_tags {\n    tags = { Foo = "x", Bar = "y" }\n  }\n}\nmodule "box" { source = "./box" }\n',
    '/w/box/main.tf': 'resource "aws_instance" "this" {}\n',
  };
  assert.deepEqual(lint(files, fooBar), []);
});

test('GCP: labels merged with default_labels, looked for under label spellings, invalid keys and values flagged', () => {
  const src = `
provider "google" {
  default_labels = { team = "nlp" }
}
resource "google_compute_instance" "vm" {
  labels = {
    Project     = "llm"
    environment = "Prod"
    costcenter  = "ml"
  }
}
`;
  const p = policyFrom('tags:\n  required: [Team, Project, CostCenter, Environment, Owner]\n');
  const fs = lint({ '/w/main.tf': src }, p);
  assert.deepEqual(fs.map((f) => [f.code, f.missing ?? textAt(src, f)]), [
    ['missing-tag', ['owner']],
    ['invalid-label-key', 'Project'],
    ['invalid-label-value', '"Prod"'],
    ['invalid-tag-value', '"Prod"'],
  ]);
  const rename = fs[1]!.fixes![0]!;
  assert.equal(fs[3]!.severity, 'warning');
  assert.equal(rename.preferred, true);
  assert.match(applyEdits(src, rename.edits), /\n    project     = "llm"/);
  // a custom mapping replaces the derived spellings
  const mapped = policyFrom('tags:\n  required: [CostCenter]\n  gcp:\n    labelKeys:\n      CostCenter: [cc]\n');
  assert.deepEqual(lint({ '/w/main.tf': src }, mapped).filter((f) => f.code === 'missing-tag').map((f) => f.missing), [['cc']]);
});

test('google_container_cluster keeps its labels in resource_labels; azurerm uses tags and has no default tags', () => {
  const src = `
resource "google_container_cluster" "gke" {
  resource_labels = { team = "a" }
}
resource "azurerm_resource_group" "rg" {
  location = "westeurope"
  tags = { Team = "a" }
}
`;
  const p = policyFrom('tags:\n  required: [Team, Project]\n');
  assert.deepEqual(lint({ '/w/main.tf': src }, p).map((f) => [f.resource, f.missing]), [
    ['google_container_cluster.gke', ['project']],
    ['azurerm_resource_group.rg', ['Project']],
  ]);
});

test('quick fix: adds missing tags to a map, with allowed values as a snippet choice, keeping alignment', () => {
  const src = 'resource "aws_instance" "web" {\n  ami = "x"\n  tags = {\n    Name = "web"\n  }\n}\n';
  const p = policyFrom('tags:\n  required: [Environment, Owner]\n  rules:\n    Environment: { allowed: [dev, staging, production] }\n    Owner: { pattern: ".+@.+", example: "me@example.com" }\n');
  const [f] = lint({ '/w/main.tf': src }, p);
  const fix = f!.fixes!.find((x) => x.preferred)!;
  assert.equal(applyEdits(src, fix.edits), 'resource "aws_instance" "web" {\n  ami = "x"\n  tags = {\n    Name = "web"\n    Environment = "dev"\n    Owner       = "me@example.com"\n  }\n}\n');
  assert.match(fix.edits[0]!.snippet!, /Environment = "\$\{1\|dev,staging,production\|\}"/);
  // applying the fix leaves nothing to report
  assert.deepEqual(lint({ '/w/main.tf': applyEdits(src, fix.edits) }, p), []);
});

test('quick fix: creates tags = {} when absent, wraps a reference in merge(), and adds to the provider default_tags', () => {
  const src = 'provider "aws" {\n  region = "us-east-1"\n}\n\nresource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n\nresource "aws_instance" "i" {\n  tags = local.t\n}\n\nlocals {\n  t = { Foo = "a" }\n}\n';
  const fs = lint({ '/w/main.tf': src }, fooBar);
  const bucket = fs.find((f) => f.resource === 'aws_s3_bucket.b')!;
  const created = applyEdits(src, bucket.fixes!.find((x) => x.kind === 'addTags')!.edits);
  assert.match(created, /resource "aws_s3_bucket" "b" \{\n  bucket = "x"\n  tags = \{\n    Bar = "TODO"\n    Foo = "TODO"\n  \}\n\}/);
  const inst = fs.find((f) => f.resource === 'aws_instance.i')!;
  assert.match(applyEdits(src, inst.fixes!.find((x) => x.kind === 'addTags')!.edits), /tags = merge\(local\.t, \{\n    Bar = "TODO"\n  \}\)/);
  const viaDefaults = bucket.fixes!.find((x) => x.kind === 'addDefaultTags')!;
  assert.equal(viaDefaults.preferred, false);
  const withDefaults = applyEdits(src, viaDefaults.edits);
  assert.match(withDefaults, /provider "aws" \{\n  region = "us-east-1"\n  default_tags \{\n    tags = \{\n      Bar = "TODO"\n      Foo = "TODO"\n    \}\n  \}\n\}/);
  // the placeholders the fix wrote are not a value: each is still a finding, on the value itself, until it is filled in
  const left = lint({ '/w/main.tf': withDefaults }, fooBar);
  assert.deepEqual(left.map((f) => [f.code, f.resource, textAt(withDefaults, f)]), [
    ['placeholder-tag-value', 'aws_s3_bucket.b', '"TODO"'], ['placeholder-tag-value', 'aws_instance.i', '"TODO"'],
    ['placeholder-tag-value', 'aws_s3_bucket.b', '"TODO"'],
  ]);
  assert.equal(left[0]!.message, 'aws_s3_bucket.b: tag "Bar" is "TODO", a placeholder; set the real value');
  assert.deepEqual(lint({ '/w/main.tf': withDefaults.replace(/"TODO"/g, '"ml"') }, fooBar), []);
});

test('every preferred fix of a file applied together ("fix all") leaves only the placeholders to fill in', () => {
  const src = `provider "google" {}
resource "aws_instance" "a" {}
resource "aws_instance" "b" { tags = { Foo = "x" } }
resource "aws_instance" "c" {
  tags = merge(local.x, {
    Bar = "y"
  })
}
locals { x = {} }
resource "google_storage_bucket" "g" {
  labels = { Foo = "a" }
}
`;
  const fs = lint({ '/w/main.tf': src }, fooBar);
  assert.ok(fs.length >= 4, JSON.stringify(fs.map((f) => f.message)));
  const edits = fs.flatMap((f) => f.fixes?.find((x) => x.preferred)?.edits ?? []);
  const fixed = applyEdits(src, edits);
  assert.deepEqual(lint({ '/w/main.tf': fixed }, fooBar).map((f) => [f.code, textAt(fixed, f)]), [
    ['placeholder-tag-value', '"TODO"'], ['placeholder-tag-value', '"TODO"'], ['placeholder-tag-value', '"TODO"'],
    ['placeholder-tag-value', '"TODO"'], ['placeholder-tag-value', '"todo"'],
  ]);
  assert.deepEqual(lint({ '/w/main.tf': fixed.replace(/"todo"/gi, '"ml"') }, fooBar).map((f) => f.message), []);
});

test('bad input: a malformed file reports a syntax error with its position, and its other resources are still checked', () => {
  const src = 'resource "aws_instance" "broken" {\n  tags = {\n    Foo = \n  }\n}\nresource "aws_instance" "after" {}\n';
  const fs = lint({ '/w/main.tf': src }, fooBar);
  const err = fs.find((f) => f.code === 'syntax-error');
  assert.ok(err, 'no syntax error');
  assert.equal(err.severity, 'error');
  assert.equal(err.range.start.line, 2);
  assert.ok(fs.some((f) => f.resource === 'aws_instance.after' && f.code === 'missing-tag'));
  const unclosed = lint({ '/w/a.tf': 'resource "aws_instance" "x" {\n  tags = { Foo = "a"\n', '/w/b.tf': 'resource "aws_instance" "y" {}\n' }, fooBar);
  assert.ok(unclosed.some((f) => f.file === '/w/a.tf' && f.code === 'syntax-error' && /never closed/.test(f.message)));
  assert.ok(unclosed.some((f) => f.file === '/w/b.tf' && f.code === 'missing-tag'));
});

test('bad input: a binary file and a file over the size limit are skipped with a clear message', () => {
  const ws = new IacWorkspace({ policy: fooBar, reportUnknown: false });
  ws.upsert('/w/bin.tf', `\u0000\u0001\u0002ELF${'\u0000'.repeat(100)}`);
  ws.upsert('/w/big.tf', `# generated\n${'locals { a = 1 }\n'.repeat(700_000)}`);
  ws.upsert('/w/ok.tf', 'resource "aws_instance" "ok" {}\n');
  const all = [...ws.analyze().findingsByFile.values()].flat();
  assert.match(all.find((f) => f.file === '/w/bin.tf')!.message, /bin\.tf is not a text file/);
  assert.match(all.find((f) => f.file === '/w/big.tf')!.message, /big\.tf is 11\.\d MB; files over 4 MB are not checked/);
  assert.ok(all.some((f) => f.file === '/w/ok.tf' && f.code === 'missing-tag'));
});

test('re-analysis after an edit covers only the changed folder and sees the new text', () => {
  const ws = new IacWorkspace({ policy: fooBar, reportUnknown: false });
  ws.upsert('/w/a/main.tf', 'resource "aws_instance" "a" {}\n');
  ws.upsert('/w/b/main.tf', 'resource "aws_instance" "b" {}\n');
  assert.equal(ws.analyze().findingsByFile.size, 2);
  ws.upsert('/w/a/main.tf', 'resource "aws_instance" "a" { tags = { Foo = "1", Bar = "2" } }\n');
  const r = ws.analyze(['/w/a/main.tf']);
  assert.deepEqual([...r.findingsByFile.keys()], ['/w/a/main.tf']);
  assert.deepEqual(r.findingsByFile.get('/w/a/main.tf'), []);
});

test('.tf.json files are analysed like .tf', () => {
  const src = JSON.stringify({
    provider: { aws: { default_tags: { tags: { Foo: 'x' } } } },
    resource: { aws_instance: { web: { tags: { Name: 'w' } } }, aws_s3_bucket: { ok: { tags: { Bar: 'y' } } } },
  }, null, 2);
  const fs = lint({ '/w/main.tf.json': src }, fooBar);
  assert.deepEqual(fs.map((f) => [f.resource, f.missing]), [['aws_instance.web', ['Bar']]]);
  assert.equal(textAt(src, fs[0]!), '{\n          "Name": "w"\n        }');
});

test('declared resources carry merged tags, completeness, size, region and the header range', () => {
  const ws = new IacWorkspace({ policy: fooBar, reportUnknown: false, details: true });
  ws.upsert('/w/main.tf', 'provider "aws" {\n  region = "eu-west-1"\n  default_tags { tags = { Team = "vision" } }\n}\nresource "aws_instance" "web" {\n  instance_type = "p4d.24xlarge"\n  tags = merge(var.x, { Name = "w" })\n}\n');
  const [r] = ws.analyze().resources;
  assert.deepEqual(r, {
    cloud: 'aws', address: 'aws_instance.web', type: 'aws_instance', name: 'web', file: '/w/main.tf',
    range: { start: { line: 4, character: 0 }, end: { line: 4, character: 29 } },
    tags: { Team: 'vision', Name: 'w' }, tagsComplete: false, size: 'p4d.24xlarge', region: 'eu-west-1',
  });
});

test('policy scoping: include, excludeResources, excludePaths, and severities per code and per rule', () => {
  const p = policyFrom(`tags:
  required: [Foo]
  optional: [Env]
  rules:
    Env: { allowed: [dev], severity: info }
  include: ["aws_*"]
  excludeResources: [aws_instance.legacy, "module.*"]
  excludePaths: [examples/**]
  severity: error
`);
  const ws = new IacWorkspace({ policy: p, reportUnknown: false, root: '/w' });
  ws.upsert('/w/main.tf', 'resource "aws_instance" "legacy" {}\nresource "aws_instance" "web" { tags = { Env = "prod" } }\nresource "azurerm_resource_group" "rg" {}\nmodule "m" {\n  source = "x"\n  tags   = {}\n}\n');
  ws.upsert('/w/examples/demo/main.tf', 'resource "aws_instance" "example" {}\n');
  const fs = [...ws.analyze().findingsByFile.values()].flat();
  assert.deepEqual(fs.map((f) => [f.file, f.resource, f.code, f.severity]), [
    ['/w/main.tf', 'aws_instance.web', 'missing-tag', 'error'],
    ['/w/main.tf', 'aws_instance.web', 'invalid-tag-value', 'info'],
  ]);
});

test('a placeholder value is flagged on the value; with allowed values the fix offers them', () => {
  const p = policyFrom('tags:\n  required: [Environment, Team]\n  rules:\n    Environment: { allowed: [dev, prod] }\n');
  const src = 'resource "aws_instance" "a" {\n  tags = { Environment = "TBD", Team = "" }\n}\n';
  const fs = lint({ '/w/main.tf': src }, p);
  assert.deepEqual(fs.map((f) => [f.code, textAt(src, f), f.message]), [
    ['placeholder-tag-value', '"TBD"', 'aws_instance.a: tag "Environment" is "TBD", a placeholder; set the real value'],
    ['placeholder-tag-value', '""', 'aws_instance.a: tag "Team" is empty, a placeholder; set the real value'],
  ]);
  const fix = fs[0]!.fixes!.find((x) => x.preferred)!;
  assert.equal(fix.title, 'Set Environment to "dev"');
  assert.match(fix.edits[0]!.snippet!, /^"\$\{1\|dev,prod\|\}"$/);
  assert.deepEqual(fs[1]!.fixes, [], 'no value to suggest for a free-text tag');
  assert.deepEqual(lint({ '/w/main.tf': applyEdits(src, fix.edits).replace('""', '"vision"') }, p), []);
});
