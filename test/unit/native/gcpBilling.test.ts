import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { billScratch } from '../../support/scratch';
import { FocusFileSource } from '../../../src/providers/focus/focusFileSource';
import { near, readCsv } from '../cost/tinyCsv';
import { convertFile, haveSamples, iso, nativeDir, num } from './convert';

const scratchFiles = billScratch('gcp');

const standardFile = path.join(nativeDir, 'gcp_bigquery_standard_export_koku_25rows.csv');
const detailedFile = path.join(nativeDir, 'gcp_bigquery_detailed_export_koku_9rows.csv');

/** The CSV holds Python reprs of the nested fields: [{'key': 'a', 'value': 'b'}], None. */
function pyList(text: string | null | undefined): Record<string, unknown>[] {
  if (!text) return [];
  return JSON.parse(text.replaceAll("'", '"').replaceAll('None', 'null')) as Record<string, unknown>[];
}
function labelsOf(r: Record<string, string | null>): Record<string, string> | null {
  const pairs = [...pyList(r['project.labels']), ...pyList(r.labels)].map((l) => [String(l.key), String(l.value)]);
  return pairs.length ? Object.fromEntries(pairs) : null;
}

function checkRow(r: Record<string, string | null>, f: Record<string, string | number | null>, where: string) {
  const credits = pyList(r.credits).reduce((s, c) => s + Number(c.amount), 0);
  assert.ok(near(f.BilledCost as number, num(r.cost) + credits), where);
  assert.ok(near(f.EffectiveCost as number, num(r.cost) + credits), where);
  assert.ok(near(f.ListCost as number, num(r.cost)), where);
  assert.equal(f.ChargePeriodStart, iso(r.usage_start_time!), where);
  assert.equal(f.ChargePeriodEnd, iso(r.usage_end_time!), where);
  assert.equal(f.BillingPeriodStart, iso(`${r['invoice.month']!.slice(0, 4)}-${r['invoice.month']!.slice(4)}-01T00:00:00Z`), where);
  assert.equal(f.BillingCurrency, r.currency, where);
  assert.equal(f.ProviderName, 'Google Cloud');
  assert.equal(f.BillingAccountId, r.billing_account_id, where);
  assert.equal(f.SubAccountId, r['project.id'], where);
  assert.equal(f.SubAccountName, r['project.name'], where);
  assert.equal(f.ServiceName, r['service.description'], where);
  assert.equal(f.SkuId, r['sku.id'], where);
  assert.equal(f.ChargeDescription, r['sku.description'], where);
  assert.equal(f.RegionId, r['location.region'] ?? r['location.location'], where);
  assert.equal(f.ChargeCategory, r.cost_type === 'regular' ? 'Usage' : 'Adjustment', where);
  assert.equal(f.ConsumedQuantity, num(r['usage.amount']), where);
  assert.equal(f.PricingUnit, r['usage.pricing_unit'], where);
  assert.deepEqual(f.Tags === null ? null : JSON.parse(f.Tags as string), labelsOf(r), where);
}

describe('Google Cloud billing export → FOCUS', { skip: !haveSamples }, () => {
  it('the standard export: credits netted into BilledCost, labels as Tags', async () => {
    const raw = readCsv(standardFile);
    const { rows } = await convertFile(scratchFiles.engine, standardFile);
    assert.equal(rows.length, raw.length);
    assert.ok(raw.some((r) => pyList(r.credits).length > 0) && raw.some((r) => pyList(r.labels).length > 0), 'the sample has credits and labels');
    raw.forEach((r, i) => checkRow(r, rows[i]!, `row ${i + 2}`));
  });

  it('the detailed export: resource name and id', async () => {
    const raw = readCsv(detailedFile);
    const { rows } = await convertFile(scratchFiles.engine, detailedFile);
    assert.equal(rows.length, raw.length);
    raw.forEach((r, i) => {
      checkRow(r, rows[i]!, `row ${i + 2}`);
      assert.equal(rows[i]!.ResourceId, r['resource.global_name']);
      assert.equal(rows[i]!.ResourceName, r['resource.name']);
    });
  });

  it('nested rows (STRUCT and LIST columns, as Parquet keeps them) convert the same way', async () => {
    const nested = path.join(scratchFiles.dir, 'gcp-nested.parquet');
    const list = (col: string) => `CAST(json(replace(replace("${col}", '''', '"'), 'None', 'null')) AS STRUCT(key VARCHAR, value VARCHAR)[])`;
    await scratchFiles.engine.query(`COPY (SELECT billing_account_id,
        {'id': "service.id", 'description': "service.description"} AS service,
        {'id': "sku.id", 'description': "sku.description"} AS sku,
        CAST(usage_start_time AS TIMESTAMPTZ) AS usage_start_time, CAST(usage_end_time AS TIMESTAMPTZ) AS usage_end_time,
        {'id': "project.id", 'name': "project.name", 'labels': ${list('project.labels')}} AS project,
        ${list('labels')} AS labels,
        {'location': "location.location", 'region': "location.region", 'zone': "location.zone"} AS location,
        CAST(cost AS DOUBLE) AS cost, currency,
        {'amount': CAST("usage.amount" AS DOUBLE), 'unit': "usage.unit", 'amount_in_pricing_units': CAST("usage.amount_in_pricing_units" AS DOUBLE), 'pricing_unit': "usage.pricing_unit"} AS usage,
        CAST(json(replace(replace(credits, '''', '"'), 'None', 'null')) AS STRUCT(name VARCHAR, amount DOUBLE, full_name VARCHAR, id VARCHAR, type VARCHAR)[]) AS credits,
        {'month': "invoice.month"} AS invoice, cost_type
      FROM read_csv($1, all_varchar = true, nullstr = '')) TO '${nested}' (FORMAT parquet)`, [standardFile]);
    const raw = readCsv(standardFile);
    const { inspected, rows } = await convertFile(scratchFiles.engine, nested);
    assert.equal(inspected.bill.kind, 'native');
    raw.forEach((r, i) => checkRow(r, rows[i]!, `row ${i + 2}`));
  });

  it('a policy key finds its GCP label through the aliases', async () => {
    const src = new FocusFileSource({ paths: [standardFile], baseDir: '/', engine: scratchFiles.engine, tagAliases: (key, cloud) => (cloud === 'gcp' ? ['goog-resource-type'] : [key]) });
    const result = await src.query({ period: { start: '2020-11-01', end: '2020-12-01' }, granularity: 'total', groupBy: ['tag:ResourceType'], metric: 'BilledCost' });
    const values = result.rows.map((r) => r.groups['tag:ResourceType']).sort();
    assert.deepEqual(values, ['bigquery_dataset', 'bigquery_project', 'bigquery_resource', null]);
  });
});
