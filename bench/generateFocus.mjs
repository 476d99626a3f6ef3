#!/usr/bin/env node
// @ts-check
// Makes large, realistic FOCUS 1.0 files for benchmarks by resampling the real FOCUS sample bill
// (FOCUS-Sample-Data, CC-BY-4.0; shipped as demo/billing/real-sample/focus_1.0_sample_1000.csv).
//
// Every output row is a real sample row with: a resampled resource (the original ResourceId with a
// variant suffix, so one real resource becomes up to --variants synthetic ones), the tag set of a real
// resource of the same provider (kept stable per synthetic resource), a resampled day in a 92-day window
// (the original hour is kept) and its costs and quantities scaled by a factor in [0.25, 2.75).
// The data is SYNTHETIC: file names say so and the Parquet file carries `synthetic=true` metadata.
//
//   node bench/generateFocus.mjs [--rows 1000000] [--out bench/data] [--formats csv,parquet]
//                                [--variants 40] [--days 92] [--start 2024-07-01] [--seed 7] [--source FILE]
//                                [--parts 1] [--threads N] [--memory-limit 4GB]
//
// --parts K writes K Parquet files into a folder `<name>.parts/`, each holding a contiguous span of days (as exports
// split by billing period do), every part sorted by time; use it for 10 M rows and more (one sort per part). CSV is
// written as one file only. --threads / --memory-limit bound DuckDB on a shared machine (spills to --out).
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    out: { type: 'string', default: path.join(root, 'bench/data') },
    formats: { type: 'string', default: 'csv,parquet' },
    variants: { type: 'string', default: '40' },
    days: { type: 'string', default: '92' },
    start: { type: 'string', default: '2024-07-01' },
    seed: { type: 'string', default: '7' },
    source: { type: 'string', default: path.join(root, 'demo/billing/real-sample/focus_1.0_sample_1000.csv') },
    parts: { type: 'string', default: '1' },
    threads: { type: 'string' },
    'memory-limit': { type: 'string', default: '4GB' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}

const rows = Number(opts.rows);
const variants = Number(opts.variants);
const days = Number(opts.days);
const seed = Number(opts.seed);
const parts = Number(opts.parts);
if (![rows, variants, days, seed, parts].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--rows, --variants, --days, --seed and --parts take positive integers');
if (parts > days) throw new Error('--parts cannot exceed --days (each part holds whole days)');
if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.start)) throw new Error('--start takes YYYY-MM-DD');
const formats = opts.formats.split(',').map((f) => f.trim());
if (!fs.existsSync(opts.source)) throw new Error(`FOCUS sample not found: ${opts.source}`);

/** String columns of the sample; the CSV output quotes them as the real export does. */
const VARCHAR_COLUMNS = [
  'AvailabilityZone', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart',
  'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd', 'ChargePeriodStart',
  'CommitmentDiscountCategory', 'CommitmentDiscountId', 'CommitmentDiscountName', 'CommitmentDiscountStatus',
  'CommitmentDiscountType', 'ConsumedUnit', 'InvoiceIssuerName', 'ListUnitPrice', 'PricingCategory', 'PricingUnit',
  'ProviderName', 'PublisherName', 'RegionId', 'RegionName', 'ResourceId', 'ResourceName', 'ResourceType',
  'ServiceCategory', 'ServiceName', 'SkuId', 'SkuPriceId', 'SubAccountId', 'SubAccountName', 'Tags',
];
const SCALED = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost', 'ConsumedQuantity', 'PricingQuantity'];
const q = (/** @type {string} */ id) => `"${id.replaceAll('"', '""')}"`;
const lit = (/** @type {unknown} */ s) => `'${String(s).replaceAll("'", "''")}'`;

fs.mkdirSync(opts.out, { recursive: true });
const instance = await DuckDBInstance.create(':memory:', {
  autoinstall_known_extensions: 'false', autoload_known_extensions: 'false',
  memory_limit: opts['memory-limit'], temp_directory: path.join(opts.out, '.duckdb-tmp'),
  ...(opts.threads ? { threads: opts.threads } : {}),
});
const db = await instance.connect();
await db.run("SET TimeZone = 'UTC'");
const typeSpec = `{${VARCHAR_COLUMNS.map((c) => `${lit(c)}: 'VARCHAR'`).join(', ')}}`;
await db.run(`CREATE TEMP TABLE s AS SELECT (row_number() OVER () - 1)::BIGINT AS rn, * FROM read_csv($1, header = true, nullstr = 'NULL', types = ${typeSpec})`, [opts.source]);
const header = (await db.runAndReadAll('SELECT * FROM s LIMIT 0')).columnNames().filter((c) => c !== 'rn');
const sampleRows = Number((await db.runAndReadAll('SELECT count(*) FROM s')).getRows()[0][0]);
// Real tag sets per provider (NULL included: untagged resources stay as common as in the real bill).
await db.run(`CREATE TEMP TABLE tagpool AS
  SELECT ProviderName, (row_number() OVER (PARTITION BY ProviderName ORDER BY rn) - 1)::BIGINT AS tn, Tags FROM s`);
await db.run('CREATE TEMP TABLE tagcount AS SELECT ProviderName, count(*)::BIGINT AS n FROM tagpool GROUP BY ProviderName');

/** The SELECT list: CSV keeps the sample's text forms; Parquet gets real TIMESTAMP and DOUBLE columns. */
/** @param {'csv' | 'parquet'} format */
function selectList(format) {
  const ts = (/** @type {string} */ expr) => (format === 'csv' ? `strftime(${expr}, '%Y-%m-%d %H:%M:%S')` : expr);
  return header.map((c) => {
    switch (c) {
      case 'Id': return `g.i AS ${q(c)}`;
      case 'ResourceId': return `g.rid AS ${q(c)}`;
      case 'Tags': return `t.Tags AS ${q(c)}`;
      case 'ChargePeriodStart': return `${ts('g.cps')} AS ${q(c)}`;
      case 'ChargePeriodEnd': return `${ts("g.cps + INTERVAL '1 hour'")} AS ${q(c)}`;
      case 'BillingPeriodStart': return `${ts("date_trunc('month', g.cps)")} AS ${q(c)}`;
      case 'BillingPeriodEnd': return `${ts("date_trunc('month', g.cps) + INTERVAL '1 month'")} AS ${q(c)}`;
      case 'ListUnitPrice': return format === 'csv' ? `s.${q(c)}` : `CAST(s.${q(c)} AS DOUBLE) AS ${q(c)}`;
      default:
        return SCALED.includes(c) ? `round(s.${q(c)} * g.f, 11) AS ${q(c)}` : `s.${q(c)}`;
    }
  }).join(',\n    ');
}

// g: one row per output row, with its sample row, synthetic resource, day and scale factor;
// t: the tag set of a real resource of the same provider, chosen per synthetic resource.
const query = (/** @type {'csv' | 'parquet'} */ format, part = 0) => {
  // part p: rows [first, last) and days [dayFrom, dayFrom + daySpan)
  const first = Math.floor((rows * part) / parts);
  const last = Math.floor((rows * (part + 1)) / parts);
  const dayFrom = Math.floor((days * part) / parts);
  const daySpan = Math.floor((days * (part + 1)) / parts) - dayFrom;
  return `
  WITH g0 AS (
    SELECT range AS i, hash(range, ${seed}, 'row') % ${sampleRows} AS rn,
           ${dayFrom} + hash(range, ${seed}, 'day') % ${daySpan} AS d,
           hash(range, ${seed}, 'r') % ${variants} AS v,
           0.25 + (hash(range, ${seed}, 'f') % 10000) / 4000.0 AS f
    FROM range(${first}, ${last})
  ), g AS (
    SELECT g0.i, g0.rn, g0.f, s.ProviderName,
           CASE WHEN s.ResourceId IS NULL THEN NULL ELSE s.ResourceId || '-s' || lpad(CAST(g0.v AS VARCHAR), 3, '0') END AS rid,
           ${lit(opts.start)}::TIMESTAMP + to_days(g0.d::INTEGER) + to_hours(hour(s.ChargePeriodStart::TIMESTAMP)) AS cps,
           hash(coalesce(CASE WHEN s.ResourceId IS NULL THEN NULL ELSE s.ResourceId || '-s' || lpad(CAST(g0.v AS VARCHAR), 3, '0') END, g0.i::VARCHAR), ${seed}, 't') % tc.n AS tn
    FROM g0 JOIN s ON s.rn = g0.rn JOIN tagcount tc ON tc.ProviderName = s.ProviderName
  )
  SELECT ${selectList(format)}
  FROM g JOIN s ON s.rn = g.rn
  JOIN tagpool t ON t.ProviderName = g.ProviderName AND t.tn = g.tn
  ORDER BY g.cps, s.ProviderName, s.ServiceName, g.rid, g.i`;
};

const base = path.join(opts.out, `focus_1.0_synthetic_${rows >= 1e6 && rows % 1e6 === 0 ? `${rows / 1e6}M` : rows}`);
const meta = {
  synthetic: 'true',
  generator: 'bench/generateFocus.mjs',
  source: 'FOCUS-Sample-Data FOCUS-1.0/focus_sample.csv (CC-BY-4.0), resampled',
  seed: String(seed),
};
for (const format of formats) {
  const started = Date.now();
  let file;
  if (format === 'csv') {
    file = `${base}.csv`;
    await db.run(`COPY (${query('csv')}) TO ${lit(file)} (FORMAT csv, HEADER true, NULLSTR 'NULL', FORCE_QUOTE (${VARCHAR_COLUMNS.map(q).join(', ')}))`);
  } else if (format === 'parquet' && parts === 1) {
    file = `${base}.parquet`;
    await db.run(`COPY (${query('parquet')}) TO ${lit(file)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, KV_METADATA {${Object.entries(meta).map(([k, v]) => `${k}: ${lit(v)}`).join(', ')}})`);
  } else if (format === 'parquet') {
    file = `${base}.parts`;
    fs.mkdirSync(file, { recursive: true });
    for (let part = 0; part < parts; part++) {
      const target = path.join(file, `part-${String(part).padStart(3, '0')}.parquet`);
      await db.run(`COPY (${query('parquet', part)}) TO ${lit(target)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, KV_METADATA {${Object.entries({ ...meta, part: `${part + 1}/${parts}` }).map(([k, v]) => `${k}: ${lit(v)}`).join(', ')}})`);
      console.log(`  ${path.relative(process.cwd(), target)}  (${part + 1}/${parts}, ${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  } else {
    throw new Error(`unknown format ${format} (csv, parquet)`);
  }
  const size = fs.statSync(file).isDirectory() ? fs.readdirSync(file).reduce((s, f) => s + fs.statSync(path.join(file, f)).size, 0) : fs.statSync(file).size;
  console.log(`${path.relative(process.cwd(), file)}  ${rows.toLocaleString('en-US')} rows, ${header.length} columns, ${(size / 1e6).toFixed(1)} MB, ${((Date.now() - started) / 1000).toFixed(1)} s  (synthetic)`);
}
fs.rmSync(path.join(opts.out, '.duckdb-tmp'), { recursive: true, force: true });
fs.writeFileSync(`${base}.README.txt`, [
  'SYNTHETIC FOCUS 1.0 data for benchmarks, generated by bench/generateFocus.mjs.',
  'Resampled from the real FOCUS sample (FinOps-Open-Cost-and-Usage-Spec/FOCUS-Sample-Data, CC-BY-4.0):',
  'resources, tag sets and days are resampled and costs scaled; it is not anyone\'s bill.',
  `Options: ${JSON.stringify({ rows, variants, days, start: opts.start, seed, parts })}`,
  '',
].join('\n'));
