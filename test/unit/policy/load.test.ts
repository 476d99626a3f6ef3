import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicy } from '../../../src/core/policy/load';
import { defaultPolicy } from '../../../src/core/policy/defaults';
import { evaluateTags, matchesAllowed } from '../../../src/core/policy/evaluate';
import { fixGcpLabelKey, gcpLabelCandidates, isValidGcpLabelKey, isValidGcpLabelValue } from '../../../src/core/policy/gcpLabels';

const observed = (tags: Record<string, string>, complete = true) => ({ keys: new Map(Object.entries(tags)), complete });

test('the default policy: five required keys, three optional, Environment from a list, Owner an e-mail', () => {
  const p = defaultPolicy();
  assert.deepEqual(p.required, ['Environment', 'Team', 'Project', 'CostCenter', 'Owner']);
  assert.deepEqual(p.optional, ['Experiment', 'Model', 'Stage']);
  const ok = { Environment: 'dev', Team: 't', Project: 'p', CostCenter: 'c', Owner: 'a@b.io' };
  assert.deepEqual(evaluateTags(p, 'aws', observed(ok)), []);
  const bad = evaluateTags(p, 'aws', observed({ ...ok, Environment: 'prod', Owner: 'nobody' }));
  assert.deepEqual(bad.map((v) => v.code === 'invalid-tag-value' && [v.key, v.value]), [['Environment', 'prod'], ['Owner', 'nobody']]);
});

test('the minimal YAML shape from the docs loads, and extended keys work', () => {
  const { policy, problems } = loadPolicy(`tags:
  required: [Environment, Team, Project, CostCenter, Owner]
  optional: [Experiment, Model, Stage]
  rules:
    Environment: { allowed: [dev, staging, production] }
    Owner: { pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' }
    CostCenter: { allowed: [100, "2*"], severity: error, description: finance codes }
  exclude: [aws_autoscaling_group]
  excludeResources: [aws_instance.legacy]
  excludePaths: [examples/**]
  severity: error
  severities: { invalid-label-key: info }
  gcp:
    labelKeys: { CostCenter: cc }
  reportUnknown: true
hierarchy: [Team, Project, Experiment]
budgets:
  - { name: total, amount: 1000, currency: USD }
`, '.finops.yaml');
  assert.deepEqual(problems, []);
  assert.equal(policy.source.kind, 'yaml');
  assert.deepEqual(policy.rules.CostCenter, { allowed: ['100', '2*'], severity: 'error', description: 'finance codes' });
  assert.deepEqual(policy.exclude, ['aws_autoscaling_group']);
  assert.deepEqual(policy.excludeResources, ['aws_instance.legacy']);
  assert.deepEqual(policy.excludePaths, ['examples/**']);
  assert.equal(policy.severity, 'error');
  assert.equal(policy.severities['invalid-label-key'], 'info');
  assert.deepEqual({ ...policy.gcpLabelKeys }, { CostCenter: ['cc'] });
  assert.deepEqual(policy.hierarchy, ['Team', 'Project', 'Experiment']);
  assert.equal(policy.reportUnknown, true);
  assert.ok(matchesAllowed('250', '2*') && !matchesAllowed('350', '2*'));
});

test('invalid policies give errors with line and column, and the valid parts still apply', () => {
  const text = 'tags:\n  required: [Team]\n  optinal: [x]\n  rules:\n    Team: { pattern: "^(" }\n    Env: { allowed: [] }\n  severity: fatal\n';
  const { policy, problems } = loadPolicy(text, '.finops.yaml');
  const at = (re: RegExp) => problems.find((p) => re.test(p.message));
  assert.deepEqual(pick(at(/Unknown key "optinal"/)), { line: 3, column: 3, endLine: 3, endColumn: 10, severity: 'error' });
  assert.deepEqual(pick(at(/pattern: not a regular expression the linear-time engine/)), { line: 5, column: 22, endLine: 5, endColumn: 26, severity: 'error' });
  assert.deepEqual(pick(at(/allowed: list at least one allowed value/)), { line: 6, column: 21, endLine: 6, endColumn: 23, severity: 'error' });
  assert.equal(at(/severity/)?.line, 7);
  assert.deepEqual(policy.required, ['Team']);
  assert.equal(policy.severity, 'warning');
});

function pick(p: { line: number; column: number; endLine: number; endColumn: number; severity: string } | undefined) {
  assert.ok(p, 'problem not reported');
  return { line: p.line, column: p.column, endLine: p.endLine, endColumn: p.endColumn, severity: p.severity };
}

test('YAML syntax errors, a non-map file and a typo at the top level are reported', () => {
  assert.equal(loadPolicy('tags: [\n').problems[0]!.severity, 'error');
  assert.match(loadPolicy('- a\n- b\n').problems[0]!.message, /map with a "tags" key/);
  const typo = loadPolicy('tag:\n  required: [A]\n');
  assert.deepEqual(typo.problems.map((p) => [p.message, p.severity, p.line]), [['Unknown key "tag": did you mean "tags"?', 'warning', 1]]);
  assert.deepEqual(loadPolicy('').problems, []);
});

test('an AWS Organizations tag policy: tag_key case, tag_value wildcards, report_required_tag_for', () => {
  const json = JSON.stringify({
    tags: {
      costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['100', '300*'] }, enforced_for: { '@@assign': ['ec2:instance'] } },
      team: { tag_key: { '@@assign': 'Team' }, report_required_tag_for: { '@@assign': ['ec2:ALL_SUPPORTED'] } },
      project: { tag_key: { '@@assign': 'Project' } },
    },
  });
  const { policy, problems } = loadPolicy(json, 'tag-policy.json');
  assert.deepEqual(problems, []);
  assert.equal(policy.source.kind, 'awsOrganizations');
  assert.deepEqual(policy.required, ['Team']);
  assert.deepEqual(policy.optional, ['CostCenter', 'Project']);
  const v = evaluateTags(policy, 'aws', observed({ Team: 'a', CostCenter: '3001' }));
  assert.deepEqual(v, []);
  assert.equal(evaluateTags(policy, 'aws', observed({ Team: 'a', CostCenter: '200' }))[0]?.code, 'invalid-tag-value');
  // without report_required_tag_for every key of the policy is required
  const all = loadPolicy(JSON.stringify({ tags: { owner: { tag_key: { '@@assign': 'Owner' } } } })).policy;
  assert.deepEqual(all.required, ['Owner']);
  const bad = loadPolicy(JSON.stringify({ tags: { owner: { tag_key: { '@@assign': 'Manager' } } } }));
  assert.match(bad.problems[0]!.message, /must match the policy key "owner"/);
});

test('GCP label rules and key mapping', () => {
  assert.deepEqual(gcpLabelCandidates('CostCenter', {}), ['cost_center', 'costcenter', 'cost-center']);
  assert.deepEqual(gcpLabelCandidates('CostCenter', { CostCenter: ['cc'] }), ['cc']);
  assert.ok(isValidGcpLabelKey('cost_center') && !isValidGcpLabelKey('Team') && !isValidGcpLabelKey('1abc') && !isValidGcpLabelKey('a'.repeat(64)));
  assert.ok(isValidGcpLabelValue('') && isValidGcpLabelValue('ml-team_1') && !isValidGcpLabelValue('a@b.com') && !isValidGcpLabelValue('Prod'));
  assert.equal(fixGcpLabelKey('Team', {}, ['Team']), 'team');
  assert.equal(fixGcpLabelKey('CostCenter', {}, ['CostCenter']), 'cost_center');
  assert.equal(fixGcpLabelKey('My Key', {}, []), 'my_key');
  const p = defaultPolicy();
  const labels = { environment: 'dev', team: 't', project: 'p', 'cost-center': 'c', owner: 'someone' };
  assert.deepEqual(evaluateTags(p, 'gcp', observed(labels)), [], 'Owner is not checked as an e-mail on GCP');
});

test('placeholder values (TODO, TBD, CHANGEME, empty) are findings, in any case, and never satisfy a rule', () => {
  const p = defaultPolicy();
  assert.deepEqual(p.placeholders, ['TODO', 'TBD', 'CHANGEME', '']);
  const ok = { Environment: 'dev', Team: 't', Project: 'p', CostCenter: 'c', Owner: 'a@b.io' };
  const v = evaluateTags(p, 'aws', observed({ ...ok, Team: 'TODO', Project: ' tbd ', CostCenter: '', Environment: 'ChangeMe', Model: 'todo' }));
  assert.deepEqual(v.map((x) => x.code === 'placeholder-tag-value' && [x.key, x.value]), [
    ['Environment', 'ChangeMe'], ['Team', 'TODO'], ['Project', ' tbd '], ['CostCenter', ''], ['Model', 'todo'],
  ], 'one finding per key, and Environment is not also reported as a value outside its allowed list');
  // keys outside the policy may hold anything
  assert.deepEqual(evaluateTags(p, 'aws', observed({ ...ok, Name: 'TODO' })), []);
  // on Google Cloud the label form is found, and a placeholder is not also an invalid label value
  const gcp = evaluateTags(p, 'gcp', observed({ environment: 'dev', team: 'TODO', project: 'p', cost_center: 'c', owner: 'o' }));
  assert.deepEqual(gcp.map((x) => [x.code, 'key' in x ? x.key : '']), [['placeholder-tag-value', 'team']]);
});

test('tags.placeholders replaces the list (wildcards allowed); [] turns the check off', () => {
  const { policy, problems } = loadPolicy('tags:\n  required: [Team]\n  rules: {}\n  placeholders: [FIXME, "<*>", 0]\n');
  assert.deepEqual(problems, []);
  assert.deepEqual(policy.placeholders, ['FIXME', '<*>', '0']);
  const codes = (team: string) => evaluateTags(policy, 'aws', observed({ Team: team })).map((x) => x.code);
  assert.deepEqual(codes('fixme'), ['placeholder-tag-value']);
  assert.deepEqual(codes('<team name>'), ['placeholder-tag-value']);
  assert.deepEqual(codes('0'), ['placeholder-tag-value']);
  assert.deepEqual(codes('TODO'), [], 'TODO is not in this policy\'s list');
  const off = loadPolicy('tags:\n  required: [Team]\n  placeholders: []\n').policy;
  assert.deepEqual(evaluateTags(off, 'aws', observed({ Team: '' })), []);
  assert.deepEqual(loadPolicy('tags:\n  placeholders: TODO\n').problems.map((x) => x.message), ['tags.placeholders: Invalid input: expected array, received string.']);
});
