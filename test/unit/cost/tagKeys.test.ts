import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CostQuery } from '../../../src/core/cost/model';
import { tagAliasesFromPolicy } from '../../../src/core/cost/tags';
import { main } from '../../../src/cli/main';
import { billScratch } from '../../support/scratch';
import { FocusFileSource } from '../../../src/providers/focus/focusFileSource';

/**
 * The tag-key rule (src/core/cost/tags.ts, docs/column-mappings.md): without a policy alias, `tag:CostCenter` is the
 * AWS tag `CostCenter` exactly, the Azure tag `CostCenter` in any case, the GCP label `cost_center`, `costcenter` or
 * `cost-center`; other providers try every name. The first name present wins.
 */
const bills = billScratch('tagkeys');

/** [provider, Tags object, cost, expected value of tag:CostCenter] */
const ROWS: [string, Record<string, string> | null, number, string | null][] = [
  ['AWS', { CostCenter: 'aws-exact' }, 1, 'aws-exact'],
  ['AWS', { costcenter: 'aws-lower' }, 2, null], // AWS tag keys are case-sensitive
  ['Amazon Web Services', { cost_center: 'aws-snake' }, 4, null],
  ['Microsoft', { costcenter: 'az-lower' }, 8, 'az-lower'],
  ['Microsoft', { COSTCENTER: 'az-upper' }, 16, 'az-upper'],
  ['Microsoft', { costCenter: 'az-camel', CostCenter: 'az-exact' }, 32, 'az-exact'], // the exact name first
  ['Microsoft', { 'cost-center': 'az-kebab' }, 64, null], // case-insensitive, not separator-insensitive
  ['Google Cloud', { cost_center: 'gcp-snake' }, 128, 'gcp-snake'],
  ['Google Cloud', { costcenter: 'gcp-lower' }, 256, 'gcp-lower'],
  ['Google Cloud Platform', { 'cost-center': 'gcp-kebab' }, 512, 'gcp-kebab'],
  ['Google Cloud', { CostCenter: 'gcp-camel' }, 1024, null], // not a GCP label
  ['Google Cloud', { costcenter: 'gcp-second', cost_center: 'gcp-first' }, 2048, 'gcp-first'], // snake_case first
  ['Oracle', { cost_center: 'oci-any' }, 4096, 'oci-any'],
  ['Microsoft', null, 8192, null],
];

function bill(name: string): string {
  const file = path.join(bills.dir, name);
  const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
  fs.writeFileSync(file, ['BillingCurrency,BilledCost,EffectiveCost,ChargePeriodStart,ProviderName,Tags',
    ...ROWS.map(([p, tags, cost]) => `USD,${cost},${cost},2024-09-01 00:00:00,${p},${tags ? quote(JSON.stringify(tags)) : 'NULL'}`)].join('\n'));
  return file;
}

const ALL = { start: '1970-01-01', end: '9999-12-31' };
const byCostCenter: CostQuery = { period: ALL, granularity: 'total', groupBy: ['tag:CostCenter'], metric: 'BilledCost' };

function expected(value: (row: (typeof ROWS)[number]) => string | null): Map<string | null, number> {
  const out = new Map<string | null, number>();
  for (const row of ROWS) out.set(value(row), (out.get(value(row)) ?? 0) + row[2]);
  return out;
}

describe('tag keys across clouds', () => {
  it('without a policy: AWS exact, Azure in any case, GCP label forms, other providers every name', async () => {
    const result = await new FocusFileSource({ paths: [bill('rule.csv')], baseDir: bills.dir, engine: bills.engine }).query(byCostCenter);
    assert.deepEqual(new Map(result.rows.map((r) => [r.groups['tag:CostCenter']!, r.cost])), expected((r) => r[3]));
  });

  it('filters follow the same rule', async () => {
    const source = new FocusFileSource({ paths: [bill('filter.csv')], baseDir: bills.dir, engine: bills.engine });
    const result = await source.query({ ...byCostCenter, groupBy: ['ProviderName'], filters: [{ key: 'tag:CostCenter', values: ['az-upper', 'gcp-kebab', null] }] });
    const want = ROWS.filter((r) => ['az-upper', 'gcp-kebab', null].includes(r[3])).reduce((s, r) => s + r[2], 0);
    assert.equal(result.rows.reduce((s, r) => s + r.cost, 0), want);
  });

  it('a policy mapping replaces the GCP label forms; Azure stays case-insensitive', async () => {
    const aliases = tagAliasesFromPolicy({ gcpLabelKeys: { CostCenter: ['cc', 'costcenter'] } });
    const result = await new FocusFileSource({ paths: [bill('policy.csv')], baseDir: bills.dir, engine: bills.engine, tagAliases: aliases }).query(byCostCenter);
    const got = new Map(result.rows.map((r) => [r.groups['tag:CostCenter']!, r.cost]));
    assert.equal(got.get('gcp-lower'), 256);
    assert.equal(got.get('gcp-snake'), undefined, 'cost_center is not among the mapped labels');
    assert.equal(got.get('az-upper'), 16);
  });

  it('keys holding JSON Pointer characters match in any case on Azure', async () => {
    const file = path.join(bills.dir, 'pointer.csv');
    fs.writeFileSync(file, 'BillingCurrency,BilledCost,EffectiveCost,ChargePeriodStart,ProviderName,Tags\nUSD,3,3,2024-09-01,Microsoft,"{""TEAM/ML~x"": ""ok""}"\n');
    const result = await new FocusFileSource({ paths: [file], baseDir: bills.dir, engine: bills.engine }).query({ ...byCostCenter, groupBy: ['tag:team/ml~X'] });
    assert.equal(result.rows[0]!.groups['tag:team/ml~X'], 'ok');
  });

  it('the CLI applies the rule without a .finops.yaml', async () => {
    let out = '';
    const code = await main(['costs', '--focus', bill('cli.csv'), '--group-by', 'tag:CostCenter', '--granularity', 'total', '--format', 'json'],
      { stdout: (t) => { out += t; }, stderr: () => undefined, cwd: bills.dir, env: {} });
    assert.equal(code, 0);
    const rows = JSON.parse(out) as { 'tag:CostCenter': string | null; cost: number }[];
    assert.deepEqual(new Map(rows.map((r) => [r['tag:CostCenter'], r.cost])), expected((r) => r[3]));
  });
});
