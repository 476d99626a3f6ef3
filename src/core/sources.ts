import type { CostQuery, CostResult } from './cost/model';

/**
 * The contracts every source implements (clouds, bill files, IaC, demo): what the core, the features and the CLI
 * read, whoever answers. Implementations live in src/providers/<source>/; nothing here does I/O.
 */

/**
 * State of one source, shown in the Resources view. One failing source never hides the others. `signIn` is the
 * command that fixes it when the fix is a sign-in (`aws sso login --profile ml`), so the views can offer to run it.
 */
export type SourceState =
  | { kind: 'ok'; detail?: string }
  | { kind: 'loading' }
  | { kind: 'notConfigured'; fix: string; signIn?: string }
  | { kind: 'authExpired'; message: string; fix: string; signIn?: string }
  | { kind: 'throttled'; message: string }
  | { kind: 'error'; message: string; fix?: string; signIn?: string };

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
  /**
   * Cost over the source's period, when known. A resource found only in IaC has a monthly estimate instead
   * (`estimate` set; `period` is then the month it was priced for).
   */
  cost?: {
    amount: number;
    currency: string;
    period: { start: string; end: string };
    /**
     * Set when the amount is a catalogue estimate for a month of `hoursPerMonth` hours, not a billed cost. `instances`:
     * the machines the amount covers (`count = 6` → 6), or 'unknown' when the amount is for one instance of an
     * unknown count; absent for one machine.
     */
    estimate?: { hoursPerMonth: number; hourly: number; instanceType: string; region: string; source: string; capturedAt: string; instances?: number | 'unknown' };
  };
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

/** Hourly utilisation of one resource in percent (0-100). CPU is always there; the others when measured. */
export interface UtilisationSeries {
  cpu: readonly MetricPoint[];
  gpu?: readonly MetricPoint[];
  gpuMemory?: readonly MetricPoint[];
  memory?: readonly MetricPoint[];
}

export interface MetricSource {
  /** The service, in a word ("CloudWatch"). */
  readonly name: string;
  /** The service and where it is asked ("CloudWatch us-east-1 (profile "ml")"). */
  readonly label: string;
  /** True when the source holds metrics for this resource (CloudWatch: an EC2 instance id or ARN). */
  covers(resourceId: string): boolean;
  /** Hourly series for one resource and metric name (CPUUtilization, GPUUtilization, GPUMemoryUtilization). */
  getHourlySeries(resourceId: string, metric: string, start: Date, end: Date, signal?: AbortSignal): Promise<MetricPoint[]>;
  /** The last `days` (default 14) of hourly utilisation for right-sizing, and where it came from. */
  getUtilisation(resourceId: string, options?: { days?: number; now?: Date }, signal?: AbortSignal): Promise<UtilisationSeries & { source: string }>;
}
