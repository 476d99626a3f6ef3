import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicy } from '../../../src/core/policy/load';
import { evaluateTags, globMatch, matchesAllowed } from '../../../src/core/policy/evaluate';
import { lint } from '../iac/helpers';

const observed = (tags: Record<string, string>, complete = true) => ({ keys: new Map(Object.entries(tags)), complete });

/** Loads a policy that must come back with an error problem (never a thrown error). */
function refused(text: string, message: RegExp, line?: number) {
  const { problems } = loadPolicy(text, '.finops.yaml');
  const p = problems.find((x) => x.severity === 'error' && message.test(x.message));
  assert.ok(p, `expected ${message} among ${JSON.stringify(problems.map((x) => x.message))}`);
  if (line !== undefined) assert.equal(p.line, line);
  return p;
}

test('aliases: one without its anchor, one containing itself, and an alias bomb are problems on the file', () => {
  refused('tags:\n  required: [Team]\n  optional: [*nope]\n', /The alias \*nope has no anchor &nope before it/, 3);
  refused('tags: &t\n  required: [Team]\n  optional: *t\n', /refers to a value that contains it|YAML syntax/);
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');
  refused(bomb, /expands to more than 10,000 values through its aliases/);
  // ordinary aliases still work
  const { policy, problems } = loadPolicy('envs: &envs [dev, prod]\ntags:\n  required: [Env]\n  rules:\n    Env: { allowed: *envs }\n', '.finops.yaml');
  assert.deepEqual(problems.filter((p) => p.severity === 'error'), []);
  assert.deepEqual(policy.rules.Env?.allowed, ['dev', 'prod']);
});

test('keys named like Object.prototype members are plain keys: constructor, __proto__, toString, hasOwnProperty', () => {
  const { policy, problems } = loadPolicy(`tags:
  required: [constructor, toString, hasOwnProperty, __proto__]
  rules:
    constructor: { allowed: [a, b] }
    toString: { pattern: "^x" }
  gcp:
    labelKeys:
      constructor: ctor
`, '.finops.yaml');
  assert.deepEqual(problems.filter((p) => p.severity === 'error'), []);
  assert.equal(Object.getPrototypeOf(policy.rules), null);
  assert.equal(Object.getPrototypeOf(policy.gcpLabelKeys), null);
  assert.equal(Object.getPrototypeOf(policy.severities), null);
  assert.deepEqual(policy.required, ['constructor', 'toString', 'hasOwnProperty', '__proto__']);
  const v = evaluateTags(policy, 'aws', { keys: new Map([['constructor', 'c'], ['toString', 'y'], ['hasOwnProperty', '1'], ['__proto__', '2']]), complete: true });
  assert.deepEqual(v.map((x) => x.code === 'invalid-tag-value' && x.key), ['constructor', 'toString']);
  // a policy key such as "valueOf" with no rule never finds Object.prototype.valueOf, on GCP either
  const gcp = evaluateTags(policy, 'gcp', { keys: new Map([['ctor', 'a'], ['tostring', 'x'], ['hasownproperty', 'y'], ['__proto__', 'z']]), complete: true });
  assert.deepEqual(gcp.filter((x) => x.code !== 'invalid-label-key'), []);
  const findings = lint({ '/w/main.tf': 'resource "aws_instance" "a" {\n  tags = { constructor = "z" }\n}\nresource "google_compute_instance" "b" {\n  labels = { valueof = "x" }\n}\n' }, policy);
  assert.deepEqual(findings.map((f) => f.code).sort(), ['invalid-tag-value', 'missing-tag', 'missing-tag']);
  for (const f of findings) void f.fixes;
});

test('an AWS Organizations tag policy with statements named constructor and __proto__ loads', () => {
  const { policy, problems } = loadPolicy(JSON.stringify({ tags: { constructor: { tag_key: { '@@assign': 'constructor' }, tag_value: { '@@assign': ['a*'] } }, valueOf: { tag_key: { '@@assign': 'valueOf' } } } }), 'org.json');
  assert.deepEqual(problems, []);
  assert.equal(policy.source.kind, 'awsOrganizations');
  assert.deepEqual(policy.required, ['constructor', 'valueOf']);
  assert.deepEqual(evaluateTags(policy, 'aws', observed({ constructor: 'abc', valueOf: 'v' })), []);
});

test('a policy nested too deeply, with a non-text key, or with a document that is not a map is a problem, never a throw', () => {
  refused(`tags: ${'['.repeat(5000)}`, /nests more than 128 levels deep/, 1);
  refused(`${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1\n`, /nests more than 128 levels deep/);
  refused('tags:\n  ? [a, b]\n  : 1\n', /A key must be text/, 2);
  refused('- a\n- b\n', /A policy file is a map/);
});

test('patterns run on a linear-time engine: catastrophic backtracking patterns answer at once', { timeout: 60_000 }, () => {
  const { policy, problems } = loadPolicy('tags:\n  required: [A, B]\n  rules:\n    A: { pattern: "^(a+)+$" }\n    B: { pattern: "^(x|x)*y$" }\n', '.finops.yaml');
  assert.deepEqual(problems, []);
  // each of these takes a backtracking engine longer than the test's timeout
  const v = evaluateTags(policy, 'aws', observed({ A: `${'a'.repeat(5000)}!`, B: 'x'.repeat(5000) }));
  assert.deepEqual(v.map((x) => x.code === 'invalid-tag-value' && x.key), ['A', 'B']);
  assert.deepEqual(evaluateTags(policy, 'aws', observed({ A: 'aaaa', B: 'xxy' })), []);
});

test('patterns RE2 cannot run (look-around, back-references) are refused at their place, with the reason', () => {
  const p = refused('tags:\n  required: [A]\n  rules:\n    A: { pattern: "^(?=x)x$" }\n', /pattern: not a regular expression the linear-time engine \(RE2 syntax: no look-around or back-references\) accepts/, 4);
  assert.equal(p.column, 19);
  refused('tags:\n  required: [A]\n  rules:\n    A: { pattern: "(a)\\\\1" }\n', /linear-time engine/, 4);
  refused(`tags:\n  required: [A]\n  rules:\n    A: { pattern: "${'a'.repeat(1001)}" }\n`, /at most 1,000 characters/, 4);
});

test('AWS Organizations wildcards and path globs match in linear time and agree with a reference matcher', { timeout: 60_000 }, () => {
  // the reference: dynamic programming over the pattern and value (quadratic, never exponential)
  const reference = (pattern: string, value: string, question: boolean): boolean => {
    let row = Array<boolean>(value.length + 1).fill(false);
    row[0] = true;
    for (const p of pattern) {
      const next = Array<boolean>(value.length + 1).fill(false);
      if (p === '*') { let any = false; for (let j = 0; j <= value.length; j++) { any ||= row[j]!; next[j] = any; } } else {
        for (let j = 1; j <= value.length; j++) next[j] = row[j - 1]! && (p === value[j - 1] || (question && p === '?'));
      }
      row = next;
    }
    return row[value.length]!;
  };
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const word = (alphabet: string, max: number) => Array.from({ length: Math.floor(random() * max) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  for (let i = 0; i < 5000; i++) {
    const pattern = word('ab*?', 8);
    const value = word('ab?*', 10);
    assert.equal(globMatch(pattern, value), reference(pattern, value, true), `glob ${pattern} ~ ${value}`);
    const allowed = pattern.replaceAll('?', 'a');
    assert.equal(matchesAllowed(value, allowed), reference(allowed, value, false), `allowed ${allowed} ~ ${value}`);
  }
  assert.ok(matchesAllowed('Prod\nEU', 'prod*', true));
  // a pattern that makes a backtracking regular expression take minutes
  const hostile = `${'a*'.repeat(40)}b`;
  assert.equal(matchesAllowed('a'.repeat(20000), hostile), false);
  assert.equal(globMatch(`${'*a'.repeat(40)}?b`, 'a'.repeat(20000)), false);
});

test('a policy file over 64 KB is a problem on the file, not seconds of parsing; the default policy applies', () => {
  const big = `tags:\n  required: [Team]\n${'  # padding, as a generated file has\n'.repeat(2000)}`;
  const { policy } = loadPolicy(big, '.finops.yaml');
  refused(big, /The policy is \d+ KB; policy files over 64 KB are not read/, 1);
  assert.deepEqual(policy.required, ['Environment', 'Team', 'Project', 'CostCenter', 'Owner'], 'not read: the default policy');
});
