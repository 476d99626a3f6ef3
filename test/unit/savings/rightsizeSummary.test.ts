import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { planSavings } from '../../../src/core/savings/plan';
import { buildReport, lensTitle, reportToMarkdown } from '../../../src/core/savings/report';
import { usd } from '../../../src/core/savings/estimate';
import { hourly } from './fixtures';

const cat = shippedCatalogue();
const prices = cat.prices('p3.8xlarge', 'us-east-1');
// four V100s at 20 %, GPU memory peak 15 %, CPU 5 %, host memory 10 %: one V100 is enough (p3.2xlarge)
const metrics = {
  cpu: hourly(72, () => 5), gpu: hourly(72, () => 20), gpuMemory: hourly(72, () => 15), memory: hourly(72, () => 10),
};
const input = { prices, candidates: cat.pricedIn('aws', 'us-east-1'), hoursPerMonth: 730, metrics, metricsSource: 'CloudWatch', month: { year: 2026, month: 2 } };

test('the summary carries the right-sizing saving, and the lens quotes it to the cent', () => {
  const report = buildReport(planSavings(input));
  const option = report.options.find((o) => o.kind === 'rightsizing');
  assert.equal(option?.status, 'ok');
  assert.equal(report.summary.rightSizing?.recommendedType, 'p3.2xlarge');
  assert.equal(report.summary.rightSizing?.monthlySaving, option?.monthlySaving);
  assert.ok(lensTitle(report.summary).endsWith(` · right-size → p3.2xlarge saves ${usd(option!.monthlySaving)}/mo`), lensTitle(report.summary));
});

test('ignored right-sizing: not estimated, not combined, not in the summary; the report says where it was ignored', () => {
  const report = buildReport(planSavings({ ...input, ignore: ['rightsizing'] }), { ignored: { rightsizing: 'main.tf:7 (# finops:ignore rightsizing)' } });
  assert.equal(report.options.some((o) => o.kind === 'rightsizing'), false);
  assert.equal(report.summary.rightSizing, undefined);
  assert.ok(!report.options.some((o) => o.kind === 'combined' && /Right-size/.test(JSON.stringify(o))));
  assert.deepEqual(report.ignored, ['Right-sizing: ignored for this resource by main.tf:7 (# finops:ignore rightsizing).']);
  assert.ok(!report.missing.some((m) => m.startsWith('Right-sizing')), 'not "not estimated": ignored');
  assert.match(reportToMarkdown(report), /- _Ignored:_ Right-sizing: ignored for this resource by main\.tf:7 \(# finops:ignore rightsizing\)\./);
});
