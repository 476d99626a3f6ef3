import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { CostQuery } from '../../../src/core/cost/model';
import { exactTagAliases } from '../../../src/core/cost/tags';
import { isCancelled, isFinOpsError, type FailureReason } from '../../../src/core/errors';
import { readCsvHeader } from '../../../src/providers/focus/csvHeader';
import { billScratch } from '../../support/scratch';
import { FocusFileSource } from '../../../src/providers/focus/focusFileSource';
import { near, readCsv, sumBy } from './tinyCsv';

const root = path.resolve(__dirname, '../../..');
// the FOCUS working group's real sample (1,000 rows, September 2024), kept in the demo workspace as a real-data example
const demoCsv = path.join(root, 'demo/billing/real-sample/focus_1.0_sample_1000.csv');
const ALL = { start: '1970-01-01', end: '9999-12-31' };

const sample = readCsv(demoCsv);
const num = (v: string | null | undefined) => (v === null || v === undefined ? 0 : Number(v));
const tagOf = (tags: string | null | undefined, key: string): string | null => {
  if (!tags) return null;
  const v = (JSON.parse(tags) as Record<string, unknown>)[key];
  return v === undefined || v === null ? null : String(v);
};

const scratchFiles = billScratch('focus');

function source(paths: string[], extra: Partial<ConstructorParameters<typeof FocusFileSource>[0]> = {}) {
  return new FocusFileSource({ paths, baseDir: root, engine: scratchFiles.engine, ...extra });
}

const write = (name: string, text: string | readonly string[]): string => scratchFiles.write(name, text);

async function rejects(p: Promise<unknown>, reason: FailureReason | 'cancelled', ...mentions: string[]) {
  await assert.rejects(p, (e: unknown) => {
    if (reason === 'cancelled') return isCancelled(e);
    assert.ok(isFinOpsError(e), `expected a FinOpsError, got ${String(e)}`);
    assert.equal(e.reason, reason, e.message);
    for (const m of mentions) assert.ok(`${e.message} ${e.fix}`.includes(m), `"${e.message}" should mention ${m}`);
    assert.ok(e.fix, 'a fix is named');
    return true;
  });
}

describe('FocusFileSource on the real FOCUS sample', () => {
  it('matches an independent computation: monthly × ProviderName × tag, EffectiveCost and BilledCost', async () => {
    for (const metric of ['EffectiveCost', 'BilledCost', 'ListCost'] as const) {
      const query: CostQuery = { period: ALL, granularity: 'monthly', groupBy: ['ProviderName', 'tag:business_unit'], metric };
      const result = await source([demoCsv]).query(query);
      const expected = sumBy(sample, (r) => JSON.stringify([r.ProviderName, tagOf(r.Tags, 'business_unit'), r.ChargePeriodStart!.slice(0, 7) + '-01', r.BillingCurrency]), (r) => num(r[metric]));
      assert.equal(result.rows.length, expected.size, metric);
      for (const row of result.rows) {
        const key = JSON.stringify([row.groups.ProviderName, row.groups['tag:business_unit'], row.period, row.currency]);
        assert.ok(expected.has(key), `unexpected group ${key}`);
        assert.ok(near(row.cost, expected.get(key)!), `${metric} ${key}: ${row.cost} vs ${expected.get(key)}`);
      }
    }
  });

  it('daily granularity with a period filter and dimension / tag filters', async () => {
    const period = { start: '2024-09-10', end: '2024-09-20' };
    const result = await source([demoCsv]).query({
      period, granularity: 'daily', groupBy: ['ServiceName'], metric: 'BilledCost',
      filters: [{ key: 'ProviderName', values: ['AWS'] }, { key: 'tag:environment', values: ['dev', null] }],
    });
    const rows = sample.filter((r) => r.ChargePeriodStart! >= period.start && r.ChargePeriodStart! < period.end
      && r.ProviderName === 'AWS' && ['dev', null].includes(tagOf(r.Tags, 'environment')));
    const expected = sumBy(rows, (r) => `${r.ServiceName}|${r.ChargePeriodStart!.slice(0, 10)}`, (r) => num(r.BilledCost));
    assert.equal(result.rows.length, expected.size);
    for (const row of result.rows) {
      assert.ok(row.period >= period.start && row.period < period.end, row.period);
      assert.ok(near(row.cost, expected.get(`${row.groups.ServiceName}|${row.period}`)!), `${row.groups.ServiceName} ${row.period}`);
    }
    // rows come ordered by period, then cost descending
    for (let i = 1; i < result.rows.length; i++) {
      const [a, b] = [result.rows[i - 1]!, result.rows[i]!];
      assert.ok(a.period < b.period || (a.period === b.period && a.cost >= b.cost));
    }
  });

  it('total granularity reports the query start; no group-by gives one row per currency', async () => {
    const result = await source([demoCsv]).query({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'total', groupBy: [], metric: 'BilledCost' });
    assert.deepEqual(result.rows.map((r) => [r.period, r.currency]), [['2024-09-01', 'USD']]);
    assert.ok(near(result.rows[0]!.cost, sample.reduce((s, r) => s + num(r.BilledCost), 0)));
  });

  it('reads a gzip-compressed copy with the same totals', async () => {
    const q: CostQuery = { period: ALL, granularity: 'daily', groupBy: ['ProviderName'], metric: 'EffectiveCost' };
    const demoGz = path.join(scratchFiles.dir, 'sample.csv.gz');
    fs.writeFileSync(demoGz, zlib.gzipSync(fs.readFileSync(demoCsv)));
    const [a, b] = await Promise.all([source([demoCsv]).query(q), source([demoGz]).query(q)]);
    assert.deepEqual(b.rows, a.rows);
  });

  it('reads Parquet (Tags as JSON text or as a MAP) with the same totals as the CSV', async () => {
    const asJson = path.join(scratchFiles.dir, 'sample.parquet');
    const asMap = path.join(scratchFiles.dir, 'sample-map.parquet');
    await scratchFiles.engine.query(`COPY (SELECT * FROM read_csv($1, nullstr = 'NULL')) TO '${asJson}' (FORMAT parquet)`, [demoCsv]);
    await scratchFiles.engine.query(`COPY (SELECT * REPLACE (CAST(json(Tags) AS MAP(VARCHAR, VARCHAR)) AS Tags) FROM read_csv($1, nullstr = 'NULL')) TO '${asMap}' (FORMAT parquet)`, [demoCsv]);
    const q: CostQuery = { period: ALL, granularity: 'monthly', groupBy: ['ProviderName', 'tag:environment'], metric: 'EffectiveCost' };
    const csv = await source([demoCsv]).query(q);
    for (const file of [asJson, asMap]) {
      const parquet = await source([file]).query(q);
      assert.equal(parquet.rows.length, csv.rows.length, file);
      for (const [i, row] of parquet.rows.entries()) {
        assert.deepEqual(row.groups, csv.rows[i]!.groups);
        assert.ok(near(row.cost, csv.rows[i]!.cost));
      }
    }
  });

  it('a folder and a glob read every file once, as one bill', async () => {
    const lines = fs.readFileSync(demoCsv, 'utf8').split('\n');
    const [header, ...body] = lines;
    write('split/a/part-1.csv', [header, ...body.slice(0, 400)].join('\n'));
    write('split/b/part-2.csv', [header, ...body.slice(400)].join('\n'));
    write('split/.hidden/part-3.csv', [header, ...body.slice(0, 10)].join('\n'));
    write('split/notes.txt', 'not a bill');
    const q: CostQuery = { period: ALL, granularity: 'monthly', groupBy: ['ProviderName'], metric: 'BilledCost' };
    const whole = await source([demoCsv]).query(q);
    for (const spec of [path.join(scratchFiles.dir, 'split'), path.join(scratchFiles.dir, 'split/*/part-*.csv')]) {
      const parts = source([spec]);
      assert.equal((await parts.files()).length, 2, spec);
      const result = await parts.query(q);
      assert.deepEqual(result.rows.map((r) => r.groups), whole.rows.map((r) => r.groups));
      result.rows.forEach((r, i) => assert.ok(near(r.cost, whole.rows[i]!.cost)));
    }
  });

  it('lists distinct resources with their latest tags, type, region and cost over the period', async () => {
    const resources = await source([demoCsv]).listResources();
    const ids = new Set(sample.map((r) => r.ResourceId).filter((id): id is string => id !== null));
    assert.equal(resources.length, ids.size);
    const costs = sumBy(sample.filter((r) => r.ResourceId), (r) => r.ResourceId!, (r) => num(r.EffectiveCost));
    for (const res of resources) {
      assert.ok(near(res.cost!.amount, costs.get(res.id)!), res.id);
      assert.equal(res.cost!.currency, 'USD');
      assert.deepEqual(res.cost!.period, { start: '2024-09-01', end: '2024-10-01' });
      const rows = sample.filter((r) => r.ResourceId === res.id).sort((a, b) => (a.ChargePeriodStart! < b.ChargePeriodStart! ? -1 : 1));
      const tagged = rows.filter((r) => r.Tags);
      if (tagged.length) {
        const latest = tagged.filter((r) => r.ChargePeriodStart === tagged.at(-1)!.ChargePeriodStart).map((r) => JSON.parse(r.Tags!) as Record<string, string>);
        assert.ok(latest.some((t) => JSON.stringify(t) === JSON.stringify(res.tags)), res.id);
      } else {
        assert.deepEqual(res.tags, {});
      }
      assert.equal(res.provider, rows[0]!.ProviderName);
    }
  });
});

describe('FocusFileSource: tags, NULL tokens, currencies, versions', () => {
  const header = 'BillingCurrency,BilledCost,EffectiveCost,ListCost,ChargePeriodStart,ChargePeriodEnd,ProviderName,ServiceName,ResourceId,Tags';

  it('matches a policy key through each cloud\'s tag names', async () => {
    const file = write('aliases.csv', [
      header,
      'USD,1,1,1,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,AWS,EC2,i-1,"{""Team"": ""vision""}"',
      'USD,2,2,2,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,Google Cloud,Compute Engine,vm-1,"{""team"": ""vision""}"',
      'USD,4,4,4,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,Microsoft,Virtual Machines,vm-2,"{""Team"": ""nlp"", ""team"": ""ignored""}"',
      'USD,8,8,8,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,Google Cloud,Compute Engine,vm-3,"{""Team"": ""ignored-on-gcp""}"',
      'USD,16,16,16,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,AWS,S3,b-1,NULL',
    ].join('\n'));
    const tagAliases = (key: string, cloud: 'aws' | 'azure' | 'gcp') => (cloud === 'gcp' ? [key.toLowerCase()] : [key]);
    const result = await source([file], { tagAliases }).query({ period: ALL, granularity: 'total', groupBy: ['tag:Team'], metric: 'BilledCost' });
    const byTeam = Object.fromEntries(result.rows.map((r) => [String(r.groups['tag:Team']), r.cost]));
    assert.deepEqual(byTeam, { vision: 3, nlp: 4, null: 24 });
    // without a policy each cloud's rule applies: the GCP label form `team`, Azure's names in any case
    const plain = await source([file]).query({ period: ALL, granularity: 'total', groupBy: ['tag:Team'], metric: 'BilledCost' });
    assert.deepEqual(Object.fromEntries(plain.rows.map((r) => [String(r.groups['tag:Team']), r.cost])), { vision: 3, nlp: 4, null: 24 });
    // exact names only, when a caller asks for that
    const exact = await source([file], { tagAliases: exactTagAliases }).query({ period: ALL, granularity: 'total', groupBy: ['tag:Team'], metric: 'BilledCost' });
    assert.deepEqual(Object.fromEntries(exact.rows.map((r) => [String(r.groups['tag:Team']), r.cost])), { vision: 1, nlp: 4, 'ignored-on-gcp': 8, null: 18 });
  });

  it('reads NULL tokens and empty fields as null, and carries every currency separately', async () => {
    const file = write('nulls.csv', [
      header,
      'USD,1.5,NULL,2,2024-09-01 00:00:00,2024-09-01 01:00:00,AWS,EC2,NULL,NULL',
      'EUR,2.5,2.5,,2024-09-02 00:00:00,2024-09-02 01:00:00,AWS,NULL,i-2,',
      'USD,3,3,3,2024-09-02 00:00:00,2024-09-02 01:00:00,AWS,,i-3,{}',
      'USD,NULL,NULL,NULL,2024-09-02 00:00:00,2024-09-02 01:00:00,AWS,EC2,i-4,"{""env"": ""dev""}"',
    ].join('\n'));
    const src = source([file]);
    const byService = await src.query({ period: ALL, granularity: 'total', groupBy: ['ServiceName', 'tag:env'], metric: 'BilledCost' });
    const got = byService.rows.map((r) => [r.groups.ServiceName, r.groups['tag:env'], r.currency, r.cost]).sort();
    assert.deepEqual(got, [['EC2', 'dev', 'USD', 0], ['EC2', null, 'USD', 1.5], [null, null, 'EUR', 2.5], [null, null, 'USD', 3]].sort());
    const effective = await src.query({ period: ALL, granularity: 'total', groupBy: [], metric: 'EffectiveCost' });
    assert.deepEqual(effective.rows.map((r) => [r.currency, r.cost]).sort(), [['EUR', 2.5], ['USD', 3]]);
    const resources = await src.listResources();
    assert.deepEqual(resources.map((r) => r.id).sort(), ['i-2', 'i-3', 'i-4']);
  });

  it('date-times with an offset are converted to UTC before the day is taken', async () => {
    const file = write('offsets.csv', [
      header,
      'USD,1,1,1,2024-09-01T01:00:00+02:00,2024-09-01T02:00:00+02:00,AWS,EC2,i-1,NULL',
      'USD,2,2,2,2024-09-01T01:00:00Z,2024-09-01T02:00:00Z,AWS,EC2,i-1,NULL',
      'USD,4,4,4,2024-08-31 23:30:00.000-01:00,2024-09-01 00:30:00.000-01:00,AWS,EC2,i-1,NULL',
      'USD,8,8,8,2024-09-01,2024-09-02,AWS,EC2,i-1,NULL',
    ].join('\n'));
    const result = await source([file]).query({ period: ALL, granularity: 'daily', groupBy: [], metric: 'BilledCost' });
    assert.deepEqual(result.rows.map((r) => [r.period, r.cost]), [['2024-08-31', 1], ['2024-09-01', 14]]);
  });

  it('a malformed Tags value reads as untagged, not as a failed query', async () => {
    const file = write('badtags.csv', [header, 'USD,1,1,1,2024-09-01 00:00:00,2024-09-01 01:00:00,AWS,EC2,i-1,"{not json"', 'USD,2,2,2,2024-09-01 00:00:00,2024-09-01 01:00:00,AWS,EC2,i-2,"{""Team"": ""a""}"'].join('\n'));
    const result = await source([file]).query({ period: ALL, granularity: 'total', groupBy: ['tag:Team'], metric: 'BilledCost' });
    assert.deepEqual(result.rows.map((r) => [r.groups['tag:Team'], r.cost]).sort(), [['a', 2], [null, 1]].sort());
  });

  it('FOCUS 1.2 columns are read; a column a 1.0 file lacks reads empty with a warning', async () => {
    const v12 = write('v12.csv', [`${header},ServiceSubcategory,InvoiceId,PricingCurrency`, 'USD,5,4,6,2024-09-01 00:00:00,2024-09-01 01:00:00,AWS,EC2,i-1,NULL,Virtual Machines,inv-1,USD'].join('\n'));
    const src12 = source([v12]);
    assert.equal((await src12.summary()).files[0]!.focusVersion, '1.2');
    const r12 = await src12.query({ period: ALL, granularity: 'total', groupBy: ['ServiceSubcategory'], metric: 'EffectiveCost' });
    assert.deepEqual(r12.rows.map((r) => [r.groups.ServiceSubcategory, r.cost]), [['Virtual Machines', 4]]);
    assert.equal(r12.warnings, undefined);
    const r10 = await source([demoCsv]).query({ period: ALL, granularity: 'total', groupBy: ['ServiceSubcategory'], metric: 'EffectiveCost' });
    assert.deepEqual(r10.rows.map((r) => r.groups.ServiceSubcategory), [null]);
    assert.match(r10.warnings?.join(' ') ?? '', /ServiceSubcategory/);
  });

  it('reads headers directly: semicolons, tabs, a BOM, quoted names, gzip', async () => {
    const rows = ['BillingCurrency;BilledCost;EffectiveCost;ChargePeriodStart;ProviderName;"Tags"', 'EUR;1,5;1;2024-09-01 00:00:00;AWS;"{""a"": ""b;c""}"'];
    const semi = write('semi.csv', `\uFEFF${rows.join('\r\n')}\r\n`);
    assert.deepEqual(await readCsvHeader(semi), { columns: ['BillingCurrency', 'BilledCost', 'EffectiveCost', 'ChargePeriodStart', 'ProviderName', 'Tags'], delimiter: ';' });
    const tsv = write('tabs.tsv', 'BillingCurrency\tBilledCost\tEffectiveCost\tChargePeriodStart\tProviderName\tTags\nEUR\t2\t1\t2024-09-01 00:00:00\tAWS\t{"a": "b,c"}\n');
    const gz = path.join(scratchFiles.dir, 'tabs.tsv.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(tsv)));
    assert.equal((await readCsvHeader(gz))?.delimiter, '\t');
    for (const file of [tsv, gz]) {
      const result = await source([file]).query({ period: ALL, granularity: 'total', groupBy: ['tag:a'], metric: 'BilledCost' });
      assert.deepEqual(result.rows.map((r) => [r.groups['tag:a'], r.cost, r.currency]), [['b,c', 2, 'EUR']]);
    }
    // A decimal comma is not a number: the file is refused, not misread.
    await rejects(source([semi]).query({ period: ALL, granularity: 'total', groupBy: [], metric: 'BilledCost' }), 'input', 'semi.csv');
  });

  it('coverage() gives the dates the files hold', async () => {
    assert.deepEqual(await source([demoCsv]).coverage(), { start: '2024-09-01', end: '2024-10-01' });
  });
});

describe('FocusFileSource: large CSV bills loaded into Parquet copies on first use', () => {
  it('answers as the CSV does, makes the copy once, and replaces it when the bill changes', async () => {
    const dir = path.join(scratchFiles.dir, 'copies');
    const bill = path.join(scratchFiles.dir, 'copied/bill.csv');
    fs.mkdirSync(path.dirname(bill), { recursive: true });
    fs.copyFileSync(demoCsv, bill);
    const queries: CostQuery[] = [
      { period: ALL, granularity: 'daily', groupBy: ['ProviderName', 'tag:business_unit'], metric: 'EffectiveCost' },
      { period: { start: '2024-09-10', end: '2024-09-20' }, granularity: 'monthly', groupBy: ['ServiceSubcategory'], metric: 'ListCost' },
    ];
    const copied = source([bill], { copies: { dir, minBytes: 0 } });
    for (const q of queries) {
      const [direct, viaCopy] = [await source([bill]).query(q), await copied.query(q)];
      assert.deepEqual(viaCopy.rows.map((r) => [r.groups, r.period, r.currency]), direct.rows.map((r) => [r.groups, r.period, r.currency]));
      viaCopy.rows.forEach((r, i) => assert.ok(near(r.cost, direct.rows[i]!.cost)));
      assert.deepEqual(viaCopy.warnings, direct.warnings);
    }
    const made = fs.readdirSync(dir);
    assert.equal(made.length, 1);
    assert.match(made[0]!, /\.parquet$/);
    const stamp = fs.statSync(path.join(dir, made[0]!)).mtimeMs;
    assert.equal((await source([bill], { copies: { dir, minBytes: 0 } }).summary()).files[0]!.path, bill);
    assert.equal(fs.statSync(path.join(dir, made[0]!)).mtimeMs, stamp, 'a second source reuses the copy');
    // The bill changes: a new copy replaces the old one, and answers follow the new content.
    const lines = fs.readFileSync(demoCsv, 'utf8').split('\n');
    fs.writeFileSync(bill, lines.slice(0, 101).join('\n'));
    const fresh = source([bill], { copies: { dir, minBytes: 0 } });
    const total = await fresh.query({ period: ALL, granularity: 'total', groupBy: [], metric: 'BilledCost' });
    assert.ok(near(total.rows[0]!.cost, readCsv(bill).reduce((s, r) => s + num(r.BilledCost), 0)));
    assert.equal(fs.readdirSync(dir).length, 1);
    assert.notEqual(fs.readdirSync(dir)[0], made[0]);
  });

  it('a malformed large CSV fails with its own name, and leaves no partial copy', async () => {
    const dir = path.join(scratchFiles.dir, 'copies-bad');
    const bad = write('bad-large.csv', 'BillingCurrency,BilledCost,EffectiveCost,ChargePeriodStart,ProviderName\nUSD,x,1,2024-09-01 00:00:00,AWS\n');
    await rejects(source([bad], { copies: { dir, minBytes: 0 } }).query({ period: ALL, granularity: 'total', groupBy: [], metric: 'BilledCost' }), 'input', 'bad-large.csv');
    assert.deepEqual(fs.existsSync(dir) ? fs.readdirSync(dir) : [], []);
  });
});

describe('FocusFileSource: bad input', () => {
  it('a CSV that is not a bill names the missing FOCUS columns and the fix', async () => {
    const file = write('people.csv', 'name,age\nada,36\n');
    await rejects(source([file]).query({ period: ALL, granularity: 'total', groupBy: [], metric: 'BilledCost' }), 'input', 'ChargePeriodStart', 'BilledCost', 'EffectiveCost', 'BillingCurrency', 'FOCUS');
  });

  it('a FOCUS file without a required column names it', async () => {
    const file = write('nocurrency.csv', 'BilledCost,EffectiveCost,ChargePeriodStart,ProviderName\n1,1,2024-09-01 00:00:00,AWS\n');
    await rejects(source([file]).query({ period: ALL, granularity: 'total', groupBy: [], metric: 'BilledCost' }), 'input', 'BillingCurrency');
  });

  it('an unreadable cost or date is an invalidInput error naming the file, not a silent zero', async () => {
    const header = 'BillingCurrency,BilledCost,EffectiveCost,ChargePeriodStart,ProviderName';
    const badCost = write('badcost.csv', `${header}\nUSD,1,1,2024-09-01 00:00:00,AWS\nUSD,abc,1,2024-09-01 00:00:00,AWS\n`);
    await rejects(source([badCost]).query({ period: ALL, granularity: 'total', groupBy: [], metric: 'BilledCost' }), 'input', 'badcost.csv');
    const badDate = write('baddate.csv', `${header}\nUSD,1,1,yesterday,AWS\n`);
    await rejects(source([badDate]).query({ period: ALL, granularity: 'total', groupBy: [], metric: 'BilledCost' }), 'input', 'baddate.csv');
    const ragged = write('ragged.csv', `${header}\nUSD,1,1,2024-09-01 00:00:00,AWS,extra,fields\n`);
    await rejects(source([ragged]).query({ period: ALL, granularity: 'total', groupBy: [], metric: 'BilledCost' }), 'input', 'ragged.csv');
  });

  it('missing paths, empty folders, unmatched globs and unsupported files', async () => {
    const q: CostQuery = { period: ALL, granularity: 'total', groupBy: [], metric: 'BilledCost' };
    await rejects(source([path.join(scratchFiles.dir, 'nope.csv')]).query(q), 'input', 'nope.csv');
    fs.mkdirSync(path.join(scratchFiles.dir, 'empty'), { recursive: true });
    await rejects(source([path.join(scratchFiles.dir, 'empty')]).query(q), 'input', 'empty');
    await rejects(source([path.join(scratchFiles.dir, 'empty/*.parquet')]).query(q), 'input', '*.parquet');
    await rejects(source([write('bill.zip', 'PK')]).query(q), 'input', 'Unzip');
    await rejects(source([]).query(q), 'usage', 'mlFinops.focus.files');
  });

  it('an invalid query is rejected before any file is read', async () => {
    await rejects(source([demoCsv]).query({ period: { start: '2024-10-01', end: '2024-09-01' }, granularity: 'daily', groupBy: [], metric: 'BilledCost' }), 'input');
    await rejects(source([demoCsv]).query({ period: ALL, granularity: 'daily', groupBy: ['Nope' as 'ProviderName'], metric: 'BilledCost' }), 'input');
  });

  it('an aborted signal cancels', async () => {
    const controller = new AbortController();
    controller.abort();
    await rejects(source([demoCsv]).query({ period: ALL, granularity: 'daily', groupBy: [], metric: 'BilledCost' }, controller.signal), 'cancelled');
  });
});
