import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { costRowsAsCsv, costRowsAsObjects, totalsByCurrency } from '../../../src/core/cost/format';
import type { CostResult } from '../../../src/core/cost/model';
import { addDays, describeDates, isIsoDate, resolvePeriod, todayUtc, ALL_TIME } from '../../../src/core/period';
import { parseCostQuery, parseGroupBy } from '../../../src/core/cost/query';
import { compactParams, quoteIdent, SqlParams } from '../../../src/core/cost/sql';
import { aliasesByCloud, cloudOfProvider, parseTagsJson, tagAliasesFromPolicy } from '../../../src/core/cost/tags';
import { isFinOpsError } from '../../../src/core/errors';
import { jsonPointer } from '../../../src/providers/focus/costSql';

describe('cost queries', () => {
  it('validates queries and group-by lists', () => {
    const q = parseCostQuery({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: ['ProviderName', 'tag:Team'], metric: 'EffectiveCost' });
    assert.deepEqual(q.groupBy, ['ProviderName', 'tag:Team']);
    for (const bad of [
      { period: { start: '2024-10-01', end: '2024-09-01' }, granularity: 'daily', groupBy: [], metric: 'EffectiveCost' },
      { period: { start: '2024-02-30', end: '2024-03-01' }, granularity: 'daily', groupBy: [], metric: 'EffectiveCost' },
      { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'hourly', groupBy: [], metric: 'EffectiveCost' },
      { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: ['Team'], metric: 'EffectiveCost' },
      { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: ['tag:'], metric: 'EffectiveCost' },
      { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: ['RegionId', 'RegionId'], metric: 'EffectiveCost' },
      { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: [], metric: 'Cost' },
    ]) {
      assert.throws(() => parseCostQuery(bad), (e: unknown) => isFinOpsError(e, 'input'), JSON.stringify(bad));
    }
    assert.deepEqual(parseGroupBy(' ProviderName , tag:cost-center,'), ['ProviderName', 'tag:cost-center']);
    assert.throws(() => parseGroupBy('ProviderName,Colour'), (e: unknown) => isFinOpsError(e, 'input') && e.message.includes('"Colour"'));
  });

  it('periods', () => {
    assert.ok(isIsoDate('2024-02-29'));
    assert.ok(!isIsoDate('2023-02-29') && !isIsoDate('2024-9-1'));
    assert.equal(addDays('2024-02-28', 2), '2024-03-01');
    const now = new Date('2024-09-15T10:00:00Z');
    assert.deepEqual(resolvePeriod({ preset: 'last30Days' }, todayUtc(now)), { start: '2024-08-17', end: '2024-09-16' });
    assert.deepEqual(resolvePeriod({ preset: 'monthToDate' }, todayUtc(now)), { start: '2024-09-01', end: '2024-09-16' });
    assert.deepEqual(resolvePeriod({ preset: 'lastMonth' }, todayUtc(new Date('2024-01-10T00:00:00Z'))), { start: '2023-12-01', end: '2024-01-01' });
    assert.equal(describeDates({ start: '2024-09-01', end: '2024-10-01' }), '2024-09-01 – 2024-09-30');
    assert.equal(describeDates(ALL_TIME), 'all dates');
  });
});

describe('SQL building', () => {
  it('quotes identifiers and drops unused parameters', () => {
    assert.equal(quoteIdent('Team "A"'), '"Team ""A"""');
    const p = new SqlParams();
    const a = p.add('a');
    p.add('unused');
    const c = p.add(3);
    const out = compactParams(`SELECT ${c}, '$2 stays', "col$2", ${a}, ${c}`, p.values);
    assert.equal(out.sql, `SELECT $1, '$2 stays', "col$2", $2, $1`);
    assert.deepEqual(out.values, [3, 'a']);
  });

  it('reads tag keys through JSON Pointers, whatever they hold', () => {
    assert.equal(jsonPointer('cost-center'), '/cost-center');
    assert.equal(jsonPointer('a/b~c'), '/a~1b~0c');
  });
});

describe('tags', () => {
  it('maps FOCUS providers to clouds', () => {
    assert.deepEqual(['AWS', 'Amazon Web Services', 'Microsoft', 'Azure', 'Google Cloud', 'Oracle', null].map(cloudOfProvider), ['aws', 'aws', 'azure', 'azure', 'gcp', 'other', 'other']);
  });

  it('gives each cloud its names; other providers try them all', () => {
    const byCloud = aliasesByCloud('CostCenter', tagAliasesFromPolicy({ gcpLabelKeys: {} }));
    assert.deepEqual(byCloud.aws, ['CostCenter']);
    assert.deepEqual(byCloud.gcp, ['cost_center', 'costcenter', 'cost-center']);
    assert.deepEqual(byCloud.other, ['CostCenter', 'cost_center', 'costcenter', 'cost-center']);
    assert.deepEqual(aliasesByCloud('Team', tagAliasesFromPolicy({ gcpLabelKeys: { Team: ['squad'] } })).gcp, ['squad']);
  });

  it('parses Tags JSON leniently', () => {
    assert.deepEqual(parseTagsJson('{"a": "1", "n": 2, "x": null}'), { a: '1', n: '2' });
    assert.deepEqual(parseTagsJson('not json'), {});
    assert.deepEqual(parseTagsJson('[1]'), {});
    assert.deepEqual(parseTagsJson(null), {});
  });
});

describe('output formats', () => {
  const result: CostResult = {
    query: { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'monthly', groupBy: ['ProviderName', 'tag:Team'], metric: 'EffectiveCost' },
    rows: [
      { groups: { ProviderName: 'AWS', 'tag:Team': 'a, "b"' }, period: '2024-09-01', cost: 1.5, currency: 'USD' },
      { groups: { ProviderName: 'AWS', 'tag:Team': null }, period: '2024-09-01', cost: 2, currency: 'USD' },
      { groups: { ProviderName: 'Microsoft', 'tag:Team': null }, period: '2024-09-01', cost: 3, currency: 'EUR' },
    ],
    source: 'test', fetchedAt: '2024-10-01T00:00:00Z',
  };
  it('JSON objects: a key per group column, missing tags null', () => {
    assert.deepEqual(costRowsAsObjects(result)[1], { ProviderName: 'AWS', 'tag:Team': null, period: '2024-09-01', cost: 2, currency: 'USD' });
  });
  it('CSV with quoting', () => {
    assert.equal(costRowsAsCsv(result).split('\r\n')[0], 'ProviderName,tag:Team,period,cost,currency');
    assert.equal(costRowsAsCsv(result).split('\r\n')[1], 'AWS,"a, ""b""",2024-09-01,1.5,USD');
    assert.equal(costRowsAsCsv(result).split('\r\n')[2], 'AWS,,2024-09-01,2,USD');
  });
  it('totals never add currencies together', () => {
    assert.deepEqual([...totalsByCurrency(result)], [['USD', 3.5], ['EUR', 3]]);
  });
});
