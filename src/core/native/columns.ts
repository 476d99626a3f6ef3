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

  /** The first present column as a DOUBLE (a malformed number is an error, not a silent NULL). */
  num(...names: string[]): string {
    const c = this.find(...names);
    if (!c) return 'NULL';
    return /^DOUBLE$/i.test(c.type) ? this.ref(c) : `CAST(${this.ref(c)} AS DOUBLE)`;
  }

  /** A FOCUS date-time (ISO 8601; offsets converted to UTC, the session runs in UTC): strict, a malformed value is an error. */
  ts(...names: string[]): string {
    const c = this.find(...names);
    if (!c) return 'NULL';
    const ref = this.ref(c);
    if (/^TIMESTAMP$/i.test(c.type)) return ref;
    if (/^(TIMESTAMP|DATE)/i.test(c.type)) return `CAST(${ref} AS TIMESTAMP)`;
    // Text: UTC (`…Z` or no zone) is parsed directly; a value with an offset (`…+02:00`) goes through
    // TIMESTAMPTZ, which is several times slower, so only those rows pay for it.
    return `CASE WHEN length(${ref}) > 19 AND (contains(substr(${ref}, 20), '+') OR contains(substr(${ref}, 20), '-'))`
      + ` THEN CAST(CAST(${ref} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE CAST(${ref} AS TIMESTAMP) END`;
  }

  /** A date-time from a native export: ISO 8601, or the US / compact formats some exports use. */
  lenientTs(...names: string[]): string {
    const c = this.find(...names);
    if (!c) return 'NULL';
    if (/^(TIMESTAMP|DATE)/i.test(c.type)) return this.ts(c.name);
    const ref = this.ref(c);
    const formats = `[${LENIENT_DATE_FORMATS.map((f) => `'${f}'`).join(', ')}]`;
    const offset = `length(${ref}) > 19 AND (contains(substr(${ref}, 20), '+') OR contains(substr(${ref}, 20), '-'))`;
    const iso = `CASE WHEN ${offset} THEN TRY_CAST(TRY_CAST(${ref} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST(${ref} AS TIMESTAMP) END`;
    return `COALESCE(${iso}, try_strptime(TRIM(${ref}), ${formats}))`;
  }
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
