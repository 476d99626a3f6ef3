import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import { FinOpsError } from '../../core/errors';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import type { MetricPoint, MetricSource, UtilisationSeries } from '../../core/sources';
import { awsClientConfig, describeProfile, type AwsOptions } from './config';
import { callAws } from './errors';

/**
 * Hourly utilisation of an EC2 instance from CloudWatch GetMetricData: CPU from AWS/EC2, and the GPU and memory
 * metrics the CloudWatch agent publishes (nvidia_smi_* per GPU, mem_used_percent) when it is installed.
 * GPU series are aggregated over the instance's GPUs: utilisation is their mean (share of all GPU capacity),
 * memory the fullest GPU's used / total, read as the maximum of every 5-minute period and reported per hour as
 * that hour's peak (a job fails on its peak GPU memory, not its average).
 */

/** The metric names this source answers, as MetricSource metric names. */
export const metricNames = {
  cpu: 'CPUUtilization',
  gpu: 'GPUUtilization',
  gpuMemory: 'GPUMemoryUtilization',
  memory: 'MemoryUtilization',
} as const;

interface CloudWatchOptions extends AwsOptions {
  log?: Logger;
  /** Namespace the CloudWatch agent publishes to (default CWAgent). */
  agentNamespace?: string;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
}

const HOUR = 3_600_000;
const FIVE_MINUTES = 300_000;

const listMetricsPage = z.object({
  NextToken: z.string().optional(),
  Metrics: z.array(z.object({
    Namespace: z.string().optional(),
    MetricName: z.string().optional(),
    Dimensions: z.array(z.object({ Name: z.string().optional(), Value: z.string().optional() })).optional(),
  })).optional(),
});

const metricDataPage = z.object({
  NextToken: z.string().optional(),
  MetricDataResults: z.array(z.object({
    Id: z.string().optional(),
    Timestamps: z.array(z.date()).optional(),
    Values: z.array(z.number()).optional(),
    StatusCode: z.string().optional(),
  })).optional(),
  Messages: z.array(z.object({ Code: z.string().optional(), Value: z.string().optional() })).optional(),
});

/** "i-0abc…" from an instance id or an EC2 instance ARN. */
export function instanceIdOf(resourceId: string): string {
  const m = /(?:^|instance\/)(i-[0-9a-f]{8,17})$/.exec(resourceId.trim());
  if (!m?.[1]) throw new FinOpsError('input', `"${resourceId}" is not an EC2 instance id.`, { fix: 'Pass an instance id such as i-0123456789abcdef0 or its ARN.' });
  return m[1];
}

/** EC2 instances: an instance id or an ARN ending in one (instanceIdOf checks the id itself). */
export function isEc2Instance(resourceId: string): boolean {
  return /(^|\/)i-[0-9a-f]+$/.test(resourceId);
}

type Dimensions = Array<{ Name: string; Value: string }>;

export class CloudWatchMetrics implements MetricSource {
  readonly name = 'CloudWatch';
  private readonly log: Logger;
  private client?: Promise<CloudWatchClient>;
  private readonly namespace: string;

  constructor(private readonly options: CloudWatchOptions) {
    this.log = options.log ?? silentLogger;
    this.namespace = options.agentNamespace || 'CWAgent';
  }

  get label(): string {
    return `CloudWatch ${this.options.region} (${describeProfile(this.options)})`;
  }

  covers(resourceId: string): boolean {
    return isEc2Instance(resourceId);
  }

  private getClient(): Promise<CloudWatchClient> {
    this.client ??= (async () => {
      const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
      return new CloudWatchClient(await awsClientConfig(this.options));
    })();
    return this.client;
  }

  private call<T>(api: string, action: string, signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T> {
    return callAws({ options: this.options, api, action }, send, { signal, log: this.log, retry: this.options.retry });
  }

  /** Every published dimension set of an agent metric for the instance (one per GPU for nvidia_smi_*). */
  private async agentMetrics(instanceId: string, metricName: string, signal?: AbortSignal): Promise<Dimensions[]> {
    const { ListMetricsCommand } = await import('@aws-sdk/client-cloudwatch');
    const client = await this.getClient();
    const out: Dimensions[] = [];
    let token: string | undefined;
    do {
      const input = { Namespace: this.namespace, MetricName: metricName, Dimensions: [{ Name: 'InstanceId', Value: instanceId }], ...(token ? { NextToken: token } : {}) };
      const page = listMetricsPage.parse(await this.call('CloudWatch ListMetrics', 'cloudwatch:ListMetrics', signal, () => client.send(new ListMetricsCommand(input), { abortSignal: signal })));
      for (const m of page.Metrics ?? []) {
        out.push((m.Dimensions ?? []).filter((d): d is { Name: string; Value: string } => d.Name !== undefined && d.Value !== undefined));
      }
      token = page.NextToken || undefined;
    } while (token);
    return out;
  }

  /**
   * Several metrics in one paged GetMetricData call; returns series by query id. Hourly averages, or with `peaks`
   * the maximum of every 5-minute period (keyed by period start), for metrics whose peak matters (GPU memory).
   */
  private async hourly(queries: Array<{ id: string; namespace: string; name: string; dimensions: Dimensions }>, start: Date, end: Date, signal?: AbortSignal, peaks = false): Promise<Map<string, Map<number, number>>> {
    const bucket = peaks ? FIVE_MINUTES : HOUR;
    const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    const client = await this.getClient();
    const out = new Map<string, Map<number, number>>(queries.map((q) => [q.id, new Map()]));
    // 500 queries per request is the API's limit
    for (let i = 0; i < queries.length; i += 500) {
      const batch: MetricDataQuery[] = queries.slice(i, i + 500).map((q) => ({
        Id: q.id,
        MetricStat: { Metric: { Namespace: q.namespace, MetricName: q.name, Dimensions: q.dimensions }, Period: peaks ? 300 : 3600, Stat: peaks ? 'Maximum' : 'Average' },
        ReturnData: true,
      }));
      let token: string | undefined;
      do {
        throwIfAborted(signal);
        const input = { StartTime: start, EndTime: end, MetricDataQueries: batch, ScanBy: 'TimestampAscending' as const, ...(token ? { NextToken: token } : {}) };
        const page = metricDataPage.parse(await this.call('CloudWatch GetMetricData', 'cloudwatch:GetMetricData', signal, () => client.send(new GetMetricDataCommand(input), { abortSignal: signal })));
        for (const r of page.MetricDataResults ?? []) {
          const series = r.Id ? out.get(r.Id) : undefined;
          if (!series) continue;
          (r.Timestamps ?? []).forEach((t, k) => {
            const v = r.Values?.[k];
            if (v !== undefined && Number.isFinite(v)) series.set(Math.floor(t.getTime() / bucket) * bucket, v);
          });
        }
        token = page.NextToken || undefined;
      } while (token);
    }
    return out;
  }

  async getHourlySeries(resourceId: string, metric: string, start: Date, end: Date, signal?: AbortSignal): Promise<MetricPoint[]> {
    const instanceId = instanceIdOf(resourceId);
    const toPoints = (m: Map<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([t, value]) => ({ timestamp: new Date(t).toISOString(), value }));
    switch (metric) {
      case metricNames.cpu: {
        const r = await this.hourly([{ id: 'cpu', namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: [{ Name: 'InstanceId', Value: instanceId }] }], start, end, signal);
        return toPoints(r.get('cpu') ?? new Map());
      }
      case metricNames.memory: {
        const dims = await this.agentMetrics(instanceId, 'mem_used_percent', signal);
        if (dims.length === 0) return [];
        const r = await this.hourly(dims.map((d, i) => ({ id: `mem${i}`, namespace: this.namespace, name: 'mem_used_percent', dimensions: d })), start, end, signal);
        return toPoints(combine([...r.values()], (vs) => Math.max(...vs)));
      }
      case metricNames.gpu: {
        const dims = await this.agentMetrics(instanceId, 'nvidia_smi_utilization_gpu', signal);
        if (dims.length === 0) return [];
        const r = await this.hourly(dims.map((d, i) => ({ id: `gpu${i}`, namespace: this.namespace, name: 'nvidia_smi_utilization_gpu', dimensions: d })), start, end, signal);
        // the mean over GPUs: the share of the instance's GPU capacity in use (hours where some GPU is missing are skipped)
        return toPoints(combine([...r.values()], (vs) => vs.reduce((a, b) => a + b, 0) / vs.length));
      }
      case metricNames.gpuMemory: {
        const [used, total] = await Promise.all([
          this.agentMetrics(instanceId, 'nvidia_smi_memory_used', signal),
          this.agentMetrics(instanceId, 'nvidia_smi_memory_total', signal),
        ]);
        if (used.length === 0 || total.length === 0) return [];
        const key = (d: Dimensions) => JSON.stringify(d.filter((x) => x.Name !== 'InstanceId').sort((a, b) => a.Name.localeCompare(b.Name)));
        const pairs = used.map((u) => ({ u, t: total.find((t) => key(t) === key(u)) })).filter((p): p is { u: Dimensions; t: Dimensions } => p.t !== undefined);
        const r = await this.hourly(pairs.flatMap((p, i) => [
          { id: `used${i}`, namespace: this.namespace, name: 'nvidia_smi_memory_used', dimensions: p.u },
          { id: `total${i}`, namespace: this.namespace, name: 'nvidia_smi_memory_total', dimensions: p.t },
        ]), start, end, signal, true);
        const perGpu = pairs.map((_, i) => {
          const u = r.get(`used${i}`) ?? new Map<number, number>();
          const t = r.get(`total${i}`) ?? new Map<number, number>();
          const pct = new Map<number, number>();
          for (const [ts, v] of u) {
            const tot = t.get(ts);
            if (tot !== undefined && tot > 0) pct.set(ts, (100 * v) / tot);
          }
          return pct;
        });
        // the fullest GPU in each 5-minute period, then each hour's highest period: the peak, not an hourly average
        const hourlyPeak = new Map<number, number>();
        for (const [ts, v] of combine(perGpu, (vs) => Math.max(...vs))) {
          const h = Math.floor(ts / HOUR) * HOUR;
          hourlyPeak.set(h, Math.max(v, hourlyPeak.get(h) ?? -Infinity));
        }
        return toPoints(hourlyPeak);
      }
      default:
        throw new FinOpsError('input', `CloudWatch metric "${metric}" is not one the product reads.`, { fix: `Use one of ${Object.values(metricNames).join(', ')}.` });
    }
  }

  /**
   * The last `days` (default 14) of hourly utilisation for right-sizing: CPU always, GPU, GPU memory and host
   * memory when the CloudWatch agent publishes them. A missing agent metric is an empty series, not an error.
   */
  async getUtilisation(resourceId: string, options: { days?: number; now?: Date } = {}, signal?: AbortSignal): Promise<UtilisationSeries & { source: string }> {
    const end = new Date(Math.floor((options.now ?? new Date()).getTime() / HOUR) * HOUR);
    const days = options.days ?? 14;
    const start = new Date(end.getTime() - days * 24 * HOUR);
    const [cpu, gpu, gpuMemory, memory] = await Promise.all([
      this.getHourlySeries(resourceId, metricNames.cpu, start, end, signal),
      this.getHourlySeries(resourceId, metricNames.gpu, start, end, signal),
      this.getHourlySeries(resourceId, metricNames.gpuMemory, start, end, signal),
      this.getHourlySeries(resourceId, metricNames.memory, start, end, signal),
    ]);
    this.log.info(`${this.label}: ${instanceIdOf(resourceId)} has ${cpu.length} h CPU, ${gpu.length} h GPU, ${gpuMemory.length} h GPU memory, ${memory.length} h memory`);
    return {
      cpu,
      ...(gpu.length ? { gpu } : {}),
      ...(gpuMemory.length ? { gpuMemory } : {}),
      ...(memory.length ? { memory } : {}),
      source: `CloudWatch GetMetricData, ${days} days hourly to ${end.toISOString().slice(0, 13)}:00Z (${this.options.region})`,
    };
  }
}

/** Combines per-GPU hourly series into one: only hours every series has. */
function combine(series: Array<Map<number, number>>, f: (values: number[]) => number): Map<number, number> {
  const out = new Map<number, number>();
  const first = series[0];
  if (!first) return out;
  for (const ts of first.keys()) {
    const values = series.map((s) => s.get(ts));
    if (values.every((v): v is number => v !== undefined)) out.set(ts, f(values));
  }
  return out;
}
