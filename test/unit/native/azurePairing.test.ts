import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CostMetric } from '../../../src/core/cost/model';
import { FocusFileSource } from '../../../src/providers/focus/focusFileSource';
import { near } from '../cost/tinyCsv';
import { billScratch } from '../../support/scratch';

/**
 * Azure actual and amortized cost exports matched by one glob: each billing account and month is paired with its
 * twin from the other dataset, and one without a twin is read on its own (never as $0.00).
 */
const bills = billScratch('azure-pairs');

const HEADER = 'BillingAccountId,BillingPeriodStartDate,Date,SubscriptionId,MeterCategory,ChargeType,PricingModel,Cost,BillingCurrency';
interface Row { account: string; month: string; day: string; type: 'Usage' | 'Purchase' | 'UnusedReservation'; model: 'OnDemand' | 'Reservation'; cost: number }
const line = (r: Row) => `${r.account},${r.month}/01/2024,${r.month}/${r.day}/2024,sub-1,Virtual Machines,${r.type},${r.model},${r.cost},USD`;

/** One account-month priced both ways: actual has the reservation purchase, amortized spreads it over usage. */
function twins(account: string, month: string): { actual: Row[]; amortized: Row[] } {
  return {
    actual: [
      { account, month, day: '01', type: 'Purchase', model: 'Reservation', cost: 300 },
      { account, month, day: '02', type: 'Usage', model: 'Reservation', cost: 0 },
      { account, month, day: '03', type: 'Usage', model: 'OnDemand', cost: 40 },
    ],
    amortized: [
      { account, month, day: '02', type: 'Usage', model: 'Reservation', cost: 250 },
      { account, month, day: '02', type: 'UnusedReservation', model: 'Reservation', cost: 50 },
      { account, month, day: '03', type: 'Usage', model: 'OnDemand', cost: 40 },
    ],
  };
}
function writeRows(name: string, rows: Row[]): void {
  const file = path.join(bills.dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, [HEADER, ...rows.map(line)].join('\n'));
}
const sum = (rows: Row[], pick: (r: Row) => boolean = () => true) => rows.filter(pick).reduce((s, r) => s + r.cost, 0);

async function byAccountMonth(paths: string[], metric: CostMetric, copies?: { dir: string; minBytes: number }) {
  const source = new FocusFileSource({ paths, baseDir: bills.dir, engine: bills.engine, ...(copies ? { copies } : {}) });
  const result = await source.query({ period: { start: '2024-01-01', end: '2025-01-01' }, granularity: 'monthly', groupBy: ['BillingAccountId'], metric });
  return { cost: new Map(result.rows.map((r) => [`${r.groups.BillingAccountId} ${r.period}`, r.cost])), warnings: result.warnings ?? [] };
}

describe('Azure actual and amortized exports, paired by billing account and month', () => {
  const a9 = twins('A', '09');
  const a10 = twins('A', '10');
  const b9 = twins('B', '09');

  it('pairs what has a twin; reads an account-month without one on its own, with a warning naming it', async () => {
    writeRows('exports/actual_A_2024-09.csv', a9.actual);
    writeRows('exports/amortized_A_2024-09.csv', a9.amortized);
    writeRows('exports/actual_A_2024-10.csv', a10.actual); // no amortized twin
    writeRows('exports/amortized_B_2024-09.csv', b9.amortized); // no actual twin
    for (const copies of [undefined, { dir: path.join(bills.dir, 'copies'), minBytes: 0 }]) {
      const billed = await byAccountMonth(['exports/*.csv'], 'BilledCost', copies);
      const effective = await byAccountMonth(['exports/*.csv'], 'EffectiveCost', copies);
      // paired: BilledCost from actual (the purchase when bought), EffectiveCost from amortized (spread)
      assert.ok(near(billed.cost.get('A 2024-09-01')!, sum(a9.actual)));
      assert.ok(near(effective.cost.get('A 2024-09-01')!, sum(a9.amortized)));
      // actual alone: both figures from the actual rows, never 0
      assert.ok(near(billed.cost.get('A 2024-10-01')!, sum(a10.actual)));
      assert.ok(near(effective.cost.get('A 2024-10-01')!, sum(a10.actual)), `A 2024-10 EffectiveCost ${effective.cost.get('A 2024-10-01')}`);
      // amortized alone: EffectiveCost as amortized; BilledCost leaves commitment-covered usage out, never 0 overall
      assert.ok(near(effective.cost.get('B 2024-09-01')!, sum(b9.amortized)));
      assert.ok(near(billed.cost.get('B 2024-09-01')!, sum(b9.amortized, (r) => r.model === 'OnDemand')), `B 2024-09 BilledCost ${billed.cost.get('B 2024-09-01')}`);
      assert.ok(effective.warnings.some((w) => /read together \(billing account A, 2024-09\)/.test(w)), effective.warnings.join(' | '));
      assert.ok(effective.warnings.some((w) => /actual cost with no amortized export .*\(billing account A, 2024-10\)/.test(w)), effective.warnings.join(' | '));
      assert.ok(billed.warnings.some((w) => /amortized cost with no actual export .*\(billing account B, 2024-09\)/.test(w)), billed.warnings.join(' | '));
    }
  });

  it('one file spanning a paired and an unpaired month is split row by row', async () => {
    writeRows('span/actual_A_2024.csv', [...a9.actual, ...a10.actual]);
    writeRows('span/amortized_A_2024-09.csv', a9.amortized);
    const billed = await byAccountMonth(['span'], 'BilledCost');
    const effective = await byAccountMonth(['span'], 'EffectiveCost');
    assert.ok(near(billed.cost.get('A 2024-09-01')!, sum(a9.actual)));
    assert.ok(near(effective.cost.get('A 2024-09-01')!, sum(a9.amortized)));
    assert.ok(near(billed.cost.get('A 2024-10-01')!, sum(a10.actual)));
    assert.ok(near(effective.cost.get('A 2024-10-01')!, sum(a10.actual)));
  });
});
