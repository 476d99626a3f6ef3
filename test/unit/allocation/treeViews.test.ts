import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { foldSmall, roundUpFigure } from '../../../src/core/allocation/fold';
import { resourceKind } from '../../../src/core/allocation/resourceKind';
import { AllocationStore, type TreeSource } from '../../../src/core/allocation/store';
import { silentLogger } from '../../../src/core/ports';
import { createDemoSource } from '../../../src/providers/demo/demoSource';
import { TreePresentation, type TreeNode } from '../../../src/features/resourcesTree/presentation';
import { formatMoney } from '../../../src/shared/format';
import { ExitCode } from '../../../src/cli/io';
import { runCli } from '../../support/cli';
import { IacResourceSource } from '../../../src/providers/iac/resourceSource';
import { findComputeResources } from '../../../src/features/savings/computeResources';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { forInstances, monthlyOnDemand, pricingRegion } from '../../../src/core/savings/declared';

const root = path.resolve(__dirname, '../../..');

test('round figures for the fold threshold', () => {
  assert.equal(roundUpFigure(5123.45), 5200);
  assert.equal(roundUpFigure(5200), 5200);
  assert.equal(roundUpFigure(10), 10);
  assert.equal(roundUpFigure(1014.75), 1100);
  assert.ok(Math.abs(roundUpFigure(0.734) - 0.74) < 1e-12);
  assert.equal(roundUpFigure(0), 0);
  assert.equal(roundUpFigure(-3), 0);
});

test('folding: under 1 % of the parent, two or more, never the kept ones, never unknown costs', () => {
  const items = [{ v: 'a', c: 900 }, { v: 'b', c: 80 }, { v: null, c: 5 }, { v: 'c', c: 9 }, { v: 'd', c: -3 }, { v: 'e', c: undefined }];
  const f = foldSmall(items, { parentCost: 1000, cost: (i) => i.c, keep: (i) => i.v === null });
  assert.deepEqual(f.shown.map((i) => i.v), ['a', 'b', null, 'e']);
  assert.deepEqual(f.folded.map((i) => i.v), ['c', 'd']);
  assert.equal(f.under, 10);
  assert.equal(f.foldedCost, 6);
  // one small child alone is shown as it is
  assert.equal(foldSmall([{ c: 990 }, { c: 1 }], { parentCost: 991, cost: (i) => i.c }).folded.length, 0);
  // no parent cost (an inventory without prices): nothing folds
  assert.equal(foldSmall([{ c: 0 }, { c: 0 }, { c: 0 }], { parentCost: undefined, cost: (i) => i.c }).folded.length, 0);
});

test('one vocabulary for resource kinds across bills, inventories and IaC', () => {
  const vm = ['Instance', 'VM Instance', 'Virtual machine', 'ec2:instance', 'microsoft.compute/virtualmachines', 'compute.googleapis.com/Instance',
    'aws_instance', 'google_compute_instance', 'azurerm_linux_virtual_machine', 'AWS::EC2::Instance'];
  for (const t of vm) assert.equal(resourceKind(t), 'Virtual machine', t);
  for (const t of ['Bucket', 'Storage account', 'aws_s3_bucket', 'google_storage_bucket', 'AWS::S3::Bucket', 's3']) assert.equal(resourceKind(t), 'Object storage', t);
  for (const t of ['Savings Plan', 'Commitment', 'Reserved Instance']) assert.equal(resourceKind(t), 'Commitment', t);
  for (const t of ['Load Balancer', 'Forwarding Rule', 'aws_lb', 'Load balancer']) assert.equal(resourceKind(t), 'Load balancer', t);
  assert.equal(resourceKind('NAT Gateway'), 'NAT gateway');
  assert.equal(resourceKind('aws_sagemaker_notebook_instance'), 'Notebook');
  assert.equal(resourceKind('aws_db_instance'), 'Database');
  assert.equal(resourceKind('Virtual machine scale set'), 'VM group');
  assert.equal(resourceKind('aws_ebs_volume'), 'Disk');
  // a bill without ResourceType: the id says what it is, never the service name
  assert.equal(resourceKind('Unknown', 'i-0123456789abcdef0'), 'Virtual machine');
  assert.equal(resourceKind(undefined, 'arn:aws:s3:::my-bucket'), 'Object storage');
  assert.equal(resourceKind(undefined, 'x'), undefined);
  assert.equal(resourceKind('AWS::Glue::Crawler'), 'Crawler');
});

test('GPU resources in the tree: model × count and cost per GPU-hour, the figures of `mlfinops costs --group-by ResourceId,gpu`', async () => {
  const demo = createDemoSource({ extensionRoot: root });
  const src: TreeSource = { id: 'demo', label: 'Demo', kind: 'demo', state: { kind: 'ok' }, cost: demo, resources: demo };
  const store = new AllocationStore(silentLogger);
  const period = { start: '2026-10-01', end: '2026-11-01' };
  await store.load([src], { period, metric: 'EffectiveCost', hierarchy: ['Team', 'Project'] });
  const snap = store.snapshot('demo');
  assert.ok(snap?.kind === 'ready');
  const { code, out } = await runCli(['costs', '--focus', 'demo/billing/demo-org.focus-1.2.csv.gz', '--group-by', 'ResourceId,gpu', '--from', period.start, '--to', period.end,
    '--granularity', 'total', '--format', 'json'], { cwd: root });
  assert.equal(code, ExitCode.ok);
  const cli = (JSON.parse(out) as { ResourceId: string | null; gpu: string | null; cost: number; gpuHours: number | null; costPerGpuHour: number | null }[]).filter((r) => r.gpu !== null && r.ResourceId);
  assert.ok(cli.length > 20, 'the demo runs GPUs');
  for (const r of cli) {
    const mine = snap.gpus.get(r.ResourceId!);
    assert.ok(mine, r.ResourceId!);
    assert.equal(mine.label, r.gpu);
    assert.equal(mine.costPerGpuHour, r.costPerGpuHour ?? undefined);
  }
  // the tree item shows them: find llm-pretrain-0 (8 × H100)
  const view = new TreePresentation({ sources: [src], store, periodLabel: 'October', commands: { loadMore: 'l', fix: 'f', revealDeclaration: 'r' }, locale: 'en-US' });
  const stack: TreeNode[] = view.children(view.children()[0]);
  let found: TreeNode | undefined;
  while (stack.length && !found) {
    const n = stack.shift()!;
    if (n.kind === 'resource' && n.resourceId?.endsWith('/instances/llm-pretrain-0')) found = n;
    else stack.push(...view.children(n));
  }
  assert.ok(found?.kind === 'resource');
  const want = cli.find((r) => r.ResourceId === found.resourceId)!;
  const item = view.item(found);
  assert.match(item.description!, /· Virtual machine · NVIDIA H100 80 GB × 8 · /);
  assert.ok(item.description!.includes(`${formatMoney(want.costPerGpuHour!, 'USD', 'en-US')}/GPU-h`), item.description);
  assert.ok(item.tooltip!.includes(`| GPU-hours | ${Math.round(want.gpuHours!).toLocaleString('en-US')} |`), item.tooltip);
  demo.dispose();
});

test('resources found only in IaC carry the monthly estimate their code lens shows, marked estimated', async () => {
  const files = ['main.tf', 'gcp.tf', 'azure.tf'].map((f) => path.join(root, 'demo/infra', f));
  const texts = files.map((f) => ({ path: f, text: fs.readFileSync(f, 'utf8') }));
  const source = new IacResourceSource(() => [path.join(root, 'demo')], () => ({ hoursPerMonth: 730, awsRegion: 'us-east-1' }));
  const resources = await source.listResources();
  const catalogue = shippedCatalogue();
  let compared = 0;
  let counted = 0;
  for (const t of texts) {
    for (const r of findComputeResources(t.path, t.text, texts)) {
      let prices;
      try { prices = catalogue.prices(r.priceAs, pricingRegion(r.provider, r.region, 'us-east-1')); } catch { continue; }
      const mine = resources.find((x) => x.declaredIn?.file === t.path && x.declaredIn.range.startLine === r.range.start.line + 1);
      assert.ok(mine?.cost?.estimate, r.address);
      // the lens's first figure, from the same functions: a machine's month, × the machines the block declares
      assert.equal(mine.cost.amount, forInstances(monthlyOnDemand(prices, 730), r.instances).amount);
      assert.equal(mine.cost.estimate.instances, r.instances);
      if (typeof r.instances === 'number' && r.instances > 1) counted += 1;
      compared += 1;
    }
  }
  assert.ok(compared >= 8, `${compared} declared machines compared`);
  assert.ok(counted >= 2, 'the demo declares machines with count');
  // the tree says they are estimates
  const src: TreeSource = { id: 'iac', label: 'Infrastructure as code', kind: 'iac', state: { kind: 'ok' }, resources: source };
  const store = new AllocationStore(silentLogger);
  await store.load([src], { period: { start: '2026-10-01', end: '2026-11-01' }, metric: 'EffectiveCost', hierarchy: ['Team', 'Project'] });
  const view = new TreePresentation({ sources: [src], store, periodLabel: 'October', commands: { loadMore: 'l', fix: 'f', revealDeclaration: 'r' }, locale: 'en-US' });
  const [root0] = view.children();
  assert.match(view.item(root0!).description!, /^≈ \$[\d,]+\.\d\d\/mo estimated · /);
  const stack: TreeNode[] = view.children(root0);
  let pretrain: TreeNode | undefined;
  while (stack.length && !pretrain) {
    const n = stack.shift()!;
    if (n.kind === 'resource' && n.resourceId === 'google_compute_instance.llm_pretrain') pretrain = n;
    else stack.push(...view.children(n));
  }
  assert.ok(pretrain);
  const cost = view.resolve(pretrain).leaf!.cost!;
  const item = view.item(pretrain);
  assert.ok(item.description!.startsWith(`≈ ${formatMoney(cost, 'USD', 'en-US')}/mo estimated · `), item.description);
  // 8 × H100: the catalogue's hourly price over eight GPUs
  const p = catalogue.prices('a3-highgpu-8g', 'us-central1');
  assert.ok(item.description!.includes(`NVIDIA H100 80 GB × 8 · ${formatMoney(p.onDemand.hourly / 8, 'USD', 'en-US')}/GPU-h`), item.description);
  // a block with count = N is N machines, and says so
  const all: TreeNode[] = view.children(root0);
  let fleet: { node: TreeNode; n: number } | undefined;
  while (all.length && !fleet) {
    const n = all.shift()!;
    const instances = n.kind === 'resource' ? view.resolve(n).leaf?.resource?.cost?.estimate?.instances : undefined;
    if (typeof instances === 'number' && instances > 1) fleet = { node: n, n: instances };
    else all.push(...view.children(n));
  }
  assert.ok(fleet, 'a counted machine in the tree');
  const fleetItem = view.item(fleet.node);
  assert.ok(fleetItem.description!.startsWith(`≈ ${formatMoney(view.resolve(fleet.node).leaf!.cost!, 'USD', 'en-US')}/mo estimated for ${fleet.n} machines · `), fleetItem.description);
  assert.ok(fleetItem.tooltip!.includes(`${fleet.n} × `), fleetItem.tooltip);
});

test('one address declared in two Terraform roots is two resources, each with its own id and estimate', async () => {
  const dir = path.join(root, 'test/fixtures/workspace');
  const resources = await new IacResourceSource(() => [dir], () => ({ hoursPerMonth: 730, awsRegion: 'us-east-1' })).listResources();
  const ids = resources.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  const trainers = resources.filter((r) => r.id.startsWith('aws_instance.trainer'));
  assert.deepEqual(trainers.map((r) => r.id).sort(), ['aws_instance.trainer (rightsize/main.tf)', 'aws_instance.trainer (savings/main.tf)', 'aws_instance.trainer (tagging/main.tf)']);
  const savings = trainers.find((r) => r.id.includes('savings/'))!;
  // p3.2xlarge in us-west-2 (the provider block of savings/main.tf), as its code lens says: $3.06 × 730 h
  assert.equal(savings.cost?.amount, monthlyOnDemand(shippedCatalogue().prices('p3.2xlarge', 'us-west-2'), 730));
});

test('a load cancelled before it starts keeps the answers it would have replaced, even on refresh', async () => {
  const src = createDemoSource({ extensionRoot: root });
  const source: TreeSource = { id: 'demo', label: 'Demo', kind: 'demo', state: { kind: 'ok' }, cost: src, resources: src };
  const store = new AllocationStore(silentLogger);
  const params = { period: { start: '2026-10-01', end: '2026-11-01' }, metric: 'EffectiveCost' as const, hierarchy: ['Team'] };
  await store.load([source], params);
  const before = store.snapshot('demo');
  assert.equal(before?.kind, 'ready');
  const cancelled = new AbortController();
  cancelled.abort();
  let fired = 0;
  store.onDidChange(() => { fired += 1; });
  await store.load([source], { ...params, hierarchy: ['Project'] }, { refresh: true, signal: cancelled.signal });
  assert.equal(store.snapshot('demo'), before);
  assert.equal(fired, 0, 'a cancelled load redrew the view');
  // a load cancelled while it runs leaves nothing half-done and does not hide a newer answer
  const running = new AbortController();
  const first = store.load([source], { ...params, hierarchy: ['Project'] }, { refresh: true, signal: running.signal });
  const second = store.load([source], params, { refresh: true });
  running.abort();
  await Promise.all([first, second]);
  const after = store.snapshot('demo');
  assert.equal(after?.kind, 'ready');
  assert.deepEqual(after.kind === 'ready' && after.params.hierarchy, ['Team']);
});
