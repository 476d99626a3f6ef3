import { ALL_TIME } from '../period';
import { quoteIdent, quoteLiteral, type SqlParams, type SqlValue } from '../cost/sql';

/** A column of a bill file as DuckDB describes it (`VARCHAR`, `DOUBLE`, `TIMESTAMP WITH TIME ZONE`, `MAP(VARCHAR, VARCHAR)` …). */
export interface ColumnInfo {
  name: string;
  type: string;
}

/** Date formats seen in native exports besides ISO 8601 (Azure EA / MCA write MM/DD/YYYY). */
const LENIENT_DATE_FORMATS = ['%m/%d/%Y', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M:%S %p', '%Y%m%d'];

/**
 * The columns of one file, looked up by name without regard to case (Azure exports write `Cost`,
 * `costInBillingCurrency` or `CostInBillingCurrency` by version), and SQL expressions over them that
 * give FOCUS types: numbers as DOUBLE, times as TIMESTAMP (UTC), text as VARCHAR. Absent columns give NULL.
 * Values from the file (tag keys in headers) are bound through `params`, never written into the SQL.
 */
export class SourceColumns {
  private readonly byLower = new Map<string, ColumnInfo>();

  constructor(readonly columns: readonly ColumnInfo[], private readonly params: SqlParams) {
    for (const c of columns) {
      const key = c.name.toLowerCase();
      if (!this.byLower.has(key)) this.byLower.set(key, c);
    }
  }

  /** The first of `names` the file has. A dotted name (`service.description`) also matches a STRUCT column's field. */
  find(...names: string[]): ColumnInfo | undefined {
    for (const name of names) {
      const hit = this.byLower.get(name.toLowerCase());
      if (hit) return hit;
      const dot = name.indexOf('.');
      if (dot > 0) {
        const root = this.byLower.get(name.slice(0, dot).toLowerCase());
        const field = name.slice(dot + 1);
        if (root && /^STRUCT\(/i.test(root.type) && new RegExp(`[(,]\\s*"?${field.replace(/[^\w]/g, '')}"?\\s`, 'i').test(root.type)) {
          return { name: `${root.name}.${field}`, type: structFieldType(root.type, field) };
        }
      }
    }
    return undefined;
  }

  has(...names: string[]): boolean {
    return this.find(...names) !== undefined;
  }

  /** The column's SQL reference (quoted; `"service"."description"` for a STRUCT field). */
  ref(column: ColumnInfo): string {
    if (this.byLower.get(column.name.toLowerCase())?.name === column.name) return quoteIdent(column.name);
    const dot = column.name.indexOf('.');
    return `${quoteIdent(column.name.slice(0, dot))}.${quoteIdent(column.name.slice(dot + 1))}`;
  }

  param(value: SqlValue): string {
    return this.params.add(value);
  }

  /** Text of the first present column, empty text as NULL; NULL when none is present. */
  str(...names: string[]): string {
    const present = names.map((n) => this.find(n)).filter((c): c is ColumnInfo => c !== undefined);
    if (!present.length) return 'NULL';
    const parts = present.map((c) => `NULLIF(TRIM(CAST(${this.ref(c)} AS VARCHAR)), '')`);
    return parts.length === 1 ? parts[0]! : `COALESCE(${parts.join(', ')})`;
  }

  /** The first present column as a finite DOUBLE; any other value (`NaN`, `Infinity`, `abc`) stops the query, naming the column. */
  num(...names: string[]): string {
    const c = this.find(...names);
    return c ? checkedNumber(this, c, 'number') : 'NULL';
  }

  /** A money amount: a finite DOUBLE under MAX_AMOUNT in magnitude (so no sum of a bill can overflow). */
  amount(...names: string[]): string {
    const c = this.find(...names);
    return c ? checkedNumber(this, c, 'amount') : 'NULL';
  }

  /**
   * A FOCUS date-time (ISO 8601; offsets converted to UTC, the session runs in UTC): strict. A value that is not a
   * date-time, or lies outside the dates a bill can hold, stops the query; so does a missing one when `required`.
   */
  ts(name: string, options: { required?: boolean } = {}): string {
    const c = this.find(name);
    if (!c) return 'NULL';
    const ref = this.ref(c);
    let parsed: string;
    if (/^TIMESTAMP$/i.test(c.type)) parsed = ref;
    else if (/^(TIMESTAMP|DATE)/i.test(c.type)) parsed = `CAST(${ref} AS TIMESTAMP)`;
    else {
      // Text: UTC (`…Z` or no zone) is parsed directly; a value with an offset (`…+02:00`) goes through
      // TIMESTAMPTZ, which is several times slower, so only those rows pay for it.
      const text = /^VARCHAR$/i.test(c.type) ? ref : `CAST(${ref} AS VARCHAR)`;
      parsed = `CASE WHEN length(${text}) > 19 AND (contains(substr(${text}, 20), '+') OR contains(substr(${text}, 20), '-'))`
        + ` THEN TRY_CAST(TRY_CAST(${text} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST(${text} AS TIMESTAMP) END`;
    }
    return checkedTimestamp(this, c, parsed, options.required ?? false);
  }

  /** A date-time from a native export: ISO 8601, or the US / compact formats some exports use (checked like ts()). */
  lenientTs(...names: string[]): string {
    return this.lenientTsOf(names, false);
  }

  /** lenientTs() for a column every row needs (the charge date). */
  requiredLenientTs(...names: string[]): string {
    return this.lenientTsOf(names, true);
  }

  private lenientTsOf(names: string[], required: boolean): string {
    const c = this.find(...names);
    if (!c) return 'NULL';
    if (/^(TIMESTAMP|DATE)/i.test(c.type)) return this.ts(c.name, { required });
    const ref = /^VARCHAR$/i.test(c.type) ? this.ref(c) : `CAST(${this.ref(c)} AS VARCHAR)`;
    const formats = `[${LENIENT_DATE_FORMATS.map((f) => `'${f}'`).join(', ')}]`;
    const offset = `length(${ref}) > 19 AND (contains(substr(${ref}, 20), '+') OR contains(substr(${ref}, 20), '-'))`;
    const iso = `CASE WHEN ${offset} THEN TRY_CAST(TRY_CAST(${ref} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST(${ref} AS TIMESTAMP) END`;
    return checkedTimestamp(this, c, `COALESCE(${iso}, try_strptime(TRIM(${ref}), ${formats}))`, required);
  }
}

/**
 * Values a bill must not hold stop the query with DuckDB's error(): the message carries this marker, what was
 * expected, the file's column name and the value, and badValueOf() reads them back, so the reader can name
 * the file, row and column. One definition of what a valid number, amount and date-time is, for FOCUS files
 * and every native converter.
 */
const BAD_VALUE = 'MLFINOPS_BAD_VALUE:';

/** Largest magnitude of one charge (a quadrillion in any currency): larger values are corrupt, and sums stay finite. */
export const MAX_AMOUNT = 1e15;

type ValueKind = 'number' | 'amount' | 'timestamp' | 'required';

export interface BadValue {
  kind: ValueKind;
  /** The file's column name. */
  column: string;
  /** The value as text ('NULL' for a missing one). */
  value: string;
}

/** SQL that raises the marked error for `valueSql` (never constant: DuckDB folds error() with constant arguments). */
function invalidValue(c: SourceColumns, kind: ValueKind, column: string, valueSql: string): string {
  const meta = JSON.stringify({ kind, column });
  return `error(${c.param(`${BAD_VALUE}${meta.length}:${meta}`)} || COALESCE(CAST(${valueSql} AS VARCHAR), 'NULL'))`;
}

/** The bad value a query stopped at, from the error's message; undefined for any other error. */
export function badValueOf(message: string): BadValue | undefined {
  const at = message.indexOf(BAD_VALUE);
  if (at < 0) return undefined;
  const rest = message.slice(at + BAD_VALUE.length);
  const colon = rest.indexOf(':');
  const length = Number(rest.slice(0, colon));
  if (colon < 0 || !Number.isInteger(length)) return undefined;
  try {
    const meta = JSON.parse(rest.slice(colon + 1, colon + 1 + length)) as { kind: ValueKind; column: string };
    return { kind: meta.kind, column: meta.column, value: rest.slice(colon + 1 + length) };
  } catch {
    return undefined;
  }
}

/** A checked value of any SQL expression (a list element, a product): finite, and bounded for amounts. */
export function checkedValue(c: SourceColumns, kind: 'number' | 'amount', column: string, valueSql: string, rawSql = valueSql): string {
  const ok = kind === 'amount' ? `abs(${valueSql}) < ${MAX_AMOUNT}` : `isfinite(${valueSql})`;
  return `CASE WHEN ${rawSql} IS NULL THEN NULL WHEN ${ok} THEN ${valueSql} ELSE ${invalidValue(c, kind, column, rawSql)} END`;
}

function checkedNumber(c: SourceColumns, col: ColumnInfo, kind: 'number' | 'amount'): string {
  const ref = c.ref(col);
  if (/^DOUBLE$/i.test(col.type)) return checkedValue(c, kind, col.name, ref);
  const numeric = /^(FLOAT|REAL|DECIMAL|NUMERIC|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)/i.test(col.type);
  const text = /^VARCHAR$/i.test(col.type) ? ref : `CAST(${ref} AS VARCHAR)`;
  const value = numeric ? `CAST(${ref} AS DOUBLE)` : `TRY_CAST(${text} AS DOUBLE)`;
  const ok = kind === 'amount' ? `abs(${value}) < ${MAX_AMOUNT}` : `isfinite(${value})`;
  // the raw text goes into the message: the value as the file wrote it, for the user and to find its row
  return `CASE WHEN ${ref} IS NULL THEN NULL WHEN ${ok} THEN ${value} ELSE ${invalidValue(c, kind, col.name, numeric ? ref : text)} END`;
}

function checkedTimestamp(c: SourceColumns, col: ColumnInfo, parsed: string, required: boolean): string {
  const ref = c.ref(col);
  const ok = `${parsed} >= TIMESTAMP '${ALL_TIME.start}' AND ${parsed} < TIMESTAMP '${ALL_TIME.end}'`;
  const missing = required ? invalidValue(c, 'required', col.name, ref) : 'NULL';
  return `CASE WHEN ${ref} IS NULL THEN ${missing} WHEN ${ok} THEN ${parsed} ELSE ${invalidValue(c, 'timestamp', col.name, ref)} END`;
}

function structFieldType(structType: string, field: string): string {
  const m = new RegExp(`[(,]\\s*"?${field.replace(/[^\w]/g, '')}"?\\s+([A-Z]+(?:\\([^)]*\\))?(?:\\[\\])?)`, 'i').exec(structType);
  return m?.[1] ?? 'VARCHAR';
}

/** A lookup in a table of this code base's constants (never file values): `table[expr]`, else `fallback`. */
export function lookup(expr: string, table: Readonly<Record<string, string>>, fallback: string): string {
  const entries = Object.entries(table);
  if (!entries.length) return fallback;
  return `COALESCE(MAP {${entries.map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`).join(', ')}}[${expr}], ${fallback})`;
}

/**
 * A JSON object text from a list of `{k, v}` structs (the first entry of a key wins; entries with a NULL or empty
 * value are dropped); NULL when nothing is left. Duplicate keys never fail the query.
 */
export function tagsFromEntries(entries: string): string {
  const kept = `list_filter(${entries}, e -> e.v IS NOT NULL AND e.v <> '')`;
  const unique = `list_filter(${kept}, (e, i) -> list_position(list_transform(${kept}, x -> x.k), e.k) = i)`;
  return `NULLIF(CAST(to_json(map_from_entries(${unique})) AS VARCHAR), '{}')`;
}
