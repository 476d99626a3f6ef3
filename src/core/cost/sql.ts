/**
 * Small helpers to build SQL safely: identifiers are always quoted, values always bound as parameters.
 * The SQL the cost engine builds is DuckDB's dialect (`$1`-style positional parameters).
 */
export type SqlValue = string | number | boolean | null;

/** Collects bound values; `add` returns the placeholder to put in the SQL text. */
export class SqlParams {
  readonly values: SqlValue[] = [];
  add(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A quoted identifier: `Team "A"` → `"Team ""A"""`. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal, for constants written in this code base only (never for input from files or users). */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('literal contains a NUL character');
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Drops the values a statement does not use and renumbers its `$n` placeholders in order of appearance
 * (DuckDB refuses values it has no placeholder for). Quoted strings and identifiers are skipped.
 */
export function compactParams(sql: string, values: readonly SqlValue[]): { sql: string; values: SqlValue[] } {
  const renumber = new Map<number, number>();
  const out: SqlValue[] = [];
  let text = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) { j += 2; continue; }
          break;
        }
        j++;
      }
      text += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j]!)) j++;
      const n = Number(sql.slice(i + 1, j));
      if (n < 1 || n > values.length) throw new Error(`placeholder $${n} has no value`);
      let m = renumber.get(n);
      if (m === undefined) {
        out.push(values[n - 1]!);
        m = out.length;
        renumber.set(n, m);
      }
      text += `$${m}`;
      i = j;
      continue;
    }
    text += ch;
    i++;
  }
  return { sql: text, values: out };
}
