import type { CostQuery, CostResult } from '../core/cost/model';

/** State of one source, shown in the Resources view. One failing source never hides the others. */
export type SourceState =
  | { kind: 'ok'; detail?: string }
  | { kind: 'loading' }
  | { kind: 'notConfigured'; fix: string }
  | { kind: 'authExpired'; message: string; fix: string }
  | { kind: 'throttled'; message: string }
  | { kind: 'error'; message: string; fix?: string };

export type ProviderName = 'AWS' | 'Google Cloud' | 'Microsoft' | 'FOCUS file' | 'Infrastructure as code';

/** A resource as the product sees it, from any cloud inventory, bill or IaC declaration. */
export interface Resource {
  provider: string;
  id: string;
  type: string;
  region?: string;
  name?: string;
  tags: Record<string, string>;
  /** Instance type / VM size / machine type ("p4d.24xlarge", "Standard_NC24ads_A100_v4", "a2-highgpu-1g"), when known. */
  size?: string;
  /** Other facts the inventory reports (state, lifecycle "spot" / "on-demand", availability zone …). */
  attributes?: Record<string, string>;
  declaredIn?: { file: string; range: { startLine: number; startColumn: number; endLine: number; endColumn: number } };
  /** Cost over the source's period, when known. */
  cost?: { amount: number; currency: string; period: { start: string; end: string } };
}

export interface CostSource {
  readonly id: string;
  readonly label: string;
  query(query: CostQuery, signal?: AbortSignal): Promise<CostResult>;
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
