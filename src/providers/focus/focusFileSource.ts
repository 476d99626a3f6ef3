import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { checkedSum } from '../../core/cost/amounts';
import type { CostFilter, CostMetric, CostQuery, CostResult, CostRow, Period } from '../../core/cost/model';
import { addDays, ALL_TIME } from '../../core/period';
import { parseCostQuery } from '../../core/cost/query';
import { compactParams, SqlParams } from '../../core/cost/sql';
import { defaultTagAliases, parseTagsJson, type TagAliases } from '../../core/cost/tags';
import { isFinOpsError } from '../../core/errors';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';
import { describeAzureKey } from '../../core/native/azureCost';
import type { ConvertOptions } from '../../core/native/types';
import type { CostSource, Resource, ResourceSource } from '../../core/sources';
import type { BillWorkloadRow } from '../../core/migrate/fromBill';
import { buildCostSql, buildResourcesSql, buildWorkloadSql, neededColumns, RESOURCE_COLUMNS, WORKLOAD_COLUMNS } from './costSql';
import { DuckDbEngine } from './duckdb';
import { formatOf, resolveBillFiles, type BillFile } from './files';
import { explainReadFailure } from './diagnose';
import { displayName, type InspectedFile } from './files';
import { groupFiles, inspectFile, notABill, relationSql } from './inspect';
import { ScratchDir } from './scratch';
import { ParquetCopies } from './parquetCopies';
import type { FocusColumn } from '../../core/cost/focusColumns';

interface FocusFileSourceOptions {
  /** Files, folders or globs (FOCUS CSV / CSV.gz / Parquet, or native AWS / Azure / GCP exports). */
  paths: readonly string[];
  /** Where relative paths start (the workspace folder; the CLI's working directory). */
  baseDir: string;
  id?: string;
  label?: string;
  /** The policy's per-cloud tag names; without one, the rule of src/core/cost/tags.ts (defaultTagAliases). */
  tagAliases?: TagAliases;
  /** Share one DuckDB between sources; a source that creates its own closes it in dispose(). */
  engine?: DuckDbEngine;
  logger?: Logger;
  /** What listResources() reports: cost over this period (all the data when absent), by this metric, at most this many. */
  resources?: { period?: () => Period | undefined; metric?: CostMetric; limit?: number };
  /**
   * Load large CSV bills on first use into Parquet copies in this folder (the extension's global storage), so
   * later queries take tenths of a second instead of a CSV scan each. Absent: every query reads the files (CLI).
   */
  copies?: { dir: string; minBytes?: number };
  /** Where UTF-8 copies of CSVs DuckDB cannot read as they are go; shared by a factory's sources (else the source's own). */
  scratch?: ScratchDir;
}

/** What the files hold, for the source's status line and the CLI. */
interface FocusInputSummary {
  files: { path: string; format: 'csv' | 'parquet'; kind: string; focusVersion?: string; azureDataset?: string }[];
}

/**
 * Cost and resources from bill files on disk, queried where they lie with DuckDB (never loaded into JS):
 * FOCUS 1.0–1.2 files, and native AWS CUR / Azure cost details / GCP billing exports converted to FOCUS
 * on the fly. Files are resolved and their headers read on first use, again only when they change.
 */
export class FocusFileSource implements CostSource, ResourceSource {
  readonly id: string;
  readonly label: string;
  private readonly engine: DuckDbEngine;
  private readonly ownsEngine: boolean;
  private readonly aliases: TagAliases;
  private readonly log: Logger;
  private readonly inspected = new Map<string, { size: number; mtimeMs: number; file?: InspectedFile; skipped?: string }>();
  private readonly copies?: ParquetCopies;
  private readonly scratch: ScratchDir;
  private readonly ownsScratch: boolean;

  constructor(private readonly options: FocusFileSourceOptions) {
    this.id = options.id ?? 'focus';
    const only = options.paths.length === 1 ? options.paths[0]! : undefined;
    this.label = options.label ?? (only === undefined ? `FOCUS files (${options.paths.length} paths)`
      : formatOf(only) && !/[*?[]/.test(only) ? `FOCUS file ${path.basename(only)}` : `FOCUS files in ${only}`);
    this.ownsEngine = options.engine === undefined;
    this.engine = options.engine ?? new DuckDbEngine({ logger: options.logger });
    this.aliases = options.tagAliases ?? defaultTagAliases;
    this.log = options.logger ?? silentLogger;
    if (options.copies) this.copies = new ParquetCopies({ ...options.copies, logger: this.log }, this.engine);
    this.ownsScratch = options.scratch === undefined;
    this.scratch = options.scratch ?? new ScratchDir();
  }

  /** Resolves the paths and reads each new or changed file's header. */
  async files(signal?: AbortSignal): Promise<InspectedFile[]> {
    return (await this.load(signal)).files;
  }

  /**
   * The bill files and what the user should know about them: a file a folder or glob found that is not a bill
   * (a README.csv, a manifest) is skipped with a warning naming it; a file named itself must be a bill.
   */
  private async load(signal?: AbortSignal): Promise<{ files: InspectedFile[]; warnings: string[] }> {
    const resolved = await resolveBillFiles(this.options.paths, this.options.baseDir, this.engine, signal);
    const files: InspectedFile[] = [];
    const warnings: string[] = [];
    const skipped: string[] = [];
    for (const file of resolved) {
      throwIfAborted(signal);
      let cached = this.inspected.get(file.path);
      // a converted copy removed behind our back (a temp-folder clean-up) is made again
      const copyGone = cached?.file?.readPath !== undefined && !(await fs.access(cached.file.readPath).then(() => true, () => false));
      if (!cached || copyGone || cached.size !== file.size || cached.mtimeMs !== file.mtimeMs) {
        const started = Date.now();
        try {
          let inspected = await inspectFile(file, this.engine, { scratch: this.scratch, signal });
          this.log.debug(`${path.basename(file.path)}: ${describeKind(inspected)}, ${inspected.columns.length} columns (${Date.now() - started} ms)`);
          if (this.copies?.eligible(inspected)) inspected = await this.copies.copyOf(inspected, signal);
          cached = { size: file.size, mtimeMs: file.mtimeMs, file: inspected };
        } catch (e) {
          if (!isFinOpsError(e) || e.code !== 'notABill' || file.named) throw e;
          cached = { size: file.size, mtimeMs: file.mtimeMs, skipped: e.message };
        }
        this.inspected.set(file.path, cached);
      }
      if (cached.file) {
        files.push(cached.file);
        warnings.push(...(cached.file.notes ?? []));
      } else {
        skipped.push(path.basename(file.path));
        warnings.push(`Skipped ${path.relative(this.options.baseDir, file.path) || path.basename(file.path)}: ${cached.skipped ?? 'not a bill'}`);
      }
    }
    if (!files.length && skipped.length) {
      throw notABill(`No bill among ${skipped.join(', ')}: ${warnings.map((w) => w.replace(/^Skipped [^:]+: /, '')).join(' ')}`, FIX_NO_BILL);
    }
    const scale = scaleNote(files);
    if (scale) warnings.push(scale);
    return { files, warnings };
  }

  async summary(signal?: AbortSignal): Promise<FocusInputSummary> {
    const files = await this.files(signal);
    return {
      files: files.map((f) => ({
        path: f.origin?.path ?? f.path,
        format: f.origin?.format ?? f.format,
        kind: f.bill.kind === 'focus' ? 'FOCUS' : f.bill.converter.label,
        ...(f.bill.kind === 'focus' ? { focusVersion: f.bill.version } : {}),
        ...(f.azureDataset ? { azureDataset: f.azureDataset } : {}),
      })),
    };
  }

  /** The union of every file's relation, projecting `needed` columns. */
  private relation(files: InspectedFile[], needed: readonly FocusColumn[], params: SqlParams, warnings: string[], period?: Period): string {
    const keysOf = (dataset: string) => new Set(files.filter((f) => f.azureDataset === dataset).flatMap((f) => f.azureKeys ?? []));
    const actual = keysOf('actual');
    const amortized = keysOf('amortized');
    const paired = [...actual].filter((k) => amortized.has(k));
    const options: ConvertOptions = { azurePairedKeys: paired };
    const list = (keys: string[]) => keys.slice(0, 3).map(describeAzureKey).join('; ') + (keys.length > 3 ? `; and ${keys.length - 3} more` : '');
    if (paired.length) {
      warnings.push(`Azure actual and amortized cost exports are read together (${list(paired)}): BilledCost comes from the actual export, EffectiveCost and ListCost from the amortized one.`);
    }
    const actualOnly = [...actual].filter((k) => !amortized.has(k));
    const amortizedOnly = [...amortized].filter((k) => !actual.has(k));
    if (actualOnly.length && needed.includes('EffectiveCost')) {
      warnings.push(`${amortized.size ? `Azure actual cost with no amortized export for the same account and month (${list(actualOnly)})` : 'The Azure export holds actual cost only'}: EffectiveCost counts commitment purchases when bought. Add the amortized cost export for amortized figures.`);
    }
    if (amortizedOnly.length && actual.size && needed.includes('BilledCost')) {
      warnings.push(`Azure amortized cost with no actual export for the same account and month (${list(amortizedOnly)}): its BilledCost leaves out commitment purchases. Add the actual cost export for invoiced figures.`);
    }
    return groupFiles(files).map((g) => relationSql(g, needed, options, params, warnings, period)).join('\nUNION ALL\n');
  }

  async query(input: CostQuery, signal?: AbortSignal): Promise<CostResult> {
    const query = parseCostQuery(input);
    const { files, warnings } = await this.load(signal);
    const params = new SqlParams();
    const relation = this.relation(files, neededColumns(query), params, warnings, query.period);
    const { sql, groupAliases } = buildCostSql(query, relation, this.aliases, params);
    const started = Date.now();
    const rows = await this.run(sql, params, files, signal);
    this.log.debug(`${this.label}: ${rows.length} cost rows in ${Date.now() - started} ms`);
    const names = files.map(displayName).join(', ');
    const out: CostRow[] = rows.map((r) => {
      const groups: Record<string, string | null> = {};
      query.groupBy.forEach((key, i) => {
        const v = r[groupAliases[i]!];
        groups[key] = v === null || v === undefined ? null : String(v);
      });
      const group = [String(r.period), ...query.groupBy.map((k) => `${k} ${groups[k] ?? '(none)'}`)].join(', ');
      const row: CostRow = { groups, period: String(r.period), cost: checkedSum(r.cost, { source: names, metric: query.metric, group }), currency: String(r.currency) };
      if (query.usageHours && r.hours !== null && r.hours !== undefined && Number.isFinite(Number(r.hours))) row.hours = Number(r.hours);
      return row;
    });
    return {
      query, rows: out, source: this.label, fetchedAt: new Date().toISOString(),
      ...(warnings.length ? { warnings: [...new Set(warnings)] } : {}),
    };
  }

  /** The dates the files cover (half-open), or undefined when they hold no row. */
  async coverage(signal?: AbortSignal): Promise<Period | undefined> {
    const files = await this.files(signal);
    const params = new SqlParams();
    const relation = this.relation(files, ['ChargePeriodStart'], params, []);
    const [row] = await this.run(
      `SELECT CAST(CAST(min("ChargePeriodStart") AS DATE) AS VARCHAR) AS s, CAST(CAST(max("ChargePeriodStart") AS DATE) + 1 AS VARCHAR) AS e FROM (${relation}) AS focus`,
      params, files, signal);
    return row?.s ? { start: String(row.s), end: String(row.e) } : undefined;
  }

  async listResources(signal?: AbortSignal): Promise<Resource[]> {
    const files = await this.files(signal);
    const period = this.options.resources?.period?.();
    const metric = this.options.resources?.metric ?? 'EffectiveCost';
    const params = new SqlParams();
    const relation = this.relation(files, [...RESOURCE_COLUMNS, metric], params, [], period);
    const sql = buildResourcesSql(relation, metric, period, this.options.resources?.limit ?? 100_000, params);
    const rows = await this.run(sql, params, files, signal);
    return rows.map((r) => {
      const resource: Resource = {
        provider: String(r.provider ?? 'FOCUS file'),
        id: String(r.id),
        type: String(r.type ?? r.service ?? 'Unknown'),
        tags: parseTagsJson(r.tags as string | null),
      };
      if (r.region) resource.region = String(r.region);
      if (r.name) resource.name = String(r.name);
      if (r.cost !== null && r.cost !== undefined && Number(r.currencies) === 1) {
        const covered = period ?? (r.data_start ? { start: String(r.data_start), end: addDays(String(r.data_end), 1) } : ALL_TIME);
        resource.cost = { amount: checkedSum(r.cost, { source: files.map(displayName).join(', '), metric, group: `resource ${String(r.id)}` }), currency: String(r.currency), period: covered };
      }
      return resource;
    });
  }

  /**
   * The selected resources over a period with what a migration estimate needs: the machine the bill names, compute
   * hours, storage GB-months and EffectiveCost (src/core/migrate). Filters as in a cost query.
   */
  async workload(filters: readonly CostFilter[], period: Period, signal?: AbortSignal): Promise<BillWorkloadRow[]> {
    const files = await this.files(signal);
    const params = new SqlParams();
    const relation = this.relation(files, WORKLOAD_COLUMNS, params, [], period);
    const rows = await this.run(buildWorkloadSql(relation, filters, this.aliases, period, params), params, files, signal);
    const names = files.map(displayName).join(', ');
    const num = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : Number(v));
    const str = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : String(v));
    return rows.map((r) => ({
      id: String(r.id),
      ...(str(r.name) ? { name: str(r.name)! } : {}),
      provider: str(r.provider) ?? '',
      ...(str(r.region) ? { region: str(r.region)! } : {}),
      ...(str(r.service) ? { service: str(r.service)! } : {}),
      ...(str(r.category) ? { category: str(r.category)! } : {}),
      ...(str(r.instance_type) ? { instanceType: str(r.instance_type)! } : {}),
      machine: {
        ...(num(r.vcpu) !== undefined ? { vcpu: num(r.vcpu)! } : {}),
        ...(num(r.memory) !== undefined ? { memoryGiB: num(r.memory)! } : {}),
        ...(num(r.gpus) !== undefined ? { gpus: num(r.gpus)! } : {}),
        ...(str(r.gpu_model) ? { gpuModel: str(r.gpu_model)! } : {}),
      },
      hours: num(r.hours) ?? 0,
      gbMonths: num(r.gb_months) ?? 0,
      cost: checkedSum(r.cost, { source: names, metric: 'EffectiveCost', group: `resource ${String(r.id)}` }),
      currency: str(r.currency) ?? '',
      currencies: Number(r.currencies ?? 0),
    }));
  }

  private async run(sql: string, params: SqlParams, files: readonly BillFile[], signal?: AbortSignal) {
    const compact = compactParams(sql, params.values);
    try {
      return await this.engine.query(compact.sql, compact.values, signal);
    } catch (e) {
      if (e instanceof Error && !isFinOpsError(e)) this.log.debug(`${this.label}: DuckDB: ${e.message}`);
      throw await explainReadFailure(files, e, this.engine, signal);
    }
  }

  dispose(): void {
    if (this.ownsEngine) this.engine.close();
    if (this.ownsScratch) this.scratch.dispose();
  }
}

/**
 * Past these sizes a local bill is better queried where the export already lies: every query scans it whole.
 * Parquet: about 100 M rows (bench/costs.mjs: some 20 s a query on 2 cores); CSV: about 2 GB (some 3 M rows, several
 * seconds a query; the extension reads it once into a Parquet copy, the CLI every time).
 */
const LARGE_BILL = { parquetRows: 100_000_000, csvBytes: 2 * 1024 ** 3 } as const;

const WAREHOUSES = 'query the export where it lies: Athena over the AWS FOCUS export ("mlFinops.aws.costSource": "athena", docs/athena.md) or BigQuery over the Cloud Billing export ("mlFinops.gcp.billingTable")';

/** A note for bills large enough that a warehouse answers better, else undefined. */
export function scaleNote(files: readonly { format: string; size: number; rows?: number; origin?: unknown }[]): string | undefined {
  const rows = files.reduce((s, f) => s + (f.rows ?? 0), 0);
  const csv = files.filter((f) => f.format === 'csv' && !f.origin).reduce((s, f) => s + f.size, 0);
  const millions = (n: number) => `${(n / 1e6).toFixed(n >= 1e9 ? 0 : 1)} M`;
  if (rows >= LARGE_BILL.parquetRows) return `These bills hold ${millions(rows)} rows, and every query reads them whole: past about ${millions(LARGE_BILL.parquetRows)} rows, ${WAREHOUSES}.`;
  if (csv >= LARGE_BILL.csvBytes) return `These CSV bills hold ${(csv / 1024 ** 3).toFixed(1)} GiB, scanned whole by every query: export Parquet instead (several times smaller and faster), or ${WAREHOUSES}.`;
  return undefined;
}

const FIX_NO_BILL = 'Point at a FOCUS export (CSV, CSV.gz or Parquet), an AWS Cost and Usage Report, an Azure cost details export or a Google Cloud billing export.';

function describeKind(f: InspectedFile): string {
  if (f.bill.kind === 'focus') return `FOCUS ${f.bill.version}`;
  return f.azureDataset ? `${f.bill.converter.label} (${f.azureDataset} cost)` : f.bill.converter.label;
}
