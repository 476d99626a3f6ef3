import type { FixtureWarehouse } from '../warehouse';
import type { RecordingProxy } from './recordingProxy';

/**
 * Athena's query engine for tests, behind moto's Athena API: each StartQueryExecution's SQL (Trino, positional
 * ExecutionParameters) runs over the warehouse's fixture tables (parsed with a Trino parser, rewritten into DuckDB,
 * executed), and the rows are seeded into moto, which then serves GetQueryExecution / GetQueryResults with its own
 * wire shapes (the header row first, as Athena does). A query that fails to parse or run makes the execution FAILED,
 * with the reason, as Athena reports a SYNTAX_ERROR or COLUMN_NOT_FOUND.
 */
export function runAthenaQueriesIn(proxy: RecordingProxy, motoEndpoint: string, warehouse: Pick<FixtureWarehouse, 'run'>, region = 'us-east-1'): void {
  proxy.beforeForward = async (request) => {
    if (request.operation !== 'StartQueryExecution') return;
    const body = JSON.parse(request.body) as { QueryString: string; ExecutionParameters?: string[] };
    let result;
    try {
      result = await warehouse.run(body.QueryString, 'trino', { positional: body.ExecutionParameters ?? [] });
    } catch (e) {
      const reason = `SYNTAX_ERROR: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      proxy.inject({ status: 200, operation: 'GetQueryExecution', body: JSON.stringify({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: reason } } }) });
      return;
    }
    const type = (t: string) => (/^DOUBLE/i.test(t) ? 'double' : /INT/i.test(t) ? 'bigint' : 'varchar');
    const cell = (v: string | null) => (v === null ? {} : { VarCharValue: v });
    const seeded = await fetch(`${motoEndpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      body: JSON.stringify({
        region,
        results: [{
          rows: [{ Data: result.columns.map((c) => ({ VarCharValue: c.name })) }, ...result.rows.map((r) => ({ Data: r.map(cell) }))],
          column_info: result.columns.map((c) => ({ CatalogName: 'hive', SchemaName: '', TableName: '', Name: c.name, Label: c.name, Type: type(c.type), Precision: 0, Scale: 0, Nullable: 'UNKNOWN', CaseSensitive: true })),
        }],
      }),
    });
    if (!seeded.ok) throw new Error(`moto refused the results: ${seeded.status}`);
  };
}
