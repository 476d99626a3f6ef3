import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { checkedSum } from '../../../src/core/cost/amounts';
import type { CostQuery } from '../../../src/core/cost/model';
import { isCancelled, isFinOpsError, type FailureReason } from '../../../src/core/errors';
import { FocusFileSource, scaleNote } from '../../../src/providers/focus/focusFileSource';
import { near, readCsv } from './tinyCsv';
import { billScratch } from '../../support/scratch';
import { encodeCsv, type Newlines, type TextEncoding } from './billText';

/**
 * The classes of bad bill input, each read the way users meet it: line endings, encodings, numbers, dates,
 * structure and folders. A bill that can be read correctly is read; anything else is a FinOpsError naming the
 * file, the row (and line) and the column, and the shared DuckDB keeps working.
 */
const root = path.resolve(__dirname, '../../..');
const ALL = { start: '1970-01-01', end: '9999-12-31' };
const HEADER = ['BillingCurrency', 'BilledCost', 'EffectiveCost', 'ChargePeriodStart', 'ProviderName', 'Tags'];

const bills = billScratch('billinput');

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
function csvText(rows: string[][], header = HEADER): string[] {
  return [header, ...rows].map((r) => r.map(csvField).join(','));
}
function write(name: string, data: string | Buffer): string {
  const file = path.join(bills.dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return file;
}
function source(paths: string[]) {
  return new FocusFileSource({ paths, baseDir: bills.dir, engine: bills.engine });
}
const byTeam: CostQuery = { period: ALL, granularity: 'daily', groupBy: ['ProviderName', 'tag:team'], metric: 'EffectiveCost' };

async function refused(p: Promise<unknown>, reason: FailureReason, ...mentions: (string | RegExp)[]): Promise<string> {
  let message = '';
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isFinOpsError(e), `expected a FinOpsError, got ${String(e)}`);
    assert.equal(e.reason, reason, e.message);
    assert.ok(e.fix, 'a fix is named');
    message = e.message;
    for (const m of mentions) assert.ok(typeof m === 'string' ? e.message.includes(m) : m.test(e.message), `"${e.message}" should mention ${String(m)}`);
    assert.doesNotMatch(e.message, /(Invalid Input|Conversion|Binder|Parser|Catalog|INTERNAL|FATAL|IO) Error|DuckDB/, 'no bills.engine message');
    return true;
  });
  return message;
}

/** The bills.engine still answers after a refused file (an internal DuckDB error would have invalidated it). */
async function engineAlive() {
  const [row] = await bills.engine.query('SELECT 41 + 1 AS n');
  assert.equal(row!.n, 42);
}

const ROWS = [
  ['USD', '1.25', '1.5', '2024-09-01 00:00:00', 'AWS', '{"team": "café", "env": "prod"}'],
  ['USD', '2', '2.25', '2024-09-01 13:00:00', 'AWS', '{"team": "Zoë’s “ML” – €"}'],
  ['USD', '4', '4', '2024-09-02 00:00:00', 'Microsoft', ''],
  ['EUR', '8', '8', '2024-09-02 00:00:00', 'Microsoft', '{"team": "façade"}'],
];

describe('line endings', () => {
  it('a real Azure MCA export whose rows end in CRLF and then LF is read, to the cent', async () => {
    const file = path.join(root, 'test/fixtures/bills/azure_mca_camel_koku_4rows.csv');
    const bytes = fs.readFileSync(file);
    assert.ok(bytes.includes('\r\n') && /[^\r]\n/.test(bytes.toString('latin1')), 'the fixture mixes CRLF and LF');
    const expected = readCsv(file).reduce((s, r) => s + Number(r.costInBillingCurrency), 0);
    const result = await source([file]).query({ period: ALL, granularity: 'total', groupBy: ['ProviderName'], metric: 'BilledCost' });
    assert.equal(result.rows.length, 1);
    assert.ok(near(result.rows[0]!.cost, expected), `${result.rows[0]!.cost} vs ${expected}`);
  });

  it('LF, CRLF, CR and every mix (seeded) give the same answer', async () => {
    const want = await source([write('nl-lf.csv', encodeCsv(csvText(ROWS), 'utf-8', 'lf'))]).query(byTeam);
    assert.equal(want.rows.length, 4);
    const kinds: Newlines[] = ['crlf', 'cr', 'mixed', 'mixed-last-lf', 'mixed-last-crlf'];
    for (const [i, nl] of kinds.entries()) {
      for (const seed of [1, 2, 3]) {
        const got = await source([write(`nl-${i}-${seed}.csv`, encodeCsv(csvText(ROWS), 'utf-8', nl, seed))]).query(byTeam);
        assert.deepEqual(got.rows, want.rows, `${nl} seed ${seed}`);
      }
    }
  });

  it('a multi-line quoted value in a CRLF file keeps its line break', async () => {
    const rows = [['USD', '1', '1', '2024-09-01 00:00:00', 'Amazon\nWeb Services', '{"team": "a"}']];
    for (const nl of ['crlf', 'mixed'] as const) {
      const got = await source([write(`nl-multiline-${nl}.csv`, encodeCsv(csvText(rows), 'utf-8', nl))]).query(byTeam);
      assert.equal(got.rows[0]!.groups.ProviderName, 'Amazon\nWeb Services', nl);
    }
  });
});

describe('encodings', () => {
  it('UTF-8 (with or without BOM), Windows-1252 / Latin-1, UTF-16 LE / BE (with or without BOM) read alike', async () => {
    const want = await source([write('enc-utf8.csv', encodeCsv(csvText(ROWS), 'utf-8', 'lf'))]).query(byTeam);
    assert.deepEqual(want.rows.map((r) => r.groups['tag:team']).sort(), ['Zoë’s “ML” – €', 'café', 'façade', null].sort());
    const encodings: [TextEncoding, boolean][] = [['utf-8', true], ['windows-1252', false], ['utf-16le', true], ['utf-16be', true], ['utf-16le', false]];
    for (const [encoding, bom] of encodings) {
      for (const nl of ['lf', 'crlf'] as const) {
        const name = `enc-${encoding}-${bom ? 'bom' : 'nobom'}-${nl}.csv`;
        const got = await source([write(name, encodeCsv(csvText(ROWS), encoding, nl, 1, bom))]).query(byTeam);
        assert.deepEqual(got.rows, want.rows, name);
        if (encoding === 'windows-1252') {
          assert.ok(got.warnings?.some((w) => w.includes(name) && /not UTF-8 \(from line 2\): read as Windows-1252/.test(w)), `a note names ${name}: ${got.warnings?.join(' | ')}`);
        }
      }
    }
  });

  it('a converted copy removed behind the reader\'s back (a temp clean-up) is made again', async () => {
    const src = source([write('enc-gone.csv', encodeCsv(csvText(ROWS), 'windows-1252', 'lf'))]);
    const first = await src.query(byTeam);
    const [file] = await src.files();
    assert.ok(file?.readPath && fs.existsSync(file.readPath));
    fs.rmSync(path.dirname(file.readPath), { recursive: true, force: true });
    assert.deepEqual((await src.query(byTeam)).rows, first.rows);
    src.dispose();
  });

  it('a gzipped Windows-1252 export is read too', async () => {
    const got = await source([write('enc-1252.csv.gz', zlib.gzipSync(encodeCsv(csvText(ROWS), 'windows-1252', 'crlf')))]).query(byTeam);
    assert.ok(got.rows.some((r) => r.groups['tag:team'] === 'façade'));
  });

  it('a non-UTF-8 byte in a grouped column of a UTF-8 file is refused naming the file and line; DuckDB keeps working', async () => {
    const good = encodeCsv(csvText(ROWS), 'utf-8', 'lf');
    const line3 = good.indexOf('\n', good.indexOf('\n') + 1) + 1;
    const broken = Buffer.concat([good.subarray(0, line3 + 60), Buffer.from([0xe9]), good.subarray(line3 + 60)]);
    await refused(source([write('broken-utf8.csv', broken)]).query(byTeam), 'input', 'broken-utf8.csv', 'line 3', /not valid UTF-8/);
    await engineAlive();
  });

  it('bytes no Western encoding uses are refused naming the line', async () => {
    const latin = encodeCsv(csvText([['USD', '1', '1', '2024-09-01 00:00:00', 'AWS', '{"team": "caf\u00e9"}'], ['USD', '1', '1', '2024-09-01 00:00:00', 'AWS', '{"team": "x"}']]), 'windows-1252', 'lf');
    const bad = Buffer.from(latin);
    bad[bad.lastIndexOf('x'.charCodeAt(0))] = 0x81;
    await refused(source([write('undefined-byte.csv', bad)]).query(byTeam), 'input', 'undefined-byte.csv', 'line 3', /neither UTF-8 nor Windows-1252/);
    await engineAlive();
  });

  it('DuckDB\'s own failure on a non-UTF-8 value no longer invalidates the shared bills.engine', async () => {
    const file = write('raw-latin.csv', Buffer.concat([Buffer.from('a,b\n1,"caf'), Buffer.from([0xe9]), Buffer.from('"\n')]));
    // read behind the product's back: DuckDB fails with an internal error and invalidates its database
    await assert.rejects(bills.engine.query(`SELECT b FROM read_csv($1, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {'a': 'VARCHAR', 'b': 'VARCHAR'})`, [file]));
    await engineAlive();
  });
});

describe('numbers', () => {
  const badAmounts = ['NaN', 'nan', '-NaN', 'Infinity', '-Infinity', 'inf', '1e400', 'abc', '1,5', '$3', '1e15', '-2.5e15', '12 34'];
  for (const column of ['BilledCost', 'EffectiveCost'] as const) {
    it(`${column}: ${badAmounts.join(' ')} are refused naming file, row, line and column`, async () => {
      for (const [i, value] of badAmounts.entries()) {
        const rows = ROWS.map((r) => [...r]);
        rows[2]![HEADER.indexOf(column)] = value;
        const name = `amount-${column}-${i}.csv`;
        const message = await refused(source([write(name, encodeCsv(csvText(rows), 'utf-8', i % 2 ? 'crlf' : 'lf'))]).query({ ...byTeam, metric: column }), 'input', `${name}, row 3 (line 4), column ${column}`);
        assert.ok(message.includes(`"${value}"`), message);
      }
      await engineAlive();
    });
  }

  it('amounts up to the limit are summed; sums stay finite', async () => {
    const rows = Array.from({ length: 20 }, () => ['USD', '9.99e14', '9.99e14', '2024-09-01 00:00:00', 'AWS', '']);
    const got = await source([write('big-amounts.csv', csvText(rows).join('\n'))]).query({ period: ALL, granularity: 'total', groupBy: [], metric: 'BilledCost' });
    assert.ok(near(got.rows[0]!.cost, 20 * 9.99e14));
  });

  it('a NaN or infinite cost in a Parquet file is refused naming the row', async () => {
    for (const [i, value] of ['NaN', 'Infinity', '-Infinity', '1e300'].entries()) {
      const file = path.join(bills.dir, `amount-${i}.parquet`);
      await bills.engine.query(`COPY (SELECT 'USD' AS BillingCurrency, CAST(x AS DOUBLE) AS BilledCost, CASE WHEN x = 3 THEN CAST($1 AS DOUBLE) ELSE 1.0 END AS EffectiveCost,
        TIMESTAMP '2024-09-01' AS ChargePeriodStart, 'AWS' AS ProviderName FROM range(1, 6) t(x)) TO '${file}' (FORMAT parquet)`, [value]);
      await refused(source([file]).query(byTeam), 'input', `amount-${i}.parquet, row 3, column EffectiveCost`);
    }
  });

  it('native exports: the cost column of AWS CUR, Azure and Google Cloud exports is checked the same way', async () => {
    const cur = write('native-cur.csv', 'lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,lineItem/CurrencyCode,lineItem/ProductCode\nUsage,2024-09-01T00:00:00Z,2.5,USD,AmazonEC2\nUsage,2024-09-01T01:00:00Z,NaN,USD,AmazonEC2\n');
    await refused(source([cur]).query(byTeam), 'input', 'native-cur.csv, row 2 (line 3), column lineItem/UnblendedCost', '"NaN" is not a number');
    const azure = write('native-azure.csv', 'date,subscriptionId,meterCategory,costInBillingCurrency,billingCurrency\n09/01/2024,s1,Virtual Machines,1.5,USD\n09/02/2024,s1,Virtual Machines,Infinity,USD\n');
    await refused(source([azure]).query(byTeam), 'input', 'native-azure.csv, row 2 (line 3), column costInBillingCurrency', 'infinite');
    const gcp = write('native-gcp.csv', 'billing_account_id,service.description,usage_start_time,cost,currency,credits\nA,Compute Engine,2024-09-01T00:00:00Z,3,USD,"[{\'name\': \'x\', \'amount\': -1.0}]"\nA,Compute Engine,2024-09-01T00:00:00Z,3,USD,"[{\'name\': \'x\', \'amount\': 1.2.3}]"\n');
    await refused(source([gcp]).query(byTeam), 'input', 'native-gcp.csv, row 2 (line 3), column credits', '"1.2.3" is not a number');
    await engineAlive();
  });

  it('checkedSum refuses what is not a finite sum, naming the source, metric and group', () => {
    assert.equal(checkedSum(12.5, { source: 's', metric: 'BilledCost', group: 'g' }), 12.5);
    assert.equal(checkedSum('7', { source: 's', metric: 'BilledCost', group: 'g' }), 7);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, undefined, '', 'x']) {
      assert.throws(() => checkedSum(bad, { source: 'bill.csv', metric: 'EffectiveCost', group: '2024-09-01' }),
        (e: unknown) => isFinOpsError(e, 'input') && e.message.startsWith('bill.csv: the sum of EffectiveCost for 2024-09-01 is'));
    }
  });
});

describe('dates', () => {
  it('a value that is not a date-time, lies outside 1970–9999, or is missing is refused naming the row', async () => {
    const cases: [string, RegExp][] = [
      ['2024-13-01 00:00:00', /is not a date-time/], ['yesterday', /is not a date-time/], ['0000-01-01 00:00:00', /is not a date-time between 1970-01-01 and 9999-12-30/],
      ['infinity', /is not a date-time/], ['1969-12-31 23:00:00', /is not a date-time/], ['', /missing/], ['NULL', /missing/],
    ];
    for (const [i, [value, why]] of cases.entries()) {
      const rows = ROWS.map((r) => [...r]);
      rows[1]![3] = value;
      const name = `date-${i}.csv`;
      await refused(source([write(name, csvText(rows).join('\n'))]).query(byTeam), 'input', `${name}, row 2 (line 3), column ChargePeriodStart`, why);
    }
    await engineAlive();
  });
});

describe('dates in Parquet, with a period', () => {
  it('row groups outside the period are skipped, yet a missing date inside the file is still refused', async () => {
    const file = path.join(bills.dir, 'period.parquet');
    await bills.engine.query(`COPY (SELECT 'USD' AS BillingCurrency, CAST(x AS DOUBLE) AS BilledCost, CAST(x AS DOUBLE) AS EffectiveCost,
      TIMESTAMP '2024-09-01' + to_days(CAST(x % 30 AS INTEGER)) AS ChargePeriodStart, 'AWS' AS ProviderName FROM range(1, 301) t(x) ORDER BY 4) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 10)`);
    const week = { start: '2024-09-08', end: '2024-09-15' };
    const got = await source([file]).query({ period: week, granularity: 'total', groupBy: [], metric: 'BilledCost' });
    let want = 0;
    for (let x = 1; x <= 300; x++) if (x % 30 >= 7 && x % 30 < 14) want += x;
    assert.equal(got.rows[0]!.cost, want);
    const holed = path.join(bills.dir, 'period-null.parquet');
    await bills.engine.query(`COPY (SELECT 'USD' AS BillingCurrency, 1.0 AS BilledCost, 1.0 AS EffectiveCost, CASE WHEN x = 250 THEN NULL ELSE TIMESTAMP '2024-09-01' + to_days(CAST(x % 30 AS INTEGER)) END AS ChargePeriodStart FROM range(1, 301) t(x)) TO '${holed}' (FORMAT parquet, ROW_GROUP_SIZE 10)`);
    await refused(source([holed]).query({ period: week, granularity: 'total', groupBy: [], metric: 'BilledCost' }), 'input', 'period-null.parquet, row 250, column ChargePeriodStart', 'missing');
  });
});

describe('structure', () => {
  it('too few or too many fields, an unclosed quote and text after a quote name the row, line and column', async () => {
    const base = csvText(ROWS);
    const cases: [string, string[], (string | RegExp)[]][] = [
      ['few', [...base.slice(0, 2), 'USD,1,1,2024-09-01 00:00:00,AWS', ...base.slice(2)], ['row 2 (line 3): 5 fields where the header has 6']],
      ['many', [...base.slice(0, 3), `${base[3]},extra`, ...base.slice(4)], ['row 3 (line 4): 7 fields where the header has 6']],
      ['unclosed', [...base.slice(0, 4), 'USD,1,1,2024-09-01 00:00:00,AWS,"{""team"": ""x""}'], ['row 4 (line 5), column Tags: a quoted value is never closed']],
      ['after-quote', [...base.slice(0, 2), 'USD,1,1,"2024-09-01 00:00:00"x,AWS,', ...base.slice(2)], ['row 2 (line 3), column ChargePeriodStart: text follows the closing quote']],
    ];
    for (const [name, lines, mentions] of cases) {
      await refused(source([write(`struct-${name}.csv`, lines.join('\n'))]).query(byTeam), 'input', `struct-${name}.csv, `, ...mentions);
    }
    await refused(source([write('empty.csv', '')]).query(byTeam), 'input', 'empty.csv');
    const twice = csvText(ROWS, HEADER.map((h) => (h === 'BilledCost' ? 'EffectiveCost' : h)));
    await refused(source([write('twice.csv', twice.join('\n'))]).query(byTeam), 'input', 'twice.csv: the header names column EffectiveCost twice (columns 2 and 3)');
    const blankName = csvText(ROWS.map((r) => [...r, 'x']), [...HEADER, '']);
    assert.equal((await source([write('blank-name.csv', blankName.join('\n'))]).query(byTeam)).rows.length, 4, 'an unnamed extra column is harmless');
    await refused(source([write('nul-header.csv', `${HEADER.join(',').replace('Tags', 'Ta\0gs')}\nUSD,1,1,2024-09-01,AWS,\n`)]).query(byTeam), 'input', 'nul-header.csv', 'column 6', 'NUL');
    await engineAlive();
  });
});

describe('cancelling', () => {
  it('a cancelled read of a file being converted is a cancellation, not a broken file', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(source([write('cancel-1252.csv', encodeCsv(csvText(ROWS), 'windows-1252', 'lf'))]).query(byTeam, controller.signal), (e: unknown) => isCancelled(e));
  });
});

describe('size', () => {
  it('a bill past about 100 M Parquet rows or 2 GiB of CSV points at the warehouse path', async () => {
    assert.equal(scaleNote([{ format: 'parquet', size: 3e9, rows: 99_000_000 }]), undefined);
    assert.match(scaleNote([{ format: 'parquet', size: 2e9, rows: 60_000_000 }, { format: 'parquet', size: 2e9, rows: 45_000_000 }]) ?? '',
      /^These bills hold 105\.0 M rows, and every query reads them whole: past about 100\.0 M rows, query the export where it lies: Athena .*docs\/athena\.md.* BigQuery/);
    assert.match(scaleNote([{ format: 'csv', size: 3 * 1024 ** 3 }]) ?? '', /^These CSV bills hold 3\.0 GiB, scanned whole by every query: export Parquet instead/);
    assert.equal(scaleNote([{ format: 'csv', size: 3 * 1024 ** 3, origin: {} }]), undefined, 'a Parquet copy is not scanned as CSV');
    // the row count comes from the Parquet footer, without a scan
    const file = path.join(bills.dir, 'rows.parquet');
    await bills.engine.query(`COPY (SELECT 'USD' AS BillingCurrency, 1.0 AS BilledCost, 1.0 AS EffectiveCost, TIMESTAMP '2024-09-01' AS ChargePeriodStart FROM range(12345)) TO '${file}' (FORMAT parquet)`);
    const [inspected] = await source([file]).files();
    assert.equal(inspected!.rows, 12345);
  });
});

describe('folders', () => {
  it('a file in a folder that is not a bill is skipped with a warning naming it', async () => {
    write('folder/bill-a.csv', csvText(ROWS.slice(0, 2)).join('\n'));
    write('folder/sub/bill-b.csv', csvText(ROWS.slice(2)).join('\n'));
    write('folder/README.csv', 'section,text\nintro,hello\n');
    write('folder/sub/manifest.csv', 'file,rows\nbill-b.csv,2\n');
    const result = await source(['folder']).query(byTeam);
    const all = await source([write('folder-all.csv', csvText(ROWS).join('\n'))]).query(byTeam);
    assert.deepEqual(result.rows, all.rows);
    const skipped = (result.warnings ?? []).filter((w) => w.startsWith('Skipped '));
    assert.deepEqual(skipped.map((w) => w.split(':')[0]).sort(), ['Skipped folder/README.csv', 'Skipped folder/sub/manifest.csv']);
    assert.ok(skipped.every((w) => /is not a FOCUS file/.test(w)));
    // the same through a glob
    const globbed = await source(['folder/**/*.csv']).query(byTeam);
    assert.deepEqual(globbed.rows, all.rows);
    assert.equal((globbed.warnings ?? []).filter((w) => w.startsWith('Skipped ')).length, 2);
  });

  it('a folder with no bill at all, or a non-bill named itself, is refused naming the files', async () => {
    write('nobill/a.csv', 'x,y\n1,2\n');
    write('nobill/b.csv', 'p,q\n3,4\n');
    await refused(source(['nobill']).query(byTeam), 'input', 'No bill among a.csv, b.csv');
    await refused(source(['nobill/a.csv']).query(byTeam), 'input', 'a.csv is not a FOCUS file');
  });

  it('a broken bill in a folder is not skipped: the total would be wrong', async () => {
    write('broken/bill-a.csv', csvText(ROWS).join('\n'));
    const rows = ROWS.map((r) => [...r]);
    rows[0]![2] = 'NaN';
    write('broken/bill-b.csv', csvText(rows).join('\n'));
    await refused(source(['broken']).query(byTeam), 'input', 'bill-b.csv, row 1 (line 2), column EffectiveCost');
  });
});
