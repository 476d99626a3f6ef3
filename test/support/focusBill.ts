import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/** One row of a FOCUS bill as plain values, read independently of the product (for expected numbers). */
export interface BillRow {
  day: string;
  provider: string | null;
  service: string | null;
  resourceId: string | null;
  billed: number;
  effective: number;
  currency: string;
  tags: Record<string, string>;
}

/** RFC 4180 CSV reader. */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); out.push(row); row = []; cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); out.push(row); }
  return out;
}

/** Reads a FOCUS CSV (or .csv.gz) into rows; `NULL` tokens are missing values. */
export function readFocusBill(file: string): BillRow[] {
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const [header, ...records] = parseCsv(text);
  const col = (name: string): number => header!.indexOf(name);
  const v = (r: string[], name: string): string | null => {
    const x = r[col(name)];
    return x === undefined || x === 'NULL' || x === '' ? null : x;
  };
  return records.filter((r) => r.length === header!.length).map((r) => {
    let tags: Record<string, string> = {};
    const t = v(r, 'Tags');
    if (t) {
      try {
        const parsed = JSON.parse(t) as Record<string, unknown>;
        tags = Object.fromEntries(Object.entries(parsed).filter(([, x]) => x !== null).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
      } catch { tags = {}; }
    }
    return {
      day: (v(r, 'ChargePeriodStart') ?? '').slice(0, 10),
      provider: v(r, 'ProviderName'),
      service: v(r, 'ServiceName'),
      resourceId: v(r, 'ResourceId'),
      billed: Number(v(r, 'BilledCost') ?? 0),
      effective: Number(v(r, 'EffectiveCost') ?? 0),
      currency: v(r, 'BillingCurrency') ?? 'USD',
      tags,
    };
  });
}

/** Sums cost by a key of each row (null = missing). */
export function sumBy(rows: readonly BillRow[], key: (r: BillRow) => string | null, cost: (r: BillRow) => number = (r) => r.effective): Map<string | null, number> {
  const m = new Map<string | null, number>();
  for (const r of rows) {
    const k = key(r);
    const kk = k === null || k.trim() === '' ? null : k;
    m.set(kk, (m.get(kk) ?? 0) + cost(r));
  }
  return m;
}

/**
 * A policy tag key as the default policy reads a row: the key itself on AWS and Azure, the snake_case label on
 * Google Cloud (`Team` → `team`, `CostCenter` → `cost_center`). Missing or blank: null.
 */
export function policyTag(r: BillRow, key: string): string | null {
  const name = r.provider === 'Google Cloud' ? key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() : key;
  const v = r.tags[name];
  return v === undefined || v.trim() === '' ? null : v;
}

/** The rows charged in a half-open period of days. */
export function inPeriod(rows: readonly BillRow[], period: { start: string; end: string }): BillRow[] {
  return rows.filter((r) => r.day >= period.start && r.day < period.end);
}

/** The last day a bill holds and the periods the views count back from it (last 30 days, month to date, last month). */
export function billPeriods(rows: readonly BillRow[]): { lastDay: string; last30Days: { start: string; end: string }; monthToDate: { start: string; end: string }; lastMonth: { start: string; end: string } } {
  const lastDay = rows.reduce((m, r) => (r.day > m ? r.day : m), '');
  const shift = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const end = shift(lastDay, 1);
  const monthStart = `${lastDay.slice(0, 7)}-01`;
  const previous = new Date(Date.UTC(Number(lastDay.slice(0, 4)), Number(lastDay.slice(5, 7)) - 2, 1)).toISOString().slice(0, 10);
  return { lastDay, last30Days: { start: shift(end, -30), end }, monthToDate: { start: monthStart, end }, lastMonth: { start: previous, end: monthStart } };
}
