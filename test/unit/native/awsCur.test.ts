import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { curNames } from '../../../src/core/native/awsCur';
import { AWS_SERVICE_CATEGORIES } from '../../../src/core/native/serviceCategories';
import { billScratch } from '../../support/scratch';
import { FocusFileSource } from '../../../src/providers/focus/focusFileSource';
import { near, readCsv } from '../cost/tinyCsv';
import { convertFile, haveSamples, iso, nativeDir, num } from './convert';

const scratchFiles = billScratch('cur');

describe('AWS CUR → FOCUS', () => {
  it('derives CUR 2.0 / Athena names from legacy names', () => {
    assert.deepEqual(curNames('lineItem/UnblendedCost'), ['lineItem/UnblendedCost', 'line_item_unblended_cost']);
    assert.deepEqual(curNames('savingsPlan/SavingsPlanARN'), ['savingsPlan/SavingsPlanARN', 'savings_plan_savings_plan_a_r_n']);
    assert.deepEqual(curNames('product/regionCode'), ['product/regionCode', 'product_region_code']);
  });

  it('converts the legacy CUR sample row by row', { skip: !haveSamples }, async () => {
    const file = path.join(nativeDir, 'aws_cur_legacy_anonymized_1281rows.csv');
    const raw = readCsv(file);
    const { inspected, rows } = await convertFile(scratchFiles.engine, file);
    assert.equal(inspected.bill.kind, 'native');
    assert.equal(rows.length, raw.length);
    raw.forEach((r, i) => {
      const f = rows[i]!;
      const where = `row ${i + 2}`;
      const unblended = num(r['lineItem/UnblendedCost']);
      assert.ok(near(f.BilledCost as number, unblended), where);
      assert.ok(near(f.EffectiveCost as number, unblended), where); // Usage and Tax rows only: no amortization
      assert.ok(near(f.ListCost as number, r['pricing/publicOnDemandCost'] === null ? unblended : num(r['pricing/publicOnDemandCost'])), where);
      assert.equal(f.ChargePeriodStart, iso(r['lineItem/UsageStartDate']!), where);
      assert.equal(f.ChargePeriodEnd, iso(r['lineItem/UsageEndDate']!), where);
      assert.equal(f.BillingPeriodStart, iso(r['bill/BillingPeriodStartDate']!), where);
      assert.equal(f.ChargeCategory, r['lineItem/LineItemType'] === 'Tax' ? 'Tax' : 'Usage', where);
      assert.equal(f.BillingCurrency, r['lineItem/CurrencyCode'], where);
      assert.equal(f.ProviderName, 'AWS');
      assert.equal(f.PublisherName, r['lineItem/LegalEntity'], where);
      assert.equal(f.InvoiceIssuerName, r['bill/InvoicingEntity'], where);
      assert.equal(f.BillingAccountId, r['bill/PayerAccountId'], where);
      assert.equal(f.SubAccountId, r['lineItem/UsageAccountId'], where);
      assert.equal(f.ServiceName, r['product/ProductName'] ?? r['lineItem/ProductCode'], where);
      assert.equal(f.ServiceCategory, AWS_SERVICE_CATEGORIES[r['lineItem/ProductCode']!] ?? 'Other', where);
      assert.equal(f.RegionId, r['product/regionCode'] ?? r['product/region'], where);
      assert.equal(f.RegionName, r['product/location'], where);
      assert.equal(f.SkuId, r['product/sku'], where);
      assert.equal(f.SkuPriceId, r['pricing/RateCode'], where);
      assert.equal(f.ChargeDescription, r['lineItem/LineItemDescription'], where);
      assert.equal(f.ConsumedQuantity, r['lineItem/LineItemType'] === 'Usage' ? num(r['lineItem/UsageAmount']) : null, where);
      assert.equal(f.PricingUnit, r['pricing/unit'], where);
      assert.equal(f.Tags, null, where); // this export has no resourceTags columns
    });
    const total = raw.reduce((s, r) => s + num(r['lineItem/UnblendedCost']), 0);
    const src = new FocusFileSource({ paths: [file], baseDir: '/', engine: scratchFiles.engine });
    const byDay = await src.query({ period: { start: '2023-11-01', end: '2023-12-01' }, granularity: 'daily', groupBy: ['ServiceName'], metric: 'BilledCost' });
    assert.ok(near(byDay.rows.reduce((s, r) => s + r.cost, 0), total));
  });

  it('converts the snake_case (Athena / CUR 2.0 style) sample, tags included', { skip: !haveSamples }, async () => {
    const file = path.join(nativeDir, 'aws_cur_snakecase_athena_koku_2rows.csv');
    const raw = readCsv(file);
    const { rows } = await convertFile(scratchFiles.engine, file);
    assert.equal(rows.length, raw.length);
    raw.forEach((r, i) => {
      const f = rows[i]!;
      assert.equal(f.ResourceId, r.line_item_resource_id);
      assert.equal(f.ResourceType, 'instance');
      assert.equal(f.AvailabilityZone, r.line_item_availability_zone);
      assert.equal(f.ServiceName, r.product_product_name);
      assert.equal(f.RegionId, r.product_region);
      assert.equal(f.PublisherName, r.line_item_legal_entity);
      assert.equal(f.ChargePeriodStart, iso(`${r.line_item_usage_start_date!.replace(' ', 'T')}Z`));
      assert.deepEqual(JSON.parse(f.Tags as string), { 'aws:created_by': r.resource_tags_aws_created_by });
    });
  });

  it('legacy tag columns become Tags; a key written twice never fails the query', async () => {
    const file = scratchFiles.write('legacy-tags.csv', [
      'lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,lineItem/CurrencyCode,resourceTags/user:Team,resourceTags/Team,resourceTags/aws:createdBy,resource_tags',
      'Usage,2024-09-01T00:00:00Z,1,USD,vision,other,alice,"{""user_team"": ""x"", ""user:team"": ""y""}"',
      'Usage,2024-09-01T00:00:00Z,2,USD,,nlp,,',
    ]);
    const { rows } = await convertFile(scratchFiles.engine, file);
    // CUR 2.0's resource_tags column wins over per-key columns; its duplicate `team` keeps the first value.
    assert.deepEqual(JSON.parse(rows[0]!.Tags as string), { team: 'x' });
    assert.equal(rows[1]!.Tags, null);
    const legacyOnly = path.join(scratchFiles.dir, 'legacy-only.csv');
    fs.writeFileSync(legacyOnly, fs.readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/,(resource_tags|"\{.*\}")?$/, '')).join('\n'));
    const legacy = await convertFile(scratchFiles.engine, legacyOnly);
    assert.deepEqual(JSON.parse(legacy.rows[0]!.Tags as string), { Team: 'vision', 'aws:createdBy': 'alice' });
    assert.deepEqual(JSON.parse(legacy.rows[1]!.Tags as string), { Team: 'nlp' });
  });

  it('amortizes reservations and savings plans as AWS does, and reads CUR 2.0 map columns', async () => {
    const header = [
      'line_item_line_item_type', 'line_item_usage_start_date', 'line_item_usage_end_date', 'line_item_unblended_cost',
      'line_item_currency_code', 'line_item_product_code', 'line_item_resource_id', 'line_item_usage_account_name',
      'reservation_effective_cost', 'reservation_unused_amortized_upfront_fee_for_billing_period', 'reservation_unused_recurring_fee',
      'reservation_reservation_a_r_n', 'savings_plan_savings_plan_effective_cost', 'savings_plan_total_commitment_to_date',
      'savings_plan_used_commitment', 'savings_plan_savings_plan_a_r_n', 'resource_tags', 'product',
    ];
    type Line = [string, number, number | '', number | '', number | '', number | '', string, number | '', number | '', number | '', string];
    // type, unblended, reservation effective, unused upfront, unused recurring, SP effective, … , tags
    const lines: Line[] = [
      ['Usage', 10, '', '', '', '', '', '', '', '', '{"user_team": "vision", "aws_createdBy": "alice"}'],
      ['DiscountedUsage', 8, 3, '', '', '', 'arn:aws:ec2:us-east-1:1:reserved-instances/r-1', '', '', '', '{"user_team": "nlp"}'],
      ['RIFee', 5, '', 1.5, 0.5, '', 'arn:aws:ec2:us-east-1:1:reserved-instances/r-1', '', '', '', ''],
      ['Fee', 100, '', '', '', '', 'arn:aws:ec2:us-east-1:1:reserved-instances/r-1', '', '', '', ''],
      ['SavingsPlanCoveredUsage', 6, '', '', '', 2.5, '', '', '', '', '{"user_team": "vision"}'],
      ['SavingsPlanNegation', -6, '', '', '', '', '', '', '', '', ''],
      ['SavingsPlanRecurringFee', 4, '', '', '', '', '', 4, 2.5, '', ''],
      ['Credit', -1, '', '', '', '', '', '', '', '', ''],
      ['Tax', 0.7, '', '', '', '', '', '', '', '', ''],
    ];
    const csv = [header.join(','), ...lines.map(([type, cost, riEff, unusedUp, unusedRec, spEff, riArn, spTotal, spUsed, , tags]) => [
      type, '2024-09-01T00:00:00Z', '2024-09-01T01:00:00Z', cost, 'USD', 'AmazonEC2', 'i-0abc', 'ml-prod',
      riEff, unusedUp, unusedRec, riArn, spEff, spTotal, spUsed, type.startsWith('SavingsPlan') ? 'arn:aws:savingsplans::1:savingsplan/sp-1' : '',
      tags ? `"${tags.replaceAll('"', '""')}"` : '', '"{""product_name"": ""Amazon Elastic Compute Cloud"", ""region"": ""us-east-1""}"',
    ].join(','))].join('\n');
    const file = path.join(scratchFiles.dir, 'cur2.csv');
    fs.writeFileSync(file, csv);
    const { rows } = await convertFile(scratchFiles.engine, file);
    // The AWS amortization rules, written out independently.
    const expectedEffective = lines.map(([type, cost, riEff, unusedUp, unusedRec, spEff, riArn, spTotal, spUsed]) => {
      switch (type) {
        case 'SavingsPlanCoveredUsage': return Number(spEff);
        case 'SavingsPlanRecurringFee': return Number(spTotal) - Number(spUsed);
        case 'SavingsPlanNegation': return 0;
        case 'DiscountedUsage': return Number(riEff);
        case 'RIFee': return Number(unusedUp) + Number(unusedRec);
        case 'Fee': return riArn ? 0 : cost;
        default: return cost;
      }
    });
    assert.deepEqual(rows.map((r) => r.EffectiveCost), expectedEffective);
    assert.deepEqual(rows.map((r) => r.BilledCost), lines.map((l) => l[1]));
    assert.deepEqual(rows.map((r) => r.ChargeCategory), ['Usage', 'Usage', 'Purchase', 'Purchase', 'Usage', 'Usage', 'Purchase', 'Credit', 'Tax']);
    assert.deepEqual(rows.map((r) => r.PricingCategory), ['Standard', 'Committed', null, null, 'Committed', null, null, null, null]);
    assert.deepEqual(rows.map((r) => r.CommitmentDiscountType), [null, 'Reserved Instance', 'Reserved Instance', null, 'Savings Plan', 'Savings Plan', 'Savings Plan', null, null]);
    assert.equal(rows[0]!.ServiceName, 'Amazon Elastic Compute Cloud');
    assert.equal(rows[0]!.RegionId, 'us-east-1');
    assert.equal(rows[0]!.SubAccountName, 'ml-prod');
    assert.equal(rows[0]!.ResourceType, 'instance');
    assert.deepEqual(JSON.parse(rows[0]!.Tags as string), { team: 'vision', 'aws:createdBy': 'alice' });
    assert.equal(rows[2]!.Tags, null);
    // A policy key reaches the CUR 2.0 tag through its name.
    const src = new FocusFileSource({ paths: [file], baseDir: '/', engine: scratchFiles.engine });
    const byTeam = await src.query({ period: { start: '2024-09-01', end: '2024-09-02' }, granularity: 'total', groupBy: ['tag:team'], metric: 'EffectiveCost' });
    const totals = Object.fromEntries(byTeam.rows.map((r) => [String(r.groups['tag:team']), r.cost]));
    assert.ok(near(totals.vision!, 10 + 2.5));
    assert.ok(near(totals.nlp!, 3));
  });
});
