import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { planSavings } from '../../../src/core/savings/plan';
import { buildReport, estimateToJson, lensTitle, notEstimated, reportToMarkdown, summarize } from '../../../src/core/savings/report';
import { usd } from '../../../src/core/savings/estimate';
import { parseSchedule } from '../../../src/core/savings/schedule';
import { findComputeResources, isComputeType } from '../../../src/features/savings/computeResources';
import { reportHtml } from '../../../src/features/savings/reportHtml';
import { escapeHtml } from '../../../src/platform/webviewHtml';
import { lessonP3 } from './fixtures';

const root = join(__dirname, '../../..');

test('the lens line: on-demand, spot and 1-yr per month and the best option, whole dollars, all from the report\'s options', () => {
  const lesson = { ...lessonP3(), spot: { hourly: 0.918, source: lessonP3().onDemand.source } };
  const month = { year: 2026, month: 4 };
  // $3.06 × 730 = $2,233.80; 1-yr $2.08 × 730 = $1,518.40; spot with no interruptions and free checkpoints $0.918 × 730 = $670.14
  const calm = planSavings({ prices: lesson, hoursPerMonth: 730, month, spot: { interruptionsPerHour: 0, checkpointWriteHours: 0 } });
  assert.equal(lensTitle(summarize(calm)), '≈ $2,234/mo on-demand · spot ≈ $670 · 1-yr ≈ $1,518 · best saves $1,564/mo');
  const bare = planSavings({ prices: { ...lesson, spot: undefined, commitments: [] }, hoursPerMonth: 730, month });
  assert.equal(lensTitle(summarize(bare)), '≈ $2,234/mo on-demand');
  // the default assumptions: the spot figure carries the checkpoint and interruption overhead, exactly the report's spot option
  const plan = planSavings({ prices: lesson, hoursPerMonth: 365, month });
  const report = buildReport(plan);
  const spot = report.options.find((o) => o.kind === 'spot');
  const oneYear = report.options.find((o) => o.option === '1-yr standard reserved instance, no upfront');
  assert.ok(spot && oneYear);
  assert.deepEqual(report.summary, summarize(plan));
  assert.equal(report.summary.spotMonthly, spot.monthlyCost);
  assert.equal(report.summary.oneYear?.monthlyCost, oneYear.monthlyCost);
  assert.ok(spot.monthlyCost > 0.918 * 365, 'overhead included');
  assert.equal(lensTitle(report.summary), `≈ $1,117/mo on-demand · spot ≈ ${usd(spot.monthlyCost, true)} · 1-yr ≈ ${usd(oneYear.monthlyCost, true)} · best saves ${usd(report.summary.best?.monthlySaving ?? 0, true)}/mo`);
  assert.equal(report.summary.best?.monthlySaving, Math.max(...report.options.filter((o) => o.kind !== 'combined').map((o) => o.monthlySaving)));
});

test('compute resources of a Terraform file: type, size and region resolved through variables and providers', () => {
  const found = (name: string) => {
    const file = join(root, 'demo/infra', name);
    return findComputeResources(file, readFileSync(file, 'utf8')).map((r) => [r.address, r.priceAs, r.region, r.sagemaker]);
  };
  // the demo organisation's Terraform: the aws provider's region, the west alias, a GCP zone, an Azure location
  assert.deepEqual(found('main.tf'), [
    ['aws_instance.notebook', 'g5.xlarge', 'us-east-1', false],
    ['aws_instance.detector_serving', 'g5.2xlarge', 'us-east-1', false],
    ['aws_instance.detector_serving_staging', 'g5.xlarge', 'us-east-1', false],
    ['aws_instance.asr_serving', 'g6.xlarge', 'us-east-1', false],
    ['aws_launch_template.detector_trainer', 'p4d.24xlarge', 'us-east-1', false],
    ['aws_instance.ci_gpu_runner', 'g4dn.2xlarge', 'us-east-1', false],
    ['aws_launch_template.llm_finetune', 'p5.48xlarge', 'us-west-2', false],
  ]);
  assert.deepEqual(found('gcp.tf'), [
    ['google_compute_instance.llm_pretrain', 'a3-highgpu-8g', 'us-central1', false],
    ['google_compute_instance.llm_finetune', 'a2-highgpu-1g', 'us-central1', false],
    ['google_compute_instance.chat_serving', 'g2-standard-24', 'us-central1', false],
  ]);
  assert.deepEqual(found('azure.tf'), [
    ['azurerm_linux_virtual_machine.ranker_serving', 'Standard_NC8as_T4_v3', 'eastus', false],
    ['azurerm_linux_virtual_machine.asr_train', 'Standard_NC24ads_A100_v4', 'eastus', false],
  ]);
  const text = 'variable "t" {\n  default = "g6.xlarge"\n}\nresource "aws_launch_template" "lt" {\n  instance_type = var.t\n}\nresource "aws_db_instance" "db" {\n  instance_class = "db.r5.large"\n}\n';
  const lt = findComputeResources('/w/x.tf', text);
  assert.deepEqual(lt.map((r) => [r.address, r.size, r.region, r.range.start.line]), [['aws_launch_template.lt', 'g6.xlarge', undefined, 3]]);
  const sm = findComputeResources('/w/sm.tf', 'resource "aws_sagemaker_notebook_instance" "explore" {\n  instance_type = "ml.g5.xlarge"\n}\n');
  assert.deepEqual(sm.map((r) => [r.address, r.size, r.priceAs, r.sagemaker]), [['aws_sagemaker_notebook_instance.explore', 'ml.g5.xlarge', 'g5.xlarge', true]]);
  assert.equal(isComputeType('aws_db_instance'), false);
  assert.deepEqual(findComputeResources('/w/bad.tf', 'resource "aws_instance" "x" {\n  instance_type = \n'), []);
  assert.deepEqual(findComputeResources('/w/notes.txt', 'resource "aws_instance" "x" { instance_type = "p3.2xlarge" }'), []);
});

test('the report page escapes every value, runs no script and allows only its nonce style', () => {
  const cat = shippedCatalogue();
  const plan = planSavings({ prices: cat.prices('g5.xlarge'), hoursPerMonth: 730, schedule: parseSchedule('Mon-Fri 08:00-19:00 UTC'), month: { year: 2026, month: 4 } });
  const report = buildReport(plan, { subject: 'main.tf: aws_instance.<img src=x onerror=alert(1)>', warnings: ['"quoted" & <b>bold</b>'] });
  const html = reportHtml(report, { nonce: 'abc123', cspSource: 'vscode-resource:', copyCommand: 'command:mlFinops.copySavingsReport', markdownCommand: 'command:mlFinops.openSavingsReportMarkdown' });
  assert.ok(!/<script/i.test(html));
  assert.ok(!html.includes('<img src=x'));
  assert.ok(html.includes('aws_instance.&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(html.includes('&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;'));
  assert.match(html, /content="default-src &#39;none&#39;; style-src &#39;nonce-abc123&#39;; img-src vscode-resource:"/);
  assert.match(html, /<style nonce="abc123">/);
  assert.equal((html.match(/<tr class/g) ?? []).length, report.options.length + report.missing.length);
  assert.ok(report.missing.some((m) => /Right-sizing: needs hourly utilisation/.test(m)));
  assert.equal(escapeHtml(`<a href='x'>&</a>`), '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
});

test('Markdown and JSON renderings carry each option, its assumptions and dated sources', () => {
  const cat = shippedCatalogue();
  const plan = planSavings({ prices: cat.prices('g5.xlarge'), hoursPerMonth: 730, month: { year: 2026, month: 4 } });
  const report = buildReport(plan, { warnings: ['Live prices unavailable'], now: new Date('2026-11-28T10:00:00Z') });
  const md = reportToMarkdown(report);
  assert.match(md, /^# Savings for g5\.xlarge in us-east-1 \(AWS\)$/m);
  assert.match(md, /^> \*\*Note:\*\* Live prices unavailable$/m);
  for (const o of plan.options) assert.ok(md.includes(`### `) && md.includes(o.assumptions[0]!.replace(/([|\\`*_[\]<>])/g, '\\$1')), o.option);
  assert.match(md, /_Generated 2026-11-28 10:00 UTC/);
  const p3 = buildReport(planSavings({ prices: cat.prices('p3.2xlarge'), hoursPerMonth: 730, month: { year: 2026, month: 4 } }));
  assert.match(reportToMarkdown(p3), /_Not estimated:_ Reserved instances: the price snapshot lists no reserved-instance offer for p3\.2xlarge in us-east-1/);
  assert.match(reportToMarkdown(p3), /_Not estimated:_ Savings Plans \(EC2 Instance and Compute\): no public, dated and licensed copy/);
  const json = estimateToJson(plan.options[0]!);
  assert.deepEqual(Object.keys(json), ['kind', 'option', 'monthlyCost', 'monthlySaving', 'savingFraction', 'assumptions', 'sources']);
  assert.deepEqual(Object.keys(json.sources[0]!), ['name', 'capturedAt']);
});

test('types outside the GPU / ML catalogue: a plain message, and no lens without live prices', () => {
  const cat = shippedCatalogue();
  assert.throws(() => cat.prices('t3.micro'), (e: unknown) => e instanceof Error && /Unknown instance type "t3\.micro": it is not in the GPU \/ ML price catalogue\. The catalogue covers AWS GPU and ML families \(g4dn, g5, g6, g6e, inf2, p3, p3dn, p4d, p4de, p5, p5en, p6-b200, trn1, trn1n\)/.test(e.message));
  assert.deepEqual(cat.closeMatches('t3.micro'), []);
  const found = findComputeResources('/w/web.tf', 'resource "aws_instance" "web" {\n  instance_type = "t3.micro"\n}\n');
  assert.equal(found.length, 1, 'found, but the lens provider shows it only with live prices');
});

test('what cannot be estimated is named with its reason, per kind: RIs, savings plans, CUDs, Azure reservations, spot', () => {
  const cat = shippedCatalogue();
  // p3: no RIs in the source; AWS savings plans never priced as RIs
  const p3 = notEstimated(cat.prices('p3.2xlarge', 'us-east-1'));
  assert.ok(p3.some((m) => /^Reserved instances: .*p3\.2xlarge in us-east-1/.test(m)));
  assert.ok(p3.some((m) => /^Savings Plans .*not priced as reserved instances/.test(m)));
  // p5.48xlarge has RIs but no savings plans: the savings plan is still "not estimated", never a convertible RI's rate
  const p5 = cat.prices('p5.48xlarge', 'us-east-1');
  assert.equal(p5.commitments.some((c) => c.kind === 'savingsPlan'), false);
  assert.deepEqual(notEstimated(p5).map((m) => m.split(':')[0]), ['Savings Plans (EC2 Instance and Compute)']);
  const plan = planSavings({ prices: p5, month: { year: 2026, month: 4 } });
  assert.equal(plan.options.some((o) => o.kind === 'savingsPlan'), false);
  assert.ok(plan.options.some((o) => o.option === '1-yr convertible reserved instance, no upfront' && o.kind === 'reservation'));
  // GCP: a2-ultragpu has no CUD in the source
  assert.ok(notEstimated(cat.prices('a2-ultragpu-1g', 'us-central1')).some((m) => /^Committed-use discounts: .*a2-ultragpu-1g/.test(m)));
  assert.deepEqual(notEstimated(cat.prices('a2-highgpu-1g', 'us-central1')), []);
  // Azure: no reservations shipped
  assert.ok(notEstimated(cat.prices('Standard_NC24ads_A100_v4', 'eastus')).some((m) => /^Reservations: no public, dated and licensed copy of Azure reservation prices/.test(m)));
  // a savings-plan rate, when a source has one, is estimated as its own kind and labelled by plan
  const withPlan = { ...lessonP3(), commitments: [{ ...lessonP3().commitments[0]!, kind: 'savingsPlan' as const, plan: 'ec2Instance' as const, offering: undefined }] };
  const sp = planSavings({ prices: withPlan, month: { year: 2026, month: 4 } }).options.find((o) => o.kind === 'savingsPlan');
  assert.equal(sp?.option, '1-yr EC2 Instance Savings Plan, no upfront');
  assert.ok(!notEstimated(withPlan).some((m) => /^Savings Plans/.test(m)));
});
