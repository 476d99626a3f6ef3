import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCancelled } from '../../../src/core/errors';
import * as path from 'node:path';
import { IacResourceSource, iacSourceFactory } from '../../../src/providers/iac/resourceSource';

const fixture = path.resolve(__dirname, '../../fixtures/workspace/tagging');

test('the IaC resource source lists declared resources with merged tags and 1-based declaration ranges', async () => {
  const source = new IacResourceSource(() => [fixture]);
  const resources = await source.listResources();
  const byId = new Map(resources.map((r) => [r.id, r]));
  // generated/main.tf counts; .terraform/ (the provider cache) never does
  assert.deepEqual([...byId.keys()].sort(), ['Trainer', 'aws_instance.generated', 'aws_instance.notebook', 'aws_instance.trainer', 'aws_s3_bucket.data', 'google_storage_bucket.gcs']);
  // resource tags over the provider's default_tags
  assert.deepEqual(byId.get('aws_instance.trainer'), {
    provider: 'AWS', id: 'aws_instance.trainer', type: 'aws_instance', name: 'trainer', size: 'p3.2xlarge',
    tags: { Environment: 'dev', CostCenter: 'ml-research', Team: 'vision', Project: 'detector', Owner: 'ml@example.com' },
    attributes: { source: 'Infrastructure as code', tagsComplete: 'true' },
    declaredIn: { file: path.join(fixture, 'main.tf'), range: { startLine: 10, startColumn: 1, endLine: 10, endColumn: 34 } },
  });
  assert.deepEqual(byId.get('aws_s3_bucket.data')!.tags, { Environment: 'dev', CostCenter: 'ml-research' });
  assert.equal(byId.get('google_storage_bucket.gcs')!.provider, 'Google Cloud');
  assert.equal(byId.get('google_storage_bucket.gcs')!.region, 'US');
  const cfn = byId.get('Trainer')!;
  assert.equal(cfn.type, 'AWS::EC2::Instance');
  assert.deepEqual(cfn.declaredIn, { file: path.join(fixture, 'stack.yaml'), range: { startLine: 4, startColumn: 3, endLine: 4, endColumn: 10 } });
});

test('the registry factory builds one IaC entry whose check counts resources; a missing folder is an error', async () => {
  const [entry] = iacSourceFactory(() => [fixture]).create({} as never, {} as never);
  assert.ok(entry && !('notConfigured' in entry));
  assert.equal(entry.kind, 'iac');
  assert.match(await entry.check!(undefined, undefined), /^6 declared resources found/);
  const broken = new IacResourceSource(() => [path.join(fixture, 'no-such-folder')]);
  await assert.rejects(broken.listResources(), (e: Error & { reason?: string }) => e.reason === 'input' && /No such file or folder/.test(e.message));
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(new IacResourceSource(() => [fixture]).listResources(aborted.signal), (e: unknown) => isCancelled(e));
});
