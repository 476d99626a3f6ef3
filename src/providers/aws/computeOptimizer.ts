import { z } from 'zod';
import { FinOpsError, isFinOpsError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import type { NativeRecommendation } from '../../core/savings/native';
import { awsClientConfig, describeProfile, type AwsOptions } from './config';
import { callAws } from './errors';

/**
 * AWS Compute Optimizer's EC2 instance recommendations (GetEC2InstanceRecommendations, paged by nextToken), read as
 * native recommendations: the rank-1 option's type and `savingsOpportunity.estimatedMonthlySavings` (or, when the
 * account estimates savings after its discounts, `savingsOpportunityAfterDiscounts`), the lookback, the metrics it
 * weighed (CPU, memory, GPU and GPU memory for GPU instances with the NVIDIA metrics agent), the inferred workload
 * types and the GPUs of each type. IAM: `compute-optimizer:GetEC2InstanceRecommendations` and `ec2:DescribeInstances`;
 * the account must be opted in.
 */

const money = z.object({ currency: z.string().optional(), value: z.number().optional() }).optional();
const saving = z.object({ savingsOpportunityPercentage: z.number().optional(), estimatedMonthlySavings: money }).optional();
const gpuInfo = z.object({ gpus: z.array(z.object({ gpuCount: z.number().optional(), gpuMemorySizeInMiB: z.number().optional() })).optional() }).optional();
const metric = z.object({ name: z.string().optional(), statistic: z.string().optional(), value: z.number().optional() });

const recommendationSchema = z.object({
  instanceArn: z.string(),
  accountId: z.string().optional(),
  instanceName: z.string().optional(),
  currentInstanceType: z.string().optional(),
  finding: z.string().optional(),
  findingReasonCodes: z.array(z.string()).optional(),
  utilizationMetrics: z.array(metric).optional(),
  lookBackPeriodInDays: z.number().optional(),
  recommendationOptions: z.array(z.object({
    instanceType: z.string().optional(),
    performanceRisk: z.number().optional(),
    rank: z.number().optional(),
    savingsOpportunity: saving,
    savingsOpportunityAfterDiscounts: saving,
    migrationEffort: z.string().optional(),
    instanceGpuInfo: gpuInfo,
  })).optional(),
  lastRefreshTimestamp: z.union([z.date(), z.string(), z.number()]).optional(),
  currentPerformanceRisk: z.string().optional(),
  effectiveRecommendationPreferences: z.object({
    savingsEstimationMode: z.object({ source: z.string().optional() }).optional(),
    enhancedInfrastructureMetrics: z.string().optional(),
    lookBackPeriod: z.string().optional(),
  }).optional(),
  inferredWorkloadTypes: z.array(z.string()).optional(),
  currentInstanceGpuInfo: gpuInfo,
  idle: z.string().optional(),
});

const pageSchema = z.object({
  instanceRecommendations: z.array(recommendationSchema).optional(),
  nextToken: z.string().optional(),
  errors: z.array(z.object({ identifier: z.string().optional(), code: z.string().optional(), message: z.string().optional() })).optional(),
});

type Ec2Recommendation = z.infer<typeof recommendationSchema>;

export interface ComputeOptimizerOptions extends AwsOptions {
  /** Endpoint of Compute Optimizer alone (empty: the AWS endpoint override, else AWS). */
  computeOptimizerEndpoint?: string;
  log?: Logger;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
}

const ACTION = 'compute-optimizer:GetEC2InstanceRecommendations';

function gpus(info: z.infer<typeof gpuInfo>): string | undefined {
  const list = info?.gpus ?? [];
  if (!list.length) return undefined;
  return list.map((g) => `${g.gpuCount ?? '?'} GPU${g.gpuCount === 1 ? '' : 's'} × ${g.gpuMemorySizeInMiB !== undefined ? `${Math.round(g.gpuMemorySizeInMiB / 1024)} GiB` : '? GiB'}`).join(', ');
}

function isoDate(v: Ec2Recommendation['lastRefreshTimestamp']): string | undefined {
  if (v === undefined) return undefined;
  const d = v instanceof Date ? v : new Date(typeof v === 'number' ? v * 1000 : v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** One Compute Optimizer recommendation as a native recommendation (pure; exported for tests). */
export function fromComputeOptimizer(r: Ec2Recommendation): NativeRecommendation | undefined {
  const options = [...(r.recommendationOptions ?? [])].sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99));
  const best = options[0];
  const afterDiscounts = r.effectiveRecommendationPreferences?.savingsEstimationMode?.source === 'CostOptimizationHub' || r.effectiveRecommendationPreferences?.savingsEstimationMode?.source === 'CostExplorerRightsizing';
  const chosen = afterDiscounts && best?.savingsOpportunityAfterDiscounts?.estimatedMonthlySavings?.value !== undefined ? best.savingsOpportunityAfterDiscounts : best?.savingsOpportunity;
  const value = chosen?.estimatedMonthlySavings?.value;
  const idle = r.idle === 'True';
  if (value === undefined && !idle) return undefined;
  const region = /^arn:aws[\w-]*:ec2:([a-z0-9-]+):/.exec(r.instanceArn)?.[1];
  const id = r.instanceArn.split('/').pop() ?? r.instanceArn;
  const current = gpus(r.currentInstanceGpuInfo);
  const next = gpus(best?.instanceGpuInfo);
  const rightsize = !!best?.instanceType && best.instanceType !== r.currentInstanceType && r.finding !== 'Optimized';
  return {
    provider: 'aws',
    source: 'AWS Compute Optimizer',
    resourceId: r.instanceArn,
    resourceName: r.instanceName ? `${r.instanceName} (${id})` : id,
    action: idle ? 'shutdown' : rightsize ? 'rightsize' : 'other',
    ...(r.currentInstanceType ? { currentType: r.currentInstanceType } : {}),
    ...(rightsize && best?.instanceType ? { recommendedType: best.instanceType } : {}),
    monthlySaving: Math.round((value ?? 0) * 100) / 100,
    currency: chosen?.estimatedMonthlySavings?.currency ?? 'USD',
    ...(r.lookBackPeriodInDays !== undefined ? { lookbackDays: r.lookBackPeriodInDays } : {}),
    metrics: [...new Set((r.utilizationMetrics ?? []).map((m) => m.name ?? '').filter(Boolean))],
    priceBasis: afterDiscounts && chosen === best?.savingsOpportunityAfterDiscounts ? 'your prices after discounts (Reserved Instances, Savings Plans)' : 'public on-demand prices',
    ...(isoDate(r.lastRefreshTimestamp) ? { refreshedAt: isoDate(r.lastRefreshTimestamp)! } : {}),
    details: [
      `Finding: ${r.finding ?? 'unknown'}${r.findingReasonCodes?.length ? ` (${r.findingReasonCodes.join(', ')})` : ''}`,
      ...(r.inferredWorkloadTypes?.length ? [`Inferred workloads: ${r.inferredWorkloadTypes.join(', ')}`] : []),
      ...(current || next ? [`GPUs: ${current ?? 'none'} now${best?.instanceType ? `, ${next ?? 'none'} on ${best.instanceType}` : ''}`] : []),
      ...(best?.performanceRisk !== undefined ? [`Performance risk ${best.performanceRisk} (0 very low – 4 very high)`] : []),
      ...(best?.migrationEffort ? [`Migration effort: ${best.migrationEffort}`] : []),
      ...(r.effectiveRecommendationPreferences?.enhancedInfrastructureMetrics === 'Active' ? ['Enhanced infrastructure metrics: active'] : []),
    ],
    ...(region ? { region } : {}),
  };
}

export class ComputeOptimizerRecommendations {
  private readonly log: Logger;

  constructor(private readonly options: ComputeOptimizerOptions) {
    this.log = options.log ?? silentLogger;
  }

  get label(): string {
    return `AWS Compute Optimizer ${this.options.region} (${describeProfile(this.options)})`;
  }

  /** Every EC2 recommendation of the account in the region (optionally only these instance ARNs). */
  async list(signal?: AbortSignal, instanceArns?: readonly string[]): Promise<NativeRecommendation[]> {
    const { ComputeOptimizerClient, GetEC2InstanceRecommendationsCommand } = await import('@aws-sdk/client-compute-optimizer');
    const endpoint = this.options.computeOptimizerEndpoint || this.options.endpoint;
    const client = new ComputeOptimizerClient(await awsClientConfig({ ...this.options, endpoint }));
    const out: NativeRecommendation[] = [];
    try {
      let token: string | undefined;
      do {
        const input = { ...(instanceArns?.length ? { instanceArns: [...instanceArns] } : {}), ...(token ? { nextToken: token } : {}) };
        const raw = await callAws({ options: { profile: this.options.profile, endpoint }, api: 'Compute Optimizer GetEC2InstanceRecommendations', action: ACTION }, async () => {
          try {
            return await client.send(new GetEC2InstanceRecommendationsCommand(input), { abortSignal: signal });
          } catch (e) {
            throw optInError(e) ?? e;
          }
        }, { ...(signal ? { signal } : {}), log: this.log, ...(this.options.retry ? { retry: this.options.retry } : {}) });
        const page = pageSchema.parse(raw);
        for (const err of page.errors ?? []) this.log.warn(`${this.label}: ${err.identifier ?? ''} ${err.code ?? ''}: ${err.message ?? ''}`);
        for (const r of page.instanceRecommendations ?? []) {
          const n = fromComputeOptimizer(r);
          if (n) out.push(n);
        }
        token = page.nextToken || undefined;
      } while (token);
    } finally {
      client.destroy();
    }
    return out;
  }
}

/** Not opted in: a FinOpsError that names the fix (the generic 403 mapping would say "denied"). */
function optInError(e: unknown): FinOpsError | undefined {
  if (isFinOpsError(e)) return undefined;
  const name = (e as { name?: string } | null)?.name;
  if (name !== 'OptInRequiredException') return undefined;
  return new FinOpsError('usage', 'This AWS account is not opted in to Compute Optimizer, so it has no recommendations.', {
    fix: 'Opt in with `aws compute-optimizer update-enrollment-status --status Active` (or in the Compute Optimizer console); recommendations appear within about 24 hours. Or turn off "mlFinops.savings.nativeRecommenders".',
    code: 'notOptedIn',
    cause: e,
  });
}
