import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { azureDatasetFromFileName } from '../../../src/core/native/azureCost';
import { billScratch } from '../../support/scratch';
import { FocusFileSource } from '../../../src/providers/focus/focusFileSource';
import { near, readCsv } from '../cost/tinyCsv';
import { convertFile, haveSamples, nativeDir, num } from './convert';

const scratchFiles = billScratch('azure');

const actualFile = path.join(nativeDir, 'azure_ea_actualcost_finops_toolkit_11rows.csv');
const amortizedFile = path.join(nativeDir, 'azure_ea_amortizedcost_finops_toolkit_28rows.csv');
const mcaFile = path.join(nativeDir, 'azure_ea_export_anonymized_27rows.csv');

/** MM/DD/YYYY (or M/D/YYYY) → ISO midnight UTC. */
function usDate(text: string): string {
  const [m, d, y] = text.split('/').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!)).toISOString();
}
/** EA / MCA tags: JSON members without the braces. */
function tagsOf(text: string | null | undefined): Record<string, string> | null {
  if (!text) return null;
  return JSON.parse(text.trim().startsWith('{') ? text : `{${text}}`) as Record<string, string>;
}
const commitment = (r: Record<string, string | null>) => r.PricingModel === 'Reservation' || r.PricingModel === 'SavingsPlan';

function checkCommon(r: Record<string, string | null>, f: Record<string, string | number | null>, where: string) {
  assert.equal(f.ChargePeriodStart, usDate(r.Date!), where);
  assert.equal(f.ProviderName, 'Microsoft');
  assert.equal(f.ServiceName, r.MeterCategory, where);
  assert.equal(f.SubAccountId, r.SubscriptionId, where);
  assert.equal(f.SubAccountName, r.SubscriptionName, where);
  assert.equal(f.BillingAccountId, r.BillingAccountId, where);
  assert.equal(f.RegionId, r.ResourceLocation ? r.ResourceLocation.toLowerCase().replaceAll(' ', '') : null, where);
  assert.equal(f.ResourceId, r.ResourceId, where);
  assert.equal(f.ResourceType, /\/providers\/([^/]+\/[^/]+)/i.exec(r.ResourceId ?? '')?.[1] ?? null, where);
  assert.deepEqual(f.Tags === null ? null : JSON.parse(f.Tags as string), tagsOf(r.Tags), where);
  assert.equal(f.PricingCategory, { OnDemand: 'Standard', Spot: 'Dynamic', Reservation: 'Committed', SavingsPlan: 'Committed' }[r.PricingModel!] ?? null, where);
  assert.equal(f.ChargeCategory, r.ChargeType === 'Purchase' ? 'Purchase' : 'Usage', where);
  assert.equal(f.ConsumedQuantity, num(r.Quantity), where);
  assert.equal(f.ConsumedUnit, r.UnitOfMeasure, where);
}

describe('Azure cost details → FOCUS', { skip: !haveSamples }, () => {
  it('the EA actual-cost export: BilledCost and EffectiveCost are the cost as invoiced', async () => {
    const raw = readCsv(actualFile);
    const { inspected, rows } = await convertFile(scratchFiles.engine, actualFile);
    assert.equal(inspected.azureDataset, 'actual');
    assert.equal(rows.length, raw.length);
    raw.forEach((r, i) => {
      const f = rows[i]!;
      checkCommon(r, f, `row ${i + 2}`);
      assert.ok(near(f.BilledCost as number, num(r.Cost)));
      assert.ok(near(f.EffectiveCost as number, num(r.Cost)));
      assert.equal(f.BillingCurrency, r.BillingCurrency);
      assert.equal(f.CommitmentDiscountId, commitment(r) ? (r.benefitId ?? r.ReservationId) : null);
    });
  });

  it('the EA amortized-cost export: commitment-covered usage is not billed again', async () => {
    const raw = readCsv(amortizedFile);
    const { inspected, rows } = await convertFile(scratchFiles.engine, amortizedFile);
    assert.equal(inspected.azureDataset, 'amortized');
    assert.equal(rows.length, raw.length);
    assert.ok(raw.some(commitment), 'the sample has reservation and savings plan usage');
    raw.forEach((r, i) => {
      const f = rows[i]!;
      checkCommon(r, f, `row ${i + 2}`);
      assert.ok(near(f.EffectiveCost as number, num(r.Cost)));
      assert.ok(near(f.BilledCost as number, commitment(r) && r.ChargeType === 'Usage' ? 0 : num(r.Cost)), `row ${i + 2}`);
      assert.equal(f.CommitmentDiscountStatus, commitment(r) ? 'Used' : null);
      assert.equal(f.CommitmentDiscountType, r.PricingModel === 'Reservation' ? 'Reservation' : r.PricingModel === 'SavingsPlan' ? 'Savings Plan' : null);
    });
  });

  it('the MCA-style export: CostInBillingCurrency, BillingCurrencyCode, M/D/YYYY dates, spot pricing', async () => {
    const raw = readCsv(mcaFile);
    const { rows } = await convertFile(scratchFiles.engine, mcaFile);
    assert.equal(rows.length, raw.length);
    raw.forEach((r, i) => {
      const f = rows[i]!;
      checkCommon(r, f, `row ${i + 2}`);
      assert.ok(near(f.BilledCost as number, num(r.CostInBillingCurrency)));
      assert.equal(f.BillingCurrency, r.BillingCurrencyCode);
      assert.equal(f.ListUnitPrice, num(r.PayGPrice));
      assert.ok(near(f.ListCost as number, num(r.PayGPrice) > 0 ? num(r.PayGPrice) * num(r.Quantity) : num(r.UnitPrice) * num(r.Quantity)));
    });
    assert.ok(rows.some((f) => f.PricingCategory === 'Dynamic'));
  });

  it('tells actual from amortized data when the file name does not say', async () => {
    assert.equal(azureDatasetFromFileName('ActualCost_202309.csv'), 'actual');
    assert.equal(azureDatasetFromFileName('part_amortized_1.csv'), 'amortized');
    assert.equal(azureDatasetFromFileName('export.csv'), undefined);
    for (const [from, dataset] of [[actualFile, 'actual'], [amortizedFile, 'amortized']] as const) {
      const neutral = path.join(scratchFiles.dir, `neutral-${dataset.length}.csv`);
      fs.copyFileSync(from, neutral);
      const { inspected } = await convertFile(scratchFiles.engine, neutral);
      assert.equal(inspected.azureDataset, dataset);
    }
  });

  it('both datasets together: BilledCost from the actual rows, EffectiveCost from the amortized rows', async () => {
    const period = { start: '2023-09-01', end: '2023-10-01' };
    const sum = (file: string) => readCsv(file).reduce((s, r) => s + num(r.Cost), 0);
    // read directly, and through Parquet copies (the extension's path for large bills)
    for (const copies of [undefined, { dir: path.join(scratchFiles.dir, 'copies'), minBytes: 0 }]) {
      const src = new FocusFileSource({ paths: [actualFile, amortizedFile], baseDir: '/', engine: scratchFiles.engine, ...(copies ? { copies } : {}) });
      const billed = await src.query({ period, granularity: 'monthly', groupBy: [], metric: 'BilledCost' });
      const effective = await src.query({ period, granularity: 'monthly', groupBy: [], metric: 'EffectiveCost' });
      assert.ok(near(billed.rows[0]!.cost, sum(actualFile)));
      assert.ok(near(effective.rows[0]!.cost, sum(amortizedFile)));
      assert.match(effective.warnings?.join(' ') ?? '', /actual and amortized/);
    }
    assert.equal(fs.readdirSync(path.join(scratchFiles.dir, 'copies')).length, 2);
  });
});
