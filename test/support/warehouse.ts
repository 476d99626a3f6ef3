import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Parser as BigQueryParser } from 'node-sql-parser/build/bigquery';
import { Parser as TrinoParser } from 'node-sql-parser/build/trino';
import { sqlLiteral, toDuckDb, type Dialect, type ShimOptions } from './sqlDialects';

/**
 * A warehouse for tests: fixture tables in DuckDB with the schemas BigQuery and Athena hold (the Cloud Billing
 * export, Google's FOCUS view, the AWS Data Exports FOCUS table), and the SQL the product sends run on them for
 * real: parsed with a BigQuery or Trino parser (node-sql-parser), rewritten by the dialect shim, executed.
 * A wrong column, join or filter either fails to run or gives a different answer than the test's own sums.
 */
export interface Label { key: string; value: string }

/** A row of the standard (or detailed) usage cost export, as BigQuery holds it. */
export interface ExportRow {
  billing_account_id: string;
  service: { id: string; description: string };
  sku: { id: string; description: string };
  usage_start_time: string;
  usage_end_time: string;
  project: { id: string; name: string; labels: Label[] };
  labels: Label[];
  location: { location: string; region: string | null; zone: string | null };
  cost: number;
  cost_at_list: number | null;
  currency: string;
  credits: { name: string; amount: number; type: string }[];
  cost_type: string;
  resource?: { name: string | null; global_name: string | null };
}

/** A row of Google's FOCUS view (Tags as key/value pairs) or of the AWS FOCUS export (Athena: lower-case names, tags a map). */
export interface FocusRow {
  ChargePeriodStart: string;
  BillingCurrency: string;
  BilledCost: number;
  EffectiveCost: number;
  ListCost: number | null;
  ProviderName: string;
  ServiceName: string;
  ServiceCategory: string | null;
  RegionId: string | null;
  SubAccountId: string;
  SubAccountName: string | null;
  BillingAccountId: string;
  ResourceId: string | null;
  ResourceName: string | null;
  ResourceType: string | null;
  ChargeCategory: string;
  PricingCategory: string | null;
  SkuId: string | null;
  Tags: Record<string, string>;
}

const LABELS = 'STRUCT("key" VARCHAR, "value" VARCHAR)[]';
export const EXPORT_COLUMNS: Record<string, string> = {
  billing_account_id: 'VARCHAR',
  service: 'STRUCT(id VARCHAR, description VARCHAR)',
  sku: 'STRUCT(id VARCHAR, description VARCHAR)',
  usage_start_time: 'TIMESTAMP',
  usage_end_time: 'TIMESTAMP',
  project: `STRUCT(id VARCHAR, "name" VARCHAR, labels ${LABELS})`,
  labels: LABELS,
  location: 'STRUCT("location" VARCHAR, region VARCHAR, zone VARCHAR)',
  cost: 'DOUBLE',
  cost_at_list: 'DOUBLE',
  currency: 'VARCHAR',
  credits: 'STRUCT("name" VARCHAR, amount DOUBLE, "type" VARCHAR)[]',
  cost_type: 'VARCHAR',
};
const FOCUS_TYPES: Record<keyof FocusRow, string> = {
  ChargePeriodStart: 'TIMESTAMP', BillingCurrency: 'VARCHAR', BilledCost: 'DOUBLE', EffectiveCost: 'DOUBLE', ListCost: 'DOUBLE',
  ProviderName: 'VARCHAR', ServiceName: 'VARCHAR', ServiceCategory: 'VARCHAR', RegionId: 'VARCHAR', SubAccountId: 'VARCHAR',
  SubAccountName: 'VARCHAR', BillingAccountId: 'VARCHAR', ResourceId: 'VARCHAR', ResourceName: 'VARCHAR', ResourceType: 'VARCHAR',
  ChargeCategory: 'VARCHAR', PricingCategory: 'VARCHAR', SkuId: 'VARCHAR', Tags: LABELS,
};

/** The columns BigQuery reports for a table (tables.get), from the fixture schema. */
export function bigQueryFields(columns: Record<string, string>): { name: string; type: string; mode?: string }[] {
  return Object.entries(columns).map(([name, type]) => ({
    name,
    type: /^STRUCT/.test(type) ? 'RECORD' : type === 'DOUBLE' ? 'FLOAT' : type === 'TIMESTAMP' ? 'TIMESTAMP' : 'STRING',
    ...(/\[\]$/.test(type) ? { mode: 'REPEATED' } : {}),
  }));
}

export function focusViewColumns(): Record<string, string> {
  return { ...FOCUS_TYPES };
}

/** The AWS FOCUS table as Glue catalogues it: lower-case names, tags as a map. */
export function athenaColumns(): Record<string, string> {
  return Object.fromEntries(Object.entries(FOCUS_TYPES).map(([k, v]) => [k.toLowerCase(), k === 'Tags' ? 'MAP(VARCHAR, VARCHAR)' : v]));
}

function literalOf(value: unknown, type: string): string {
  if (value === null || value === undefined) return `CAST(NULL AS ${type})`;
  if (type === 'TIMESTAMP') return `TIMESTAMP ${sqlLiteral(String(value))}`;
  if (type.startsWith('MAP')) {
    const entries = Object.entries(value as Record<string, string>);
    return entries.length ? `MAP {${entries.map(([k, v]) => `${sqlLiteral(k)}: ${sqlLiteral(v)}`).join(', ')}}` : `CAST(MAP {} AS ${type})`;
  }
  if (type.endsWith('[]')) {
    const items = value as unknown[];
    return items.length ? `[${items.map((x) => literalOf(x, type.slice(0, -2))).join(', ')}]` : `CAST([] AS ${type})`;
  }
  if (type.startsWith('STRUCT')) {
    const fields = [...type.slice(7, -1).matchAll(/"?(\w+)"?\s+(STRUCT\([^)]*\)\[\]|[A-Z]+(?:\[\])?)/g)].map((m) => [m[1]!, m[2]!] as const);
    const record = value as Record<string, unknown>;
    return `{${fields.map(([name, t]) => `'${name}': ${literalOf(record[name] ?? null, t)}`).join(', ')}}`;
  }
  if (type === 'DOUBLE') return `CAST(${Number(value)} AS DOUBLE)`;
  return sqlLiteral(String(value));
}

export class FixtureWarehouse {
  private db?: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }>;

  private open() {
    this.db ??= (async () => {
      const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
      const connection = await instance.connect();
      await connection.run("SET TimeZone = 'UTC'");
      return { instance, connection };
    })();
    return this.db;
  }

  /** Creates (or replaces) a table: `name` is the DuckDB identifier ("project.dataset.table", or schema "db"."table"). */
  async load(name: { schema?: string; table: string }, columns: Record<string, string>, rows: readonly object[]): Promise<void> {
    const { connection } = await this.open();
    const ref = `${name.schema ? `"${name.schema}".` : ''}"${name.table}"`;
    if (name.schema) await connection.run(`CREATE SCHEMA IF NOT EXISTS "${name.schema}"`);
    await connection.run(`CREATE OR REPLACE TABLE ${ref} (${Object.entries(columns).map(([c, t]) => `"${c}" ${t}`).join(', ')})`);
    for (let i = 0; i < rows.length; i += 200) {
      const values = rows.slice(i, i + 200).map((r) => `(${Object.entries(columns).map(([c, t]) => literalOf((r as Record<string, unknown>)[c], t)).join(', ')})`);
      if (values.length) await connection.run(`INSERT INTO ${ref} VALUES ${values.join(', ')}`);
    }
  }

  /** Parses the SQL in its own dialect (throws a syntax error as the warehouse would), then runs it. */
  async run(sql: string, dialect: Dialect, options: ShimOptions): Promise<{ columns: { name: string; type: string }[]; rows: (string | null)[][] }> {
    parseSql(sql, dialect);
    const { connection } = await this.open();
    const reader = await connection.runAndReadAll(toDuckDb(sql, dialect, options));
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const rows = reader.getRowsJS().map((r) => r.map((v) => (v === null || v === undefined ? null : typeof v === 'object' ? String(v) : String(v))));
    return { columns: names.map((name, i) => ({ name, type: types[i]! })), rows };
  }

  close(): void {
    const pending = this.db;
    this.db = undefined;
    void pending?.then(({ instance, connection }) => { connection.closeSync(); instance.closeSync(); });
  }
}

/** The tables and columns a query reads, by the dialect's parser (node-sql-parser); throws on a syntax error. */
export function parseSql(sql: string, dialect: Dialect): { tables: string[]; columns: string[] } {
  // The parsers know parameters as values: give them a literal of the same kind so only the SQL's own syntax is judged.
  const parser = dialect === 'bigquery' ? new BigQueryParser() : new TrinoParser();
  const result = parser.parse(sql, { database: dialect === 'bigquery' ? 'bigquery' : 'trino' });
  return { tables: result.tableList, columns: result.columnList };
}
