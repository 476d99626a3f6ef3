import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOfflineEnv, startMoto, type Moto } from '../../support/moto';
import { createStack } from '../../support/rightsizing';
import { instancesByLogicalId } from '../../../src/providers/aws/deployedInstances';
import { isFinOpsError } from '../../../src/core/errors';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let moto: Moto;

before(async () => { moto = await startMoto(); });
after(async () => { await moto?.stop(); });
beforeEach(() => moto.reset());

const template = (type: string) => `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Trainer:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: ${type}
      ImageId: ami-0123456789abcdef0
`;

const options = () => ({ profile: '', region: 'us-east-1', endpoint: moto.endpoint, credentials, retry: { attempts: 1 } });

test('a template\'s logical id finds the instance CloudFormation created (moto tags it as CloudFormation does); two stacks, two instances', async () => {
  assert.equal((await instancesByLogicalId(options(), ['Trainer'])).size, 0);
  await createStack(moto.endpoint, 'vision', template('p3.8xlarge'));
  const one = await instancesByLogicalId(options(), ['Trainer', 'Other']);
  assert.deepEqual([...one.keys()], ['Trainer']);
  assert.equal(one.get('Trainer')?.length, 1);
  assert.match(one.get('Trainer')![0]!.instanceId, /^i-[0-9a-f]+$/);
  assert.equal(one.get('Trainer')![0]!.instanceType, 'p3.8xlarge');
  assert.equal(one.get('Trainer')![0]!.stackName, 'vision');
  await createStack(moto.endpoint, 'nlp', template('g5.xlarge'));
  const two = await instancesByLogicalId(options(), ['Trainer']);
  assert.deepEqual(two.get('Trainer')!.map((i) => i.stackName).sort(), ['nlp', 'vision']);
});

test('an unreachable endpoint is a FinOpsError naming the endpoint', async () => {
  await assert.rejects(instancesByLogicalId({ ...options(), endpoint: 'http://127.0.0.1:9' }, ['Trainer']), (e) => isFinOpsError(e, 'unavailable') && /127\.0\.0\.1:9/.test(e.message));
});
