import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CostQuery, GroupKey } from '../../../src/core/cost/model';
import { defaultTagAliases } from '../../../src/core/cost/tags';
import { buildFocusSql, type SqlTable } from '../../../src/providers/focusSql';
import { athenaFocusTable, athenaLiteral } from '../../../src/providers/aws/athena';
import { focusViewTable, standardExportTable } from '../../../src/providers/gcp/bigQueryCosts';
import { toDuckDb, tokenize } from '../../support/sqlDialects';
import { athenaColumns, EXPORT_COLUMNS, FixtureWarehouse, focusViewColumns, parseSql } from '../../support/warehouse';
import { compareAnswer, expectedAnswer, exportReader, exportRows, focusReader, focusRows, type RowReader } from '../../support/warehouseFixtures';

/**
 * The SQL the product sends to paid warehouses, run for real: parsed by a BigQuery / Trino parser, rewritten into
 * DuckDB by the dialect shim and executed over fixture rows with the warehouses' schemas, then compared with sums
 * computed in JavaScript from the same rows. A wrong column, join or filter fails here, not in a user's bill.
 */
describe('dialect shim (BigQuery / Trino → DuckDB)', () => {
  it('inlines parameters as literals, never inside strings or identifiers', () => {
    assert.equal(toDuckDb("SELECT '@p0', \"@p0\", @p0, @p1 FROM `a.b.c`", 'bigquery', { named: { p0: "O'Brien", p1: 2 } }), `SELECT '@p0', "@p0", 'O''Brien', 2 FROM "a.b.c"`);
    assert.equal(toDuckDb("SELECT '?', ?, ? FROM \"db\".\"t\"", 'trino', { positional: [athenaLiteral("it's"), '7'] }), `SELECT '?', 'it''s', 7 FROM "db"."t"`);
    assert.throws(() => toDuckDb('SELECT ?', 'trino', { positional: [] }), /no value for parameter 1/);
    assert.throws(() => toDuckDb('SELECT ?', 'trino', { positional: ["'a'", "'b'"] }), /2 parameters given, 1 used/);
    assert.throws(() => toDuckDb('SELECT ?', 'trino', { positional: ['x; DROP TABLE t'] }), /not an SQL literal/);
    assert.throws(() => toDuckDb('SELECT @p9', 'bigquery', { named: {} }), /no value for parameter @p9/);
  });

  it('rewrites the BigQuery functions the product uses', () => {
    assert.equal(toDuckDb('TIMESTAMP(@p)', 'bigquery', { named: { p: '2024-09-01' } }), "CAST('2024-09-01' AS TIMESTAMP)");
    assert.equal(toDuckDb("FORMAT_DATE('%F', DATE_TRUNC(DATE(t), MONTH))", 'bigquery'), "strftime(date_trunc('month', CAST(t AS DATE)), '%Y-%m-%d')");
    assert.equal(toDuckDb('(SELECT l.value FROM UNNEST(project.labels) AS l WHERE l.key = @k LIMIT 1)', 'bigquery', { named: { k: 'team' } }),
      "(SELECT l.value FROM unnest(project.labels) AS u_l(l) WHERE l.key = 'team' LIMIT 1)");
    assert.equal(toDuckDb('SELECT DATE(x) AS date_of_x, UNNEST([1]) AS n', 'bigquery'), 'SELECT CAST(x AS DATE) AS date_of_x, UNNEST([1]) AS n', 'UNNEST only in FROM');
  });

  it('rewrites Trino element_at and leaves the rest to DuckDB', () => {
    assert.equal(toDuckDb('element_at(tags, ?) IS NULL', 'trino', { positional: ["'Team'"] }), "(tags)['Team'] IS NULL");
    assert.equal(toDuckDb("CAST(CAST(date_trunc('month', t) AS DATE) AS VARCHAR)", 'trino'), "CAST(CAST(date_trunc('month', t) AS DATE) AS VARCHAR)");
  });

  it('tokenizes quotes the way SQL does', () => {
    assert.deepEqual(tokenize("'a''b' \"c\"\"d\" `e`").filter((t) => t.kind !== 'space').map((t) => [t.kind, t.text]),
      [['string', "'a''b'"], ['ident', '"c""d"'], ['backtick', '`e`']]);
    assert.throws(() => tokenize("'open"), /unterminated/);
  });
});

interface Case<R> { name: string; table: SqlTable; dialect: 'bigquery' | 'trino'; tableName: string; rows: R[]; reader: RowReader<R>; tagNames: (k: string) => readonly string[]; groups: GroupKey[][] }

const PERIOD = { start: '2024-09-01', end: '2024-10-01' };
const gcpNames = (k: string) => defaultTagAliases(k, 'gcp');
const awsNames = (k: string) => defaultTagAliases(k, 'aws');

function queries(groups: GroupKey[][], filterKey: GroupKey, filterValues: (string | null)[]): CostQuery[] {
  const out: CostQuery[] = [];
  for (const granularity of ['daily', 'monthly', 'total'] as const) {
    for (const groupBy of groups) {
      for (const metric of ['BilledCost', 'EffectiveCost', 'ListCost'] as const) {
        for (const filters of [undefined, [{ key: 'tag:Team' as GroupKey, values: ['nlp', null] }], [{ key: filterKey, values: filterValues }]]) {
          out.push({ period: PERIOD, granularity, groupBy, metric, ...(filters ? { filters } : {}) });
        }
      }
    }
  }
  return out;
}

async function answer(warehouse: FixtureWarehouse, c: Case<unknown>, query: CostQuery) {
  const built = buildFocusSql(c.dialect === 'bigquery' ? 'bigquery' : 'athena', c.table, query, c.tagNames);
  const parsed = parseSql(built.sql, c.dialect);
  assert.deepEqual(parsed.tables.map((t) => t.split('::').slice(1).join('.').replace(/^null\./, '')), [c.tableName], 'reads the configured table only');
  const result = await warehouse.run(built.sql, c.dialect, c.dialect === 'bigquery'
    ? { named: Object.fromEntries(built.params.map((p) => [p.name, p.value])) }
    : { positional: built.params.map((p) => athenaLiteral(p.value)) });
  const at = (name: string) => result.columns.findIndex((col) => col.name === name);
  return result.rows.map((r) => ({
    groups: built.groupAliases.map((g) => r[at(g)] ?? null),
    period: String(r[at('period')]).slice(0, 10),
    currency: String(r[at('currency')]),
    cost: r[at('cost')] === null ? 0 : Number(r[at('cost')]),
  })).sort(compareAnswer);
}

function same(got: { groups: (string | null)[]; period: string; currency: string; cost: number }[], want: typeof got): string | undefined {
  if (got.length !== want.length) return `${got.length} rows, expected ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (compareAnswer(g, w) !== 0) return `row ${i}: ${JSON.stringify(g)} vs ${JSON.stringify(w)}`;
    if (Math.abs(g.cost - w.cost) > 1e-6 * Math.max(1, Math.abs(w.cost))) return `row ${i}: cost ${g.cost} vs ${w.cost}`;
  }
  return undefined;
}

describe('warehouse SQL run for real over fixture rows', () => {
  const warehouse = new FixtureWarehouse();
  const exports = exportRows();
  const focus = focusRows();
  const cases: Case<never>[] = [
    { name: 'BigQuery standard export', table: standardExportTable('p.billing.gcp_billing_export_v1_X', new Set(['cost_at_list'])), dialect: 'bigquery', tableName: 'p.billing.gcp_billing_export_v1_X', rows: exports, reader: exportReader(gcpNames), tagNames: gcpNames, groups: [[], ['ServiceName'], ['tag:Team'], ['ServiceName', 'tag:CostCenter'], ['SubAccountId', 'ChargeCategory', 'tag:Team']] },
    { name: 'BigQuery detailed export', table: standardExportTable('p.billing.gcp_billing_export_resource_v1_X', new Set(['cost_at_list', 'resource'])), dialect: 'bigquery', tableName: 'p.billing.gcp_billing_export_resource_v1_X', rows: exports, reader: exportReader(gcpNames), tagNames: gcpNames, groups: [['ResourceId'], ['ResourceName', 'tag:CostCenter']] },
    { name: 'BigQuery FOCUS view', table: focusViewTable('p.billing.focus_v1'), dialect: 'bigquery', tableName: 'p.billing.focus_v1', rows: focus, reader: focusReader(gcpNames), tagNames: gcpNames, groups: [[], ['ProviderName', 'tag:CostCenter'], ['ServiceName', 'RegionId']] },
    { name: 'Athena FOCUS table', table: athenaFocusTable('cur', 'focus_export'), dialect: 'trino', tableName: 'cur.focus_export', rows: focus, reader: focusReader(awsNames), tagNames: awsNames, groups: [[], ['tag:Team'], ['ServiceName', 'tag:CostCenter'], ['SubAccountId', 'ResourceId']] },
  ] as never;

  before(async () => {
    const label = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }));
    const detailed = { ...EXPORT_COLUMNS, resource: 'STRUCT("name" VARCHAR, global_name VARCHAR)' };
    await warehouse.load({ table: 'p.billing.gcp_billing_export_v1_X' }, EXPORT_COLUMNS, exports);
    await warehouse.load({ table: 'p.billing.gcp_billing_export_resource_v1_X' }, detailed, exports);
    await warehouse.load({ table: 'p.billing.focus_v1' }, focusViewColumns(), focus.map((r) => ({ ...r, Tags: label(r.Tags) })));
    await warehouse.load({ schema: 'cur', table: 'focus_export' }, athenaColumns(), focus.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]))));
  });
  after(() => warehouse.close());

  for (const c of cases) {
    it(`${c.name}: every query parses in its dialect and answers as the rows say`, async () => {
      const filter = c.name.startsWith('BigQuery standard') || c.name.startsWith('BigQuery detailed') ? ['ServiceName', ['Vertex AI', "O'Brien's service"]] as const : ['ServiceName', ["O'Brien's service", 'Amazon SageMaker']] as const;
      const list = queries(c.groups, filter[0], [...filter[1]]);
      let nonEmpty = 0;
      for (const query of list) {
        if (query.metric === 'ListCost' && !c.table.cost.ListCost) continue;
        const got = await answer(warehouse, c as Case<unknown>, query);
        const want = expectedAnswer(c.rows as unknown[], c.reader as RowReader<unknown>, query);
        const problem = same(got, want);
        assert.equal(problem, undefined, `${JSON.stringify(query)}: ${problem}`);
        if (got.length) nonEmpty++;
      }
      assert.ok(nonEmpty > list.length / 2, 'most queries have rows to compare');
    });
  }

  it('a wrong column, filter or join in the table definitions fails', async () => {
    const standard = cases[0]!;
    const query: CostQuery = { period: PERIOD, granularity: 'daily', groupBy: ['ServiceName', 'tag:Team'], metric: 'EffectiveCost', filters: [{ key: 'tag:Team', values: ['nlp', null] }] };
    const broken: [string, SqlTable][] = [
      ['credits left out', { ...standard.table, cost: { ...standard.table.cost, EffectiveCost: 'cost' } }],
      ['the list price as cost', { ...standard.table, cost: { ...standard.table.cost, EffectiveCost: 'cost_at_list' } }],
      ['project labels first', { ...standard.table, tag: (keys) => `COALESCE(${keys.map((k) => `(SELECT l.value FROM UNNEST(project.labels) AS l WHERE l.key = ${k} LIMIT 1)`).join(', ')}, ${keys.map((k) => `(SELECT l.value FROM UNNEST(labels) AS l WHERE l.key = ${k} LIMIT 1)`).join(', ')})` }],
      ['a cross join of the labels', { ...standard.table, from: `${standard.table.from}, UNNEST(labels) AS extra` }],
      ['a column that does not exist', { ...standard.table, dimensions: { ...standard.table.dimensions, ServiceName: 'service.name' } }],
    ];
    for (const [what, table] of broken) {
      const outcome = await answer(warehouse, { ...standard, table } as Case<unknown>, query)
        .then((got) => same(got, expectedAnswer(standard.rows as unknown[], standard.reader as RowReader<unknown>, query)), (e: unknown) => `fails: ${String(e).slice(0, 80)}`);
      assert.ok(outcome !== undefined, `${what} was not noticed`);
    }
  });
});
