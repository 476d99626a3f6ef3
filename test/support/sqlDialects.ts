/**
 * A small dialect shim for tests: the SQL the product sends to BigQuery (GoogleSQL) or Athena (Trino), rewritten
 * into DuckDB's dialect so it can run for real over fixture rows. It rewrites only what the two dialects spell
 * differently in the product's queries, on tokens (strings, identifiers and parameters are never touched by a
 * rewrite meant for code):
 *  - parameters: BigQuery `@name`, Trino `?` (Athena's ExecutionParameters are SQL literals) → literals
 *  - BigQuery: `` `project.dataset.table` `` → one quoted identifier; `TIMESTAMP(x)` / `DATE(x)` → CAST;
 *    `FORMAT_DATE(fmt, d)` → strftime; `DATE_TRUNC(d, PART)` → date_trunc('part', d);
 *    `UNNEST(list) AS x` in FROM → `unnest(list) AS u_x(x)` (a struct column named like the alias)
 *  - Trino: `element_at(map, key)` → `map[key]`
 * Anything it does not know passes through unchanged, so DuckDB refuses what neither dialect shim explains.
 */
export type Dialect = 'bigquery' | 'trino';

export type Token = { kind: 'string' | 'ident' | 'backtick' | 'param' | 'word' | 'number' | 'space' | 'punct'; text: string };

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const take = (kind: Token['kind'], end: number) => { out.push({ kind, text: sql.slice(i, end) }); i = end; };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      let j = i;
      while (j < sql.length && /\s/.test(sql[j]!)) j++;
      take('space', j);
    } else if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new Error(`unterminated ${ch} at ${i}`);
        if (sql[j] === ch) {
          if (ch !== '`' && sql[j + 1] === ch) { j += 2; continue; }
          break;
        }
        j++;
      }
      take(ch === "'" ? 'string' : ch === '"' ? 'ident' : 'backtick', j + 1);
    } else if (ch === '@' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < sql.length && /\w/.test(sql[j]!)) j++;
      take('param', j);
    } else if (ch === '?') {
      take('param', i + 1);
    } else if (/[A-Za-z_]/.test(ch)) {
      let j = i;
      while (j < sql.length && /[\w$]/.test(sql[j]!)) j++;
      take('word', j);
    } else if (/[0-9]/.test(ch)) {
      let j = i;
      while (j < sql.length && /[0-9.eE]/.test(sql[j]!)) j++;
      take('number', j);
    } else {
      take('punct', i + 1);
    }
  }
  return out;
}

/** A string literal in standard SQL (quotes doubled). */
export function sqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/** Index of the `)` matching the `(` at `open`. */
function closing(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (tokens[k]!.text === '(') depth++;
    else if (tokens[k]!.text === ')' && --depth === 0) return k;
  }
  throw new Error('unbalanced parentheses');
}

/** The top-level arguments between `(` at open and its `)` at close, as token lists. */
function args(tokens: readonly Token[], open: number, close: number): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (let k = open + 1; k < close; k++) {
    const t = tokens[k]!;
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.text === ',' && depth === 0) out.push([]);
    else out.at(-1)!.push(t);
  }
  return out.map((a) => trim(a));
}

function trim(tokens: Token[]): Token[] {
  let a = 0;
  let b = tokens.length;
  while (a < b && tokens[a]!.kind === 'space') a++;
  while (b > a && tokens[b - 1]!.kind === 'space') b--;
  return tokens.slice(a, b);
}

const text = (tokens: readonly Token[]) => tokens.map((t) => t.text).join('');

/** The next non-space token index after k. */
function next(tokens: readonly Token[], k: number): number {
  let j = k + 1;
  while (j < tokens.length && tokens[j]!.kind === 'space') j++;
  return j;
}

/** The previous non-space token index before k. */
function previous(tokens: readonly Token[], k: number): number {
  let j = k - 1;
  while (j >= 0 && tokens[j]!.kind === 'space') j--;
  return j;
}

export interface ShimOptions {
  /** BigQuery: named parameter values. */
  named?: Readonly<Record<string, string | number | boolean | null>>;
  /** Trino / Athena: positional parameters, each already an SQL literal (`'Team'`), as Athena's ExecutionParameters. */
  positional?: readonly string[];
}

/** Rewrites `sql` (BigQuery or Trino) into DuckDB SQL with its parameters inlined. */
export function toDuckDb(sql: string, dialect: Dialect, options: ShimOptions = {}): string {
  let position = 0;
  const rewrite = (tokens: readonly Token[]): string => {
    let out = '';
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k]!;
      const word = t.kind === 'word' ? t.text.toUpperCase() : '';
      const call = word && tokens[next(tokens, k)]?.text === '(';
      if (t.kind === 'param') {
        if (t.text === '?') {
          if (dialect !== 'trino') throw new Error('a ? parameter outside Trino');
          const literal = options.positional?.[position++];
          if (literal === undefined) throw new Error(`no value for parameter ${position}`);
          if (!/^('([^']|'')*'|-?\d+(\.\d+)?)$/.test(literal)) throw new Error(`parameter ${position} is not an SQL literal: ${literal}`);
          out += literal;
        } else {
          if (dialect !== 'bigquery') throw new Error(`a named parameter outside BigQuery: ${t.text}`);
          const name = t.text.slice(1);
          if (!options.named || !(name in options.named)) throw new Error(`no value for parameter @${name}`);
          out += sqlLiteral(options.named[name]!);
        }
        continue;
      }
      if (t.kind === 'backtick') {
        if (dialect !== 'bigquery') throw new Error('a backtick identifier outside BigQuery');
        out += `"${t.text.slice(1, -1).replaceAll('"', '""')}"`;
        continue;
      }
      if (call && dialect === 'bigquery' && (word === 'TIMESTAMP' || word === 'DATE')) {
        const open = next(tokens, k);
        const close = closing(tokens, open);
        out += `CAST(${rewrite(tokens.slice(open + 1, close))} AS ${word})`;
        k = close;
        continue;
      }
      if (call && dialect === 'bigquery' && word === 'FORMAT_DATE') {
        const open = next(tokens, k);
        const close = closing(tokens, open);
        const [format, value] = args(tokens, open, close);
        if (!format || format.length !== 1 || format[0]!.kind !== 'string' || !value) throw new Error(`FORMAT_DATE(${text(tokens.slice(open + 1, close))}): a literal format and a date`);
        out += `strftime(${rewrite(value)}, ${format[0]!.text.replaceAll('%F', '%Y-%m-%d')})`;
        k = close;
        continue;
      }
      if (call && dialect === 'bigquery' && word === 'DATE_TRUNC') {
        const open = next(tokens, k);
        const close = closing(tokens, open);
        const [value, part] = args(tokens, open, close);
        if (!value || !part || part.length !== 1 || part[0]!.kind !== 'word') throw new Error(`DATE_TRUNC(${text(tokens.slice(open + 1, close))}): a date and a part`);
        out += `date_trunc('${part[0]!.text.toLowerCase()}', ${rewrite(value)})`;
        k = close;
        continue;
      }
      if (call && dialect === 'bigquery' && word === 'UNNEST' && tokens[previous(tokens, k)]?.text.toUpperCase() === 'FROM') {
        const open = next(tokens, k);
        const close = closing(tokens, open);
        const as = next(tokens, close);
        const alias = next(tokens, as);
        if (tokens[as]?.text.toUpperCase() !== 'AS' || tokens[alias]?.kind !== 'word') throw new Error('UNNEST(…) in FROM without AS alias');
        const name = tokens[alias]!.text;
        out += `unnest(${rewrite(tokens.slice(open + 1, close))}) AS u_${name}(${name})`;
        k = alias;
        continue;
      }
      if (call && dialect === 'trino' && word === 'ELEMENT_AT') {
        const open = next(tokens, k);
        const close = closing(tokens, open);
        const [map, key] = args(tokens, open, close);
        if (!map || !key) throw new Error('element_at(map, key)');
        out += `(${rewrite(map)})[${rewrite(key)}]`;
        k = close;
        continue;
      }
      out += t.text;
    }
    return out;
  };
  const sqlOut = rewrite(tokenize(sql));
  if (dialect === 'trino' && position !== (options.positional?.length ?? 0)) {
    throw new Error(`${options.positional?.length ?? 0} parameters given, ${position} used`);
  }
  return sqlOut;
}
