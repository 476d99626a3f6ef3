import type { CostQuery, CostResult } from './cost/model';

/**
 * The contracts every source implements (clouds, bill files, IaC, demo): what the core, the features and the CLI
 * read, whoever answers. Implementations live in src/providers/<source>/; nothing here does I/O.
 */

/** State of one source, shown in the Resources view. One failing source never hides the others. */
export type SourceState =
  | { kind: 'ok'; detail?: string }
  | { kind: 'loading' }
  | { kind: 'notConfigured'; fix: string }
  | { kind: 'authExpired'; message: string; fix: string; signIn?: string }
  | { kind: 'throttled'; message: string }
  | { kind: 'error'; message: string; fix?: string };

/** A resource as the product sees it, from any cloud inventory, bill or IaC declaration. */
export interface Resource {
  provider: string;
  id: string;
  type: string;
  region?: string;
  name?: string;
  tags: Readonly<Record<string, string>>;
  /** Instance type / VM size / machine type ("p4d.24xlarge", "Standard_NC24ads_A100_v4", "a2-highgpu-1g"), when known. */
  size?: string;
  /** Other facts the inventory reports (state, lifecycle "spot" / "on-demand", availability zone …). */
  attributes?: Record<string, string>;
  declaredIn?: { file: string; range: { startLine: number; startColumn: number; endLine: number; endColumn: number } };
  /** Cost over the source's period, when known. */
  cost?: { amount: number; currency: string; period: { start: string; end: string } };
}

/** How one cost query is asked, besides the query itself. */
export interface CostQueryOptions {
  /** Skip any cache for this query and store the fresh answer. */
  refresh?: boolean;
}

export interface CostSource {
  readonly id: string;
  readonly label: string;
  query(query: CostQuery, signal?: AbortSignal, options?: CostQueryOptions): Promise<CostResult>;
}

export interface ResourceSource {
  readonly id: string;
  readonly label: string;
  listResources(signal?: AbortSignal): Promise<Resource[]>;
}

export interface MetricPoint { timestamp: string; value: number }

export interface MetricSource {
  /** Hourly series for one resource and metric name (CPUUtilization, GPUUtilization, GPUMemoryUtilization). */
  getHourlySeries(resourceId: string, metric: string, start: Date, end: Date, signal?: AbortSignal): Promise<MetricPoint[]>;
}
