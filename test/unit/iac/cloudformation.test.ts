import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, lint, policyFrom, textAt } from './helpers';
import { cloudFormationTaggable, looksLikeCloudFormation } from '../../../src/core/iac/cloudformation/analyze';

const policy = policyFrom('tags:\n  required: [Team, Owner]\n  rules:\n    Team: { allowed: [vision, nlp] }\n');

const yamlTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Owner:
    Type: String
Resources:
  Trainer:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: p3.2xlarge
      Tags:
        - Key: Team
          Value: vision
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.g5.xlarge
      RoleArn: !GetAtt Role.Arn
  Queue:
    Type: AWS::Batch::JobQueue
    Properties:
      Priority: 1
      Tags:
        Team: robotics
        Owner: !Ref Owner
  Dynamic:
    Type: AWS::EC2::Volume
    Properties:
      Size: 100
      Tags: !If [IsProd, [{Key: Team, Value: nlp}], []]
  Fleet:
    Type: AWS::EC2::SpotFleet
    Properties:
      SpotFleetRequestConfigData:
        TagSpecifications:
          - ResourceType: spot-fleet-request
            Tags:
              - Key: Team
                Value: nlp
  Role:
    Type: AWS::IAM::Role
    Properties: {}
`;

test('recognises CloudFormation templates by content', () => {
  assert.ok(looksLikeCloudFormation(yamlTemplate));
  assert.ok(!looksLikeCloudFormation('name: ci\non: push\njobs: {}\n'));
  assert.ok(Object.keys(cloudFormationTaggable).length >= 40);
});

test('YAML templates: Tags lists and maps, intrinsic functions (!Ref, !GetAtt, !If), spot fleet tag specifications', () => {
  const fs = lint({ '/w/stack.yaml': yamlTemplate }, policy);
  assert.deepEqual(fs.map((f) => [f.resource, f.code, f.missing ?? textAt(yamlTemplate, f)]), [
    ['Trainer', 'missing-tag', ['Owner']],
    ['Notebook', 'missing-tag', ['Owner', 'Team']],
    ['Queue', 'invalid-tag-value', 'robotics'],
    ['Fleet', 'missing-tag', ['Owner']],
  ]);
  assert.equal(fs[0]!.message, 'Trainer (AWS::EC2::Instance) is missing required tags: "Owner"');
  assert.equal(textAt(yamlTemplate, fs[1]!), 'Notebook');
  const hints = lint({ '/w/stack.yaml': yamlTemplate }, policy, true).filter((f) => f.code === 'cannot-verify');
  assert.deepEqual(hints.map((f) => f.resource), ['Dynamic']);
});

test('YAML quick fixes add list items, or create Tags under Properties; the result is clean', () => {
  const fs = lint({ '/w/stack.yaml': yamlTemplate }, policy);
  const trainer = applyEdits(yamlTemplate, fs[0]!.fixes![0]!.edits);
  assert.match(trainer, /        - Key: Team\n          Value: vision\n        - Key: Owner\n          Value: TODO\n  Notebook:/);
  const notebook = applyEdits(yamlTemplate, fs[1]!.fixes![0]!.edits);
  assert.match(notebook, /      RoleArn: !GetAtt Role.Arn\n      Tags:\n        - Key: Owner\n          Value: TODO\n        - Key: Team\n          Value: vision\n  Queue:/);
  const both = applyEdits(yamlTemplate, [...fs[0]!.fixes![0]!.edits, ...fs[1]!.fixes![0]!.edits]);
  assert.deepEqual(lint({ '/w/stack.yaml': both }, policy).filter((f) => f.code === 'missing-tag').map((f) => f.resource), ['Fleet']);
});

test('JSON templates are analysed with exact ranges and fixed in place', () => {
  const json = JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'Team', Value: 'nlp' }] } },
      Cluster: { Type: 'AWS::EKS::Cluster', Properties: { Name: 'x' } },
      Nodes: { Type: 'AWS::EKS::Nodegroup', Properties: { Tags: { Team: 'nlp', Owner: 'a' } } },
    },
  }, null, 2);
  const fs = lint({ '/w/stack.json': json }, policy);
  assert.deepEqual(fs.map((f) => [f.resource, f.missing]), [['Bucket', ['Owner']], ['Cluster', ['Owner', 'Team']]]);
  assert.match(textAt(json, fs[0]!), /^\[\n\s+\{\n\s+"Key": "Team"/);
  const fixed = applyEdits(json, fs.flatMap((f) => f.fixes![0]!.edits));
  assert.doesNotThrow(() => JSON.parse(fixed));
  const left = lint({ '/w/stack.json': fixed }, policy);
  assert.deepEqual(left.map((f) => [f.resource, f.code, textAt(fixed, f)]), [
    ['Bucket', 'placeholder-tag-value', '"TODO"'], ['Cluster', 'placeholder-tag-value', '"TODO"'],
  ]);
  assert.equal(left[0]!.message, 'Bucket (AWS::S3::Bucket): tag "Owner" is "TODO", a placeholder; set the real value');
  assert.deepEqual(lint({ '/w/stack.json': fixed.replace(/"TODO"/g, '"ml"') }, policy), []);
});

test('a broken template reports a syntax error; other YAML files are ignored', () => {
  const fs = lint({ '/w/bad.yaml': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  A: [\n', '/w/ci.yml': 'on: push\n' }, policy);
  assert.deepEqual(fs.map((f) => [f.file, f.code]), [['/w/bad.yaml', 'syntax-error']]);
});
