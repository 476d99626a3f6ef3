import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicy } from '../../../src/core/policy/load';
import { defaultPolicy } from '../../../src/core/policy/defaults';
import { tagValueProblem } from '../../../src/core/policy/evaluate';
import { accountOf, cloudChanges, cloudOf, formatOutcomes, formatPlan, keysToSet, planTags, suggestValues, tagTarget, type TagTarget } from '../../../src/core/tagging/plan';
import { linkToIac } from '../../../src/core/tagging/iacLink';
import { indexStateIds } from '../../../src/core/iac/terraformState';
import type { Resource } from '../../../src/core/sources';

const policy = loadPolicy([
  'version: 1',
  'tags:',
  '  required: [Team, Environment, CostCenter]',
  '  rules:',
  '    Environment:',
  '      allowed: [dev, staging, production]',
  '      description: the on-call rota reads it',
  '    CostCenter:',
  '      pattern: "^[0-9]{4}$"',
  '      example: "1234"',
].join('\n'), '/ws/.finops.yaml').policy;

const arn = (account: string, id: string) => `arn:aws:ec2:us-east-1:${account}:instance/${id}`;
const aws = (id: string, tags: Record<string, string>, account = '111122223333', extra: Partial<TagTarget> = {}): TagTarget => ({ cloud: 'aws', id: arn(account, id), account, tags, ...extra });

describe('what a running resource lacks', () => {
  test('missing required keys, placeholders and refused values, in the policy\'s order', () => {
    const t = aws('i-1', { Environment: 'TODO', CostCenter: '12' });
    assert.deepEqual(keysToSet(policy, t), [
      { key: 'Team', why: 'missing' },
      { key: 'Environment', why: 'placeholder', current: 'TODO' },
      { key: 'CostCenter', why: 'invalid', current: '12', expected: 'matching /^[0-9]{4}$/' },
    ]);
  });

  test('on Google Cloud a key is looked for under its label spelling', () => {
    const t: TagTarget = { cloud: 'gcp', id: 'projects/p/zones/us-central1-a/instances/vm', account: 'p', tags: { team: 'ml', cost_center: '1234' } };
    assert.deepEqual(keysToSet(policy, t).map((k) => k.key), ['Environment']);
  });

  test('clouds and accounts from provider names and ids', () => {
    assert.equal(cloudOf({ provider: 'Amazon Web Services', id: 'x' }), 'aws');
    assert.equal(cloudOf({ provider: 'FOCUS file', id: '/subscriptions/0000/resourceGroups/rg' }), 'azure');
    assert.equal(cloudOf({ provider: '', id: '//compute.googleapis.com/projects/p1/zones/z/instances/vm' }), 'gcp');
    assert.equal(accountOf('aws', arn('999988887777', 'i-9')), '999988887777');
    assert.equal(accountOf('azure', '/subscriptions/ABCD-1/resourceGroups/x'), 'abcd-1');
    assert.equal(accountOf('gcp', '//compute.googleapis.com/projects/p1/zones/z/instances/vm'), 'p1');
    const r: Resource = { provider: 'AWS', id: arn('111122223333', 'i-2'), type: 'ec2:instance', name: 'trainer', tags: { Team: 'x' } };
    assert.deepEqual(tagTarget(r), { cloud: 'aws', id: r.id, tags: r.tags, name: 'trainer', type: 'ec2:instance', account: '111122223333' });
  });
});

describe('values suggested from neighbours', () => {
  const target = aws('i-0', { Project: 'llm' });
  const neighbours = [
    aws('i-1', { Project: 'llm', Team: 'research', Environment: 'production' }),
    aws('i-2', { Project: 'llm', Team: 'research', Environment: 'TBD' }),
    aws('i-3', { Project: 'vision', Team: 'platform', Environment: 'prod' }),
    aws('i-4', { Project: 'vision', Team: 'platform' }),
    aws('i-5', { Project: 'vision', Team: 'platform' }),
    aws('i-6', { Team: 'elsewhere' }, '444455556666'),
  ];

  test('the same project first, then the account; most common first; each with its reason', () => {
    const s = suggestValues(policy, target, 'Team', neighbours);
    assert.deepEqual(s.map((x) => [x.value, x.scope]), [['research', 'project'], ['platform', 'account']]);
    assert.equal(s[0]!.reason, '2 of 2 resources in project "llm" have Team = research');
    assert.equal(s[1]!.reason, '3 of 5 resources in account 111122223333 have Team = platform');
  });

  test('placeholders and values the policy refuses are never suggested; the policy\'s allowed values follow', () => {
    const s = suggestValues(policy, target, 'Environment', neighbours);
    assert.deepEqual(s.map((x) => x.value), ['production', 'dev', 'staging']);
    assert.equal(s[1]!.reason, 'allowed by the tag policy');
    assert.deepEqual(suggestValues(policy, target, 'CostCenter', neighbours).map((x) => [x.value, x.reason]), [['1234', 'the tag policy\'s example']]);
  });

  test('resources declared in the same IaC module come first', () => {
    const at = (file: string) => ({ file, range: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 } });
    const declared = aws('i-7', {}, '111122223333', { declaredIn: at('infra/train/main.tf') });
    const sameModule = aws('i-8', { Team: 'infra-team' }, '111122223333', { declaredIn: at('infra/train/gpu.tf') });
    const s = suggestValues(policy, declared, 'Team', [...neighbours, sameModule]);
    assert.equal(s[0]!.value, 'infra-team');
    assert.equal(s[0]!.reason, '1 of 1 resource in the IaC module infra/train has Team = infra-team');
  });
});

describe('validation and the change preview', () => {
  test('values are judged with the policy\'s own words, and by the cloud\'s rules', () => {
    assert.equal(tagValueProblem(policy, 'aws', 'Environment', 'prod'), 'expected one of "dev", "staging", "production" (the on-call rota reads it)');
    assert.match(tagValueProblem(policy, 'aws', 'Team', 'TBD')!, /placeholder/);
    assert.match(tagValueProblem(policy, 'gcp', 'Team', 'ML Research')!, /lowercase letters, digits/);
    assert.equal(tagValueProblem(policy, 'gcp', 'Team', 'ml-research'), undefined);
    assert.equal(tagValueProblem(defaultPolicy(), 'gcp', 'Owner', 'a@b.c')?.includes('lowercase'), true, 'the e-mail rule is AWS/Azure only, the label rule still applies');
  });

  test('the plan lists every resource and change (old → new), skips what already holds the value, and refuses bad values', () => {
    const a = aws('i-1', { Team: 'old', Environment: 'dev' });
    const b = aws('i-2', { Team: 'research', Environment: 'dev' });
    const g: TagTarget = { cloud: 'gcp', id: 'projects/p/zones/z/instances/vm', account: 'p', tags: { cost_center: '0000' } };
    const plan = planTags(policy, [a, b, g], { Team: 'research', CostCenter: '1234' });
    assert.deepEqual(plan.resources.map((r) => [r.route, r.changes.map((c) => `${c.writtenKey}:${c.old ?? '-'}→${c.value}`)]), [
      ['cloud', ['Team:old→research', 'CostCenter:-→1234']],
      ['cloud', ['CostCenter:-→1234']],
      ['cloud', ['team:-→research', 'cost_center:0000→1234']],
    ]);
    assert.equal(cloudChanges(plan).length, 3);
    const text = formatPlan(plan);
    assert.match(text, /^Tag 3 running resources in the cloud \(policy: \.finops\.yaml\):/);
    assert.match(text, /instance\/i-1\n {4}Team: "old" → "research"\n {4}CostCenter: \(none\) → "1234"/);
    assert.match(text, /cost_center: "0000" → "1234"/);

    const bad = planTags(policy, [a], { Environment: 'prod' });
    assert.deepEqual(bad.resources[0]!.problems, ['Environment = "prod": expected one of "dev", "staging", "production" (the on-call rota reads it)']);
    assert.equal(cloudChanges(bad).length, 0);
    assert.match(formatPlan(bad), /Refused by \.finops\.yaml/);
    assert.match(formatPlan(planTags(policy, [b], { Team: 'research' })), /Already tagged so: .*i-2/);
  });

  test('a declared resource is routed to its declaration, and the preview says why', () => {
    const a = aws('i-1', {});
    const loc = { address: 'aws_instance.gpu', file: 'infra/main.tf', range: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 30 }, how: 'Terraform state infra/terraform.tfstate' };
    const plan = planTags(policy, [a], { Team: 'research' }, () => loc);
    assert.equal(plan.resources[0]!.route, 'iac');
    assert.equal(cloudChanges(plan).length, 0);
    assert.match(formatPlan(plan), /declared in IaC, so the next apply would revert it[\s\S]*→ aws_instance\.gpu in infra\/main\.tf:3 \(Terraform state/);
  });

  test('outcomes: which were tagged and which were not, with why', () => {
    assert.equal(formatOutcomes([{ id: 'a', ok: true }]), 'Tagged 1 of 1 resource.');
    assert.equal(formatOutcomes([{ id: 'a', ok: true }, { id: 'b', ok: false, error: 'AWS denied it. Allow x.' }]), 'Tagged 1 of 2 resources.\nNot tagged:\n  b: AWS denied it. Allow x.');
  });
});

describe('links from running resources to IaC declarations', () => {
  const decl = (id: string, type: string, tags: Record<string, string> = {}): Resource => ({
    provider: 'AWS', id, type, tags, declaredIn: { file: `/ws/${id}.tf`, range: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 9 } },
  });
  const declared = [decl('module.train.aws_instance.gpu', 'aws_instance'), decl('Trainer', 'AWS::EC2::Instance'), decl('aws_instance.named', 'aws_instance', { Name: 'nb-1' })];

  test('Terraform state, CloudFormation\'s logical-id tag and the Name tag each link; nothing else does', () => {
    const state = indexStateIds(JSON.stringify({
      version: 4,
      resources: [
        { module: 'module.train', mode: 'managed', type: 'aws_instance', name: 'gpu', instances: [{ index_key: 0, attributes: { id: 'i-abc', arn: arn('1', 'i-abc') } }] },
        { mode: 'data', type: 'aws_ami', name: 'x', instances: [{ attributes: { id: 'ami-1' } }] },
      ],
    }), 'infra/terraform.tfstate');
    assert.equal(state.get('i-abc')?.address, 'module.train.aws_instance.gpu[0]');
    assert.equal(state.has('ami-1'), false, 'data sources are not declarations of running resources');
    assert.equal(linkToIac(aws('i-abc', {}, '1'), declared, state)?.address, 'module.train.aws_instance.gpu');
    assert.match(linkToIac(aws('i-abc', {}, '1'), declared, state)!.how, /Terraform state infra\/terraform\.tfstate/);
    assert.equal(linkToIac(aws('i-cfn', { 'aws:cloudformation:logical-id': 'Trainer', 'aws:cloudformation:stack-name': 'ml' }), declared)?.address, 'Trainer');
    assert.equal(linkToIac(aws('i-n', { Name: 'nb-1' }, '1', { type: 'ec2:instance' }), declared)?.address, 'aws_instance.named');
    assert.equal(linkToIac(aws('i-x', { Name: 'other' }, '1', { type: 'ec2:instance' }), declared), undefined);
    assert.equal(indexStateIds('not json', 'x').size, 0);
  });
});
