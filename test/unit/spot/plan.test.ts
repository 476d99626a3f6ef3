import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFinOpsError } from '../../../src/core/errors';
import { loadDefaultPolicy, loadPolicy } from '../../../src/core/policy/load';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { spotDefaults } from '../../../src/core/savings/plan';
import { estimateSpot } from '../../../src/core/savings/spot';
import { requireJob } from '../../../src/core/spot/job';
import { checkJobTags, planJob, renderPlan } from '../../../src/core/spot/plan';
import { runCli } from '../../support/cli';
import { minimalJob } from './fixtures';

const catalogue = shippedCatalogue();
const job = (extra = '', base = minimalJob) => requireJob(`${base}${extra}`, 'jobs/train-a.yaml');

test('the estimate is the savings model\'s spot estimate on the dearest eligible type, over maxRuntimeHours', () => {
  const plan = planJob(job(), { catalogue });
  const g5 = catalogue.prices('g5.2xlarge', 'us-east-1');
  const g6 = catalogue.prices('g6.2xlarge', 'us-east-1');
  const basis = g5.spot!.hourly >= g6.spot!.hourly ? g5 : g6;
  assert.equal(plan.estimateType, basis.instanceType);
  const expected = estimateSpot({
    instanceType: basis.instanceType, onDemandHourly: basis.onDemand.hourly, onDemandSource: basis.onDemand.source, spot: basis.spot!,
    usefulHoursPerMonth: 10, ...spotDefaults, checkpointIntervalHours: 0.5, provider: 'aws',
  });
  assert.equal(plan.total.spot, expected.monthlyCost);
  assert.equal(plan.total.onDemand, Math.round(basis.onDemand.hourly * 10 * 100) / 100);
  assert.equal(plan.overheadFraction, expected.overheadFraction);
  assert.ok(plan.overheadFraction > 0 && plan.overheadFraction < 0.05);
  assert.ok(plan.total.saving > 0 && plan.total.saving === Math.round((plan.total.onDemand - plan.total.spot) * 100) / 100);
  assert.equal(plan.hourly.spot, Math.round(basis.spot!.hourly * 10_000) / 10_000);
  assert.ok(plan.runningHours > 10);
  assert.match(plan.creates[0]!, /launch template mlfinops-train-a .*IMDSv2 required/);
  assert.match(plan.creates[1]!, /EC2 Fleet \(type maintain\) .*price-capacity-optimized/);
  assert.ok(plan.sources.every((s) => /\d{4}-\d{2}-\d{2}|unknown/.test(s.capturedAt)));
  const text = renderPlan(plan);
  assert.match(text, /Will create:/);
  assert.match(text, /Prices: .*snapshot, 20\d\d-/);
});

test('an on-demand base is priced on-demand; the rest on spot', () => {
  const plan = planJob(job('count: 3\nonDemand: { base: 1 }\n'), { catalogue });
  const basis = catalogue.prices(plan.estimateType, 'us-east-1');
  assert.equal(plan.hourly.onDemand, Math.round(3 * basis.onDemand.hourly * 10_000) / 10_000);
  assert.equal(plan.hourly.spot, Math.round((basis.onDemand.hourly + 2 * basis.spot!.hourly) * 10_000) / 10_000);
  assert.match(plan.creates[1]!, /2 spot .* \+ 1 on-demand base/);
});

test('a max price below every listed type\'s spot price is refused before anything is created', () => {
  assert.throws(() => planJob(job('maxPricePerHour: 0.05\n'), { catalogue }), (e: unknown) => isFinOpsError(e, 'input') && /max price \$0.0500\/h is below the spot price of every listed type/.test(e.message) && /Raise maxPricePerHour/.test(e.fix));
  // one type above the max price: warned, and the estimate uses the others
  const g5 = catalogue.prices('g5.2xlarge', 'us-east-1').spot!.hourly;
  const g6 = catalogue.prices('g6.2xlarge', 'us-east-1').spot!.hourly;
  const max = (Math.min(g5, g6) + Math.max(g5, g6)) / 2;
  const plan = planJob(job(`maxPricePerHour: ${max}\n`), { catalogue });
  assert.equal(plan.estimateType, g5 < g6 ? 'g5.2xlarge' : 'g6.2xlarge');
  assert.match(plan.warnings.join(), /above the max price/);
});

test('types the catalogue lacks are left out with a warning; a type of another cloud is refused', () => {
  const plan = planJob(job('', minimalJob.replace('[g5.2xlarge, g6.2xlarge]', '[g5.2xlarge, g5.2xlarg]')), { catalogue });
  assert.match(plan.warnings.join(), /g5.2xlarg is not in the price catalogue \(did you mean/);
  assert.throws(() => planJob(job('', minimalJob.replace('[g5.2xlarge, g6.2xlarge]', '[a2-highgpu-1g]')), { catalogue }), (e: unknown) => isFinOpsError(e, 'input') && /sold by Google Cloud/.test(e.message));
});

test('missing required tags are refused with the policy\'s message; a complete set passes', () => {
  const text = `tags:\n  required: [Team, CostCenter]\n  rules:\n    Team: { allowed: [nlp, vision], description: Teams from the HR directory }\n`;
  const { policy } = loadPolicy(text, '.finops.yaml');
  const noTags = job('', minimalJob.replace(/^tags:.*$/m, 'tags: { Team: search }'));
  assert.throws(() => checkJobTags(noTags, policy, 'jobs/train-a.yaml'), (e: unknown) => isFinOpsError(e, 'input')
    && e.message === 'The job "train-a" breaks the tag policy (.finops.yaml): missing required tag "CostCenter"; tag "Team" is "search"; expected one of "nlp", "vision" (Teams from the HR directory).'
    && /jobs\/train-a.yaml/.test(e.fix));
  checkJobTags(job(), loadDefaultPolicy().policy, 'jobs/train-a.yaml');
});

test('mlfinops spot plan: the table, JSON, a refused tag set (exit 2) and a missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlfinops-spot-'));
  mkdirSync(join(dir, '.finops/jobs'), { recursive: true });
  writeFileSync(join(dir, '.finops/jobs/train-a.yaml'), minimalJob);
  const table = await runCli(['spot', 'plan', 'train-a'], { cwd: dir });
  assert.equal(table.code, 0, table.err);
  const plan = planJob(job(), { catalogue });
  assert.ok(table.out.includes(`Spot ≈ $${plan.total.spot.toFixed(2)}`), table.out);
  const json = await runCli(['spot', 'plan', '.finops/jobs/train-a.yaml', '--format', 'json'], { cwd: dir });
  assert.equal(json.code, 0, json.err);
  const parsed = JSON.parse(json.out);
  assert.equal(parsed.job, 'train-a');
  assert.deepEqual(parsed.total, plan.total);
  writeFileSync(join(dir, '.finops.yaml'), 'tags:\n  required: [Budget]\n');
  const refused = await runCli(['spot', 'plan', 'train-a'], { cwd: dir });
  assert.equal(refused.code, 2);
  assert.match(refused.err, /missing required tag "Budget"/);
  const missing = await runCli(['spot', 'plan', 'nope'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope.yaml: it does not exist/);
  const noSub = await runCli(['spot'], { cwd: dir });
  assert.equal(noSub.code, 2);
  assert.ok(readFileSync(join(dir, '.finops/jobs/train-a.yaml'), 'utf8') === minimalJob);
});
