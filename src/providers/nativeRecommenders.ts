import { describeError, isCancelled, isFinOpsError } from '../core/errors';
import type { Logger } from '../core/ports';
import type { Settings } from '../core/settings';
import type { NativeRecommendation, NativeSourceName } from '../core/savings/native';
import { ComputeOptimizerRecommendations, type ComputeOptimizerOptions } from './aws/computeOptimizer';
import { AzureAdvisorRecommendations, type AdvisorOptions } from './azure/advisor';
import { GcpMachineTypeRecommendations, type GcpRecommenderOptions } from './gcp/recommender';

/**
 * The clouds' own recommenders for the clouds that are configured (none is asked otherwise): AWS Compute Optimizer,
 * Google Recommender, Azure Advisor. One failing recommender is reported with its fix and never hides the others.
 */
export interface NativeRecommenderOptions {
  aws?: ComputeOptimizerOptions;
  gcp?: GcpRecommenderOptions;
  azure?: AdvisorOptions;
  log?: Logger;
}

export interface NativeProblem {
  source: NativeSourceName;
  message: string;
  fix?: string;
}

export interface NativeResults {
  recommendations: NativeRecommendation[];
  problems: NativeProblem[];
  /** The recommenders asked. */
  asked: NativeSourceName[];
}

interface Recommender { source: NativeSourceName; list(signal?: AbortSignal): Promise<NativeRecommendation[]> }

export function createNativeRecommenders(options: NativeRecommenderOptions): { readonly asked: NativeSourceName[]; list(signal?: AbortSignal): Promise<NativeResults> } {
  const log = options.log ? { log: options.log } : {};
  const recommenders: Recommender[] = [];
  if (options.aws) {
    const co = new ComputeOptimizerRecommendations({ ...options.aws, ...log });
    recommenders.push({ source: 'AWS Compute Optimizer', list: (s) => co.list(s) });
  }
  if (options.gcp && options.gcp.zones.length) {
    const gr = new GcpMachineTypeRecommendations({ ...options.gcp, ...log });
    recommenders.push({ source: 'Google Recommender', list: (s) => gr.list(s) });
  }
  if (options.azure) {
    const ad = new AzureAdvisorRecommendations({ ...options.azure, ...log });
    recommenders.push({ source: 'Azure Advisor', list: (s) => ad.list(s) });
  }
  return {
    asked: recommenders.map((r) => r.source),
    async list(signal) {
      const settled = await Promise.allSettled(recommenders.map((r) => r.list(signal)));
      const out: NativeResults = { recommendations: [], problems: [], asked: recommenders.map((r) => r.source) };
      settled.forEach((s, i) => {
        const source = recommenders[i]!.source;
        if (s.status === 'fulfilled') out.recommendations.push(...s.value);
        else {
          if (isCancelled(s.reason)) throw s.reason;
          const fix = isFinOpsError(s.reason) ? s.reason.fix : undefined;
          out.problems.push({ source, message: isFinOpsError(s.reason) ? s.reason.message : describeError(s.reason), ...(fix ? { fix } : {}) });
          options.log?.warn(`${source}: ${describeError(s.reason)}`);
        }
      });
      out.recommendations.sort((a, b) => b.monthlySaving - a.monthlySaving);
      return out;
    },
  };
}

/** The recommendations for one resource: an EC2 id or ARN, a GCP instance path, an Azure resource id (case-insensitive). */
export function recommendationsFor(all: readonly NativeRecommendation[], resourceId: string): NativeRecommendation[] {
  const id = resourceId.toLowerCase().replace(/^\/\/compute\.googleapis\.com\//, '');
  const tail = id.split('/').pop() ?? id;
  return all.filter((r) => {
    const rid = r.resourceId.toLowerCase();
    if (rid === id) return true;
    // an EC2 instance id against the ARN (arn:aws:ec2:region:account:instance/i-…)
    return r.provider === 'aws' && /^i-[0-9a-f]+$/.test(tail) && rid.endsWith(`/${tail}`);
  });
}

/**
 * The extension's recommenders, from the settings: each cloud only when it is turned on (and, for AWS, the workspace
 * trusted), and none when "mlFinops.savings.nativeRecommenders" is off.
 */
export function nativeRecommendersFromSettings(settings: Settings, context: { trusted: boolean; log?: Logger }): ReturnType<typeof createNativeRecommenders> {
  if (!settings['savings.nativeRecommenders'] || !context.trusted) return createNativeRecommenders({});
  return createNativeRecommenders({
    ...(settings['aws.enabled'] ? { aws: { profile: settings['aws.profile'], region: settings['aws.region'], endpoint: settings['aws.endpoint'], computeOptimizerEndpoint: settings['aws.computeOptimizerEndpoint'] } } : {}),
    ...(settings['gcp.enabled'] && settings['gcp.projectId'] ? { gcp: { projectId: settings['gcp.projectId'], zones: settings['savings.gcpZones'], endpoint: settings['gcp.endpoint'] } } : {}),
    ...(settings['azure.enabled'] && settings['azure.scope'] ? { azure: { scope: settings['azure.scope'], endpoint: settings['azure.endpoint'], tenantId: settings['azure.tenantId'] } } : {}),
    ...(context.log ? { log: context.log } : {}),
  });
}
