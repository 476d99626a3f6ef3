import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FOCUS_COLUMNS } from '../../../src/core/cost/focusColumns';
import { detectBillFormat } from '../../../src/core/native/detect';
import { haveSamples, nativeDir } from './convert';

const header = (file: string) => fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0]!.split(',').map((h) => h.replace(/^"|"$/g, ''));
const root = path.resolve(__dirname, '../../..');

describe('detectBillFormat', () => {
  it('recognises FOCUS files and their release', () => {
    const sample = detectBillFormat(header(path.join(root, 'demo/billing/real-sample/focus_1.0_sample_1000.csv')));
    assert.deepEqual(sample, { kind: 'focus', version: '1.0', missing: [] });
    for (const v of ['1.0', '1.1', '1.2'] as const) {
      const f = detectBillFormat([...FOCUS_COLUMNS[v]]);
      assert.equal(f.kind === 'focus' && f.version, v);
    }
    // FOCUS 1.3's ServiceProviderName stands in for ProviderName
    const renamed = detectBillFormat(FOCUS_COLUMNS['1.2'].map((c) => (c === 'ProviderName' ? 'ServiceProviderName' : c)));
    assert.deepEqual(renamed.kind === 'focus' && renamed.missing, []);
  });

  it('names the required columns a FOCUS-like file lacks', () => {
    const f = detectBillFormat(FOCUS_COLUMNS['1.0'].filter((c) => c !== 'BillingCurrency' && c !== 'EffectiveCost'));
    assert.deepEqual(f.kind === 'focus' && f.missing, ['BillingCurrency', 'EffectiveCost']);
  });

  it('recognises each native sample, and nothing else', { skip: !haveSamples }, () => {
    const expected: Record<string, string> = {
      'aws_cur_legacy_anonymized_1281rows.csv': 'awsCur',
      'aws_cur_snakecase_athena_koku_2rows.csv': 'awsCur',
      'azure_ea_actualcost_finops_toolkit_11rows.csv': 'azureCostDetails',
      'azure_ea_amortizedcost_finops_toolkit_28rows.csv': 'azureCostDetails',
      'azure_ea_export_anonymized_27rows.csv': 'azureCostDetails',
      'gcp_bigquery_detailed_export_koku_9rows.csv': 'gcpBillingExport',
      'gcp_bigquery_standard_export_koku_25rows.csv': 'gcpBillingExport',
    };
    for (const [file, kind] of Object.entries(expected)) {
      const f = detectBillFormat(header(path.join(nativeDir, file)));
      assert.equal(f.kind === 'native' && f.converter.kind, kind, file);
    }
    const oci = detectBillFormat(header(path.join(nativeDir, 'oci_cost_report_506rows.csv')));
    assert.deepEqual(oci, { kind: 'unknown', missing: ['ChargePeriodStart', 'BillingCurrency', 'BilledCost', 'EffectiveCost'] });
  });

  it('matches native names without regard to case (MCA writes camelCase)', () => {
    const f = detectBillFormat(['date', 'meterCategory', 'subscriptionId', 'costInBillingCurrency', 'billingCurrency']);
    assert.equal(f.kind === 'native' && f.converter.kind, 'azureCostDetails');
  });
});
