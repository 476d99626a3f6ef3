import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/**
 * A small RFC 4180 reader for tests, independent of DuckDB: quoted fields with "" escapes, CRLF or LF,
 * a UTF-8 BOM dropped. An unquoted `NULL` (FOCUS's null token) and an empty unquoted field read as null.
 */
export function readCsv(file: string): Record<string, string | null>[] {
  let text = file.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(file)).toString('utf8') : fs.readFileSync(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let value: string | null;
    if (text[i] === '"') {
      let j = i + 1;
      let out = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new Error('unterminated quote');
        out += text.slice(j, q);
        if (text[q + 1] === '"') { out += '"'; j = q + 2; continue; }
        i = q + 1;
        break;
      }
      value = out;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      const raw = text.slice(i, j);
      value = raw === '' || raw === 'NULL' ? null : raw;
      i = j;
    }
    row.push(value);
    if (text[i] === ',') { i++; continue; }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    records.push(row);
    row = [];
  }
  const [header, ...body] = records;
  if (!header) return [];
  return body.filter((r) => r.length > 1 || r[0] !== null).map((r) => Object.fromEntries(header.map((h, k) => [h ?? '', r[k] ?? null])));
}

/** Sums `value(row)` per `key(row)`. */
export function sumBy<T>(rows: T[], key: (r: T) => string, value: (r: T) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + value(r));
  return out;
}

export function near(a: number, b: number, tolerance = 1e-9): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}
