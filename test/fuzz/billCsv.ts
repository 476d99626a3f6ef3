import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { CostQuery, GroupKey } from '../../src/core/cost/model';
import { isFinOpsError } from '../../src/core/errors';
import { DuckDbEngine } from '../../src/providers/focus/duckdb';
import { FocusFileSource } from '../../src/providers/focus/focusFileSource';
import { encodeText, joinLines, seeded, type Newlines, type TextEncoding } from '../unit/cost/billText';
import type { FuzzOutcome, FuzzTarget } from './target';

/**
 * Fuzz target "FOCUS/native CSV reading": real bills (the FOCUS sample, an Azure MCA export, AWS CUR and Google
 * Cloud billing rows) with seeded mutations of what exports get wrong: header names, delimiters, line endings,
 * encodings, numeric and date cells, quotes, field counts, truncation, stray bytes. Each input is queried through
 * FocusFileSource on one shared DuckDB. A run is right when it answers with finite costs, or refuses with a
 * FinOpsError that names the file and, for a value or a broken row, the row, line and column, never an engine
 * message; and when only the encoding or line endings changed, it answers exactly as the unchanged bill does.
 */
const root = path.resolve(__dirname, '../..');

interface Seed {
  name: string;
  lines: string[];
  /** Columns holding amounts and dates, by header name. */
  amounts: string[];
  dates: string[];
}

/** Splits one CSV line (no line breaks inside values in the seeds) into raw fields, quotes kept. */
function splitRaw(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let field = '';
  let q = false;
  for (const ch of line) {
    if (ch === '"') q = !q;
    if (ch === delimiter && !q) { out.push(field); field = ''; } else field += ch;
  }
  out.push(field);
  return out;
}
const unquote = (f: string) => (f.startsWith('"') && f.endsWith('"') && f.length >= 2 ? f.slice(1, -1).replaceAll('""', '"') : f);
const quote = (v: string) => (/[",\r\n;\t|]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

function seeds(): Seed[] {
  const focus = fs.readFileSync(path.join(root, 'demo/billing/real-sample/focus_1.0_sample_1000.csv'), 'utf8').split(/\r?\n/).filter(Boolean);
  const azure = fs.readFileSync(path.join(root, 'test/fixtures/bills/azure_mca_camel_koku_4rows.csv'), 'utf8').split(/\r?\n/).filter(Boolean);
  return [
    { name: 'focus', lines: focus.slice(0, 41), amounts: ['BilledCost', 'EffectiveCost', 'ListCost'], dates: ['ChargePeriodStart'] },
    { name: 'focus-tail', lines: [focus[0]!, ...focus.slice(700, 730)], amounts: ['BilledCost', 'EffectiveCost'], dates: ['ChargePeriodStart'] },
    { name: 'azure-mca', lines: azure, amounts: ['costInBillingCurrency'], dates: ['date'] },
    {
      name: 'aws-cur',
      lines: [
        'lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,lineItem/CurrencyCode,lineItem/ProductCode,resourceTags/user:team',
        'Usage,2024-09-01T00:00:00Z,2.5,USD,AmazonEC2,vision',
        'Usage,2024-09-01T01:00:00Z,1.25,USD,AmazonEC2,nlp',
        'Tax,2024-09-02T00:00:00Z,0.3,USD,AmazonEC2,',
        'Usage,2024-09-02T00:00:00Z,7.75,USD,AmazonSageMaker,"café, ML"',
      ],
      amounts: ['lineItem/UnblendedCost'], dates: ['lineItem/UsageStartDate'],
    },
    {
      name: 'gcp',
      lines: [
        'billing_account_id,service.description,usage_start_time,cost,currency,labels,credits',
        'A-1,Compute Engine,2024-09-01T00:00:00Z,3.5,USD,"[{\'key\': \'team\', \'value\': \'vision\'}]","[{\'name\': \'x\', \'amount\': -1.0}]"',
        'A-1,Vertex AI,2024-09-01T05:00:00Z,12,USD,"[{\'key\': \'cost_center\', \'value\': \'42\'}]",[]',
        'A-1,Cloud Storage,2024-09-02T00:00:00Z,0.25,USD,[],[]',
      ],
      amounts: ['cost'], dates: ['usage_start_time'],
    },
  ];
}

const BAD_NUMBERS = ['NaN', 'nan', 'Infinity', '-Infinity', 'inf', '1e400', '-1e309', 'abc', '1,5', '$3', '1e15', '9e300', '0x10', ' 1 ', '1e-400', '', 'NULL', '--1', '1.2.3', '١٢', '½'];
const BAD_DATES = ['2024-13-01', '0000-01-01 00:00:00', 'infinity', '', 'NULL', 'yesterday', '2024-02-30', '1969-07-20 20:17:00', '99999-01-01', '2024-09-01T00:00:00+25:00', '09/31/2024'];
const NAME_NOISE = ['', ' ', '\0', '"', 'é', '\u200b', 'BilledCost', 'Tags', 'x'.repeat(300)];

export interface BillCsvInput {
  name: string;
  bytes: Buffer;
  query: CostQuery;
  /** Set when only the text layer changed: the answer must equal the unchanged bill's. */
  same?: { bytes: Buffer };
  mutations: string[];
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function generateBillCsv(seed: number): BillCsvInput {
  const random = seeded(seed);
  const all = seeds();
  const base = pick(random, all);
  const header = splitRaw(base.lines[0]!).map(unquote);
  let rows = base.lines.slice(1).map((l) => splitRaw(l));
  const names = [...header];
  let delimiter = ',';
  let newlines: Newlines = 'lf';
  let encoding: TextEncoding = 'utf-8';
  let bom = false;
  const mutations: string[] = [];
  let lossless = true;
  const byteEdits: ((b: Buffer) => Buffer)[] = [];
  const col = (names: string[], wanted: string[]) => names.findIndex((n) => wanted.includes(n));
  const count = 1 + Math.floor(random() * 3);
  for (let m = 0; m < count; m++) {
    const kind = pick(random, ['newlines', 'encoding', 'amount', 'date', 'header', 'delimiter', 'structure', 'bytes', 'tags', 'rows'] as const);
    const r = rows.length ? Math.floor(random() * rows.length) : 0;
    switch (kind) {
      case 'newlines':
        newlines = pick(random, ['lf', 'crlf', 'cr', 'mixed', 'mixed-last-lf', 'mixed-last-crlf'] as const);
        mutations.push(`newlines ${newlines}`);
        break;
      case 'encoding':
        encoding = pick(random, ['utf-8', 'windows-1252', 'utf-16le', 'utf-16be'] as const);
        bom = random() < 0.5 && encoding !== 'windows-1252';
        mutations.push(`encoding ${encoding}${bom ? ' BOM' : ''}`);
        break;
      case 'amount': {
        const c = col(names, base.amounts);
        if (c >= 0 && rows[r]) { rows[r]![c] = quote(pick(random, BAD_NUMBERS)); mutations.push(`amount ${names[c]} row ${r + 1} = ${JSON.stringify(rows[r]![c])}`); lossless = false; }
        break;
      }
      case 'date': {
        const c = col(names, base.dates);
        if (c >= 0 && rows[r]) { rows[r]![c] = quote(pick(random, BAD_DATES)); mutations.push(`date ${names[c]} row ${r + 1} = ${JSON.stringify(rows[r]![c])}`); lossless = false; }
        break;
      }
      case 'header': {
        const c = Math.floor(random() * names.length);
        const how = pick(random, ['drop', 'rename', 'case', 'duplicate', 'swap'] as const);
        lossless = false;
        if (how === 'drop') { names.splice(c, 1); rows = rows.map((x) => x.filter((_, i) => i !== c)); } else if (how === 'rename') names[c] = names[c] + pick(random, NAME_NOISE);
        else if (how === 'case') names[c] = names[c]!.toUpperCase();
        else if (how === 'duplicate') names[c] = names[(c + 1) % names.length]!;
        else { const d = Math.floor(random() * names.length); [names[c], names[d]] = [names[d]!, names[c]!]; }
        mutations.push(`header ${how} ${c}`);
        break;
      }
      case 'delimiter':
        delimiter = pick(random, [';', '\t', '|'] as const);
        mutations.push(`delimiter ${JSON.stringify(delimiter)}`);
        break;
      case 'structure': {
        const how = pick(random, ['extra field', 'missing field', 'stray quote', 'unclosed quote', 'text after quote', 'blank lines'] as const);
        const row = rows[r];
        lossless &&= how === 'blank lines';
        if (!row) break;
        if (how === 'extra field') row.push('extra');
        else if (how === 'missing field') row.pop();
        else if (how === 'stray quote') row[0] = `${row[0]}"x`;
        else if (how === 'unclosed quote') row[row.length - 1] = `"${row[row.length - 1]}`;
        else if (how === 'text after quote') row[0] = `"${unquote(row[0]!)}"x`;
        else rows.splice(r, 0, [''], ['']);
        mutations.push(`structure ${how} row ${r + 1}`);
        break;
      }
      case 'bytes': {
        const how = pick(random, ['truncate', 'nul', 'high byte', 'latin1 byte', 'gzip', 'gzip truncated'] as const);
        // one gzip layer is read as the plain file; a second one is not a CSV any more
        lossless &&= how === 'gzip' && !mutations.includes('bytes gzip');
        const at = random();
        byteEdits.push((b) => {
          const i = Math.floor(at * b.length);
          if (how === 'truncate') return b.subarray(0, i);
          if (how === 'nul') return Buffer.concat([b.subarray(0, i), Buffer.from([0]), b.subarray(i)]);
          if (how === 'high byte') return Buffer.concat([b.subarray(0, i), Buffer.from([0x80 + Math.floor(at * 127)]), b.subarray(i)]);
          if (how === 'latin1 byte') return Buffer.concat([b.subarray(0, i), Buffer.from([0xe9]), b.subarray(i)]);
          if (how === 'gzip') return zlib.gzipSync(b);
          const gz = zlib.gzipSync(b);
          return gz.subarray(0, Math.max(10, Math.floor(at * gz.length)));
        });
        mutations.push(`bytes ${how}`);
        break;
      }
      case 'tags': {
        const c = col(names, ['Tags', 'tags', 'labels', 'resourceTags/user:team']);
        if (c >= 0 && rows[r]) { rows[r]![c] = quote(pick(random, ['{', '{"team": 1}', '[]', 'null', '{"team": "x", "team": "y"}', '{"TEAM": "up", "Cost-Center": "7"}', '"\\u0000"'])); lossless = false; mutations.push(`tags row ${r + 1}`); }
        break;
      }
      case 'rows':
        rows = random() < 0.5 ? [] : [...rows, ...rows];
        lossless = false;
        mutations.push(`rows ${rows.length}`);
        break;
    }
  }
  const lines = [names.map((n) => (/[",\r\n;\t|\0]/.test(n) ? `"${n.replaceAll('"', '""')}"` : n)).join(delimiter), ...rows.map((row) => row.join(delimiter))];
  const text = (nl: Newlines) => joinLines(lines, nl, seed);
  // Windows-1252 cannot hold every character: such a bill is written in UTF-8 instead
  let bytes: Buffer;
  try {
    bytes = encodeText(text(newlines), encoding, bom);
  } catch {
    encoding = 'utf-8';
    bytes = encodeText(text(newlines), encoding, bom);
  }
  for (const edit of byteEdits) bytes = edit(bytes);
  const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const groupBy = pick(random, [['ProviderName'], ['ProviderName', 'tag:team'], ['ServiceName', 'tag:CostCenter'], []] as GroupKey[][]);
  const query: CostQuery = { period: { start: '1970-01-01', end: '9999-12-31' }, granularity: pick(random, ['daily', 'monthly', 'total'] as const), groupBy, metric: pick(random, ['EffectiveCost', 'BilledCost'] as const) };
  return {
    name: `fuzz-${seed}-${base.name}.csv${gz ? '.gz' : ''}`,
    bytes,
    query,
    mutations,
    ...(lossless && delimiter === ',' ? { same: { bytes: Buffer.from(joinLines(lines, 'lf', seed), 'utf8') } } : {}),
  };
}

/** What a refusal must say: the file, and for a value or a broken row its row, line and column. */
const FILE_LEVEL = [
  /is not a FOCUS file/, /reads like FOCUS .* but lacks the required columns/, /is empty: it has no header row/, /No bill among/,
  /is not valid UTF-8: line \d+/, /is neither UTF-8 nor Windows-1252 \/ Latin-1: line \d+/, /the header's column \d+ holds a NUL character/,
  /is not a complete gzip file/, /the header names column .+ twice \(columns \d+ and \d+\)/,
];
const ROW_LEVEL = /, row \d+ \(line \d+\)(, column .+)?: /;
const ENGINE_TEXT = /(Invalid Input|Conversion|Binder|Parser|Catalog|INTERNAL|FATAL|IO|Out of Range|Not implemented) Error|DuckDB|duckdb|sniff/;

export function checkRefusal(e: unknown, fileName: string): string | undefined {
  if (!isFinOpsError(e)) return `not a FinOpsError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  if (!e.message.includes(fileName)) return `does not name the file: ${e.message}`;
  if (ENGINE_TEXT.test(e.message)) return `engine text in the message: ${e.message}`;
  if (!e.fix) return `no fix: ${e.message}`;
  if (!ROW_LEVEL.test(e.message) && !FILE_LEVEL.some((re) => re.test(e.message))) return `names no row, line and column: ${e.message}`;
  return undefined;
}

export function billCsvTarget(): FuzzTarget<BillCsvInput> {
  let engine: DuckDbEngine | undefined;
  let dir = '';
  const answer = async (file: string, query: CostQuery) => {
    const source = new FocusFileSource({ paths: [file], baseDir: dir, engine: engine! });
    try {
      return await source.query(query);
    } finally {
      source.dispose();
    }
  };
  return {
    name: 'FOCUS/native CSV reading',
    setup: async () => {
      engine = new DuckDbEngine({ threads: 1 });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlfinops-fuzz-bills-'));
    },
    teardown: async () => {
      engine?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    generate: generateBillCsv,
    describe: (input) => `${input.name}: ${input.mutations.join('; ')}`,
    run: async (input): Promise<FuzzOutcome> => {
      const file = path.join(dir, input.name);
      fs.writeFileSync(file, input.bytes);
      try {
        const result = await answer(file, input.query);
        const bad = result.rows.find((r) => !Number.isFinite(r.cost));
        if (bad) return { kind: 'wrong', detail: `a non-finite cost ${bad.cost} was returned` };
        if (input.same) {
          const plain = path.join(dir, `plain-${input.name.replace(/\.gz$/, '')}`);
          fs.writeFileSync(plain, input.same.bytes);
          const want = await answer(plain, input.query).catch((e: unknown) => e);
          fs.rmSync(plain, { force: true });
          if (!(want instanceof Error) && JSON.stringify((want as typeof result).rows) !== JSON.stringify(result.rows)) {
            return { kind: 'wrong', detail: 'only the encoding or line endings changed, yet the answer differs from the plain UTF-8 bill' };
          }
        }
        return { kind: 'ok' };
      } catch (e) {
        const problem = checkRefusal(e, input.name);
        if (problem) return isFinOpsError(e) ? { kind: 'wrong', detail: problem } : { kind: 'thrown', detail: problem };
        if (input.same) return { kind: 'wrong', detail: `only the encoding or line endings changed, yet it was refused: ${(e as Error).message}` };
        return { kind: 'refused' };
      } finally {
        fs.rmSync(file, { force: true });
      }
    },
  };
}
