import { z } from 'zod';
import { FinOpsError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports';
import type { NativeRecommendation } from '../../core/savings/native';
import { armRequest } from './armRequest';
import { azureCredential, parseScope, type AzureOptions } from './config';

/**
 * Azure Advisor's cost recommendations (`GET /subscriptions/{id}/providers/Microsoft.Advisor/recommendations` with
 * `$filter=Category eq 'Cost'`, paged by nextLink): for virtual machines the right-size or shut-down advice with its
 * `extendedProperties` (currentSku, targetSku, savingsAmount, savingsCurrency, lookbackPeriod, MaxCpuP95,
 * MaxMemoryP95, MaxTotalNetworkP95). RBAC: `Microsoft.Advisor/recommendations/read` (Reader).
 */

const API_VERSION = '2023-01-01';
const recommendationSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  properties: z.object({
    category: z.string().optional(),
    impact: z.string().optional(),
    impactedField: z.string().optional(),
    impactedValue: z.string().optional(),
    lastUpdated: z.string().optional(),
    shortDescription: z.object({ problem: z.string().optional(), solution: z.string().optional() }).optional(),
    extendedProperties: z.record(z.string(), z.unknown()).optional(),
    resourceMetadata: z.object({ resourceId: z.string().optional() }).optional(),
  }),
});
const pageSchema = z.object({ value: z.array(recommendationSchema).default([]), nextLink: z.string().nullish() });

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** One Advisor cost recommendation as a native recommendation (pure; exported for tests). */
export function fromAdvisor(r: z.infer<typeof recommendationSchema>): NativeRecommendation | undefined {
  const p = r.properties;
  if (p.category && p.category !== 'Cost') return undefined;
  const x = p.extendedProperties ?? {};
  const saving = Number(str(x.savingsAmount) ?? str(x.annualSavingsAmount) !== undefined ? (str(x.savingsAmount) ?? String(Number(str(x.annualSavingsAmount)) / 12)) : NaN);
  if (!Number.isFinite(saving)) return undefined;
  const resourceId = p.resourceMetadata?.resourceId ?? r.id.replace(/\/providers\/Microsoft\.Advisor\/recommendations\/[^/]+$/i, '');
  const kind = str(x.recommendationType);
  const target = str(x.targetSku);
  const current = str(x.currentSku);
  const shutdown = kind === 'Shutdown' || (target !== undefined && /shutdown/i.test(target));
  const lookback = Number(str(x.lookbackPeriod));
  const metrics = [['MaxCpuP95', 'CPU'], ['MaxMemoryP95', 'memory'], ['MaxTotalNetworkP95', 'network']].filter(([k]) => x[k!] !== undefined).map(([, m]) => m!);
  return {
    provider: 'azure',
    source: 'Azure Advisor',
    resourceId,
    resourceName: p.impactedValue ?? resourceId.split('/').pop() ?? resourceId,
    action: shutdown ? 'shutdown' : target && target !== current ? 'rightsize' : 'other',
    ...(current ? { currentType: current } : {}),
    ...(target && !shutdown ? { recommendedType: target } : {}),
    monthlySaving: Math.round(saving * 100) / 100,
    currency: str(x.savingsCurrency) ?? 'USD',
    ...(Number.isFinite(lookback) && lookback > 0 ? { lookbackDays: lookback } : {}),
    metrics,
    priceBasis: 'Azure retail pay-as-you-go prices',
    ...(p.lastUpdated ? { refreshedAt: p.lastUpdated } : {}),
    details: [
      ...(p.shortDescription?.solution ? [p.shortDescription.solution] : []),
      ...(p.impact ? [`Impact: ${p.impact}`] : []),
      ...metrics.map((m) => `${m} P95 ${str(x[m === 'CPU' ? 'MaxCpuP95' : m === 'memory' ? 'MaxMemoryP95' : 'MaxTotalNetworkP95'])}`),
    ],
    ...(str(x.regionId) ? { region: str(x.regionId)! } : {}),
  };
}

export interface AdvisorOptions extends Pick<AzureOptions, 'scope' | 'endpoint' | 'tenantId' | 'credential'> {
  log?: Logger;
}

export class AzureAdvisorRecommendations {
  private readonly log: Logger;

  constructor(private readonly options: AdvisorOptions) {
    this.log = options.log ?? silentLogger;
  }

  get label(): string {
    return `Azure Advisor (${this.options.scope})`;
  }

  async list(signal?: AbortSignal): Promise<NativeRecommendation[]> {
    const scope = parseScope(this.options.scope);
    if (scope.kind !== 'subscription') {
      throw new FinOpsError('usage', 'Azure Advisor recommendations are read per subscription, and "mlFinops.azure.scope" is not one.', { fix: 'Set "mlFinops.azure.scope" to /subscriptions/<subscription id> to see Advisor\'s cost recommendations.' });
    }
    // one credential, and so one token cache, for every page
    const credential = await azureCredential({ scope: this.options.scope, endpoint: this.options.endpoint, tenantId: this.options.tenantId, ...(this.options.credential ? { credential: this.options.credential } : {}) });
    const call = {
      method: 'GET', id: `/subscriptions/${scope.subscriptionId}/providers/Microsoft.Advisor/recommendations`, apiVersion: API_VERSION, query: { $filter: "Category eq 'Cost'" },
      api: 'Advisor Recommendations List', action: 'Microsoft.Advisor/recommendations/read', role: 'Reader', scope: this.options.scope,
    };
    const out: NativeRecommendation[] = [];
    let nextLink: string | undefined;
    for (;;) {
      const raw = await armRequest({ endpoint: this.options.endpoint, tenantId: this.options.tenantId, credential }, { ...call, ...(nextLink ? { nextLink } : {}) }, { log: this.log, signal });
      const page = pageSchema.parse(raw);
      for (const r of page.value) {
        const n = fromAdvisor(r);
        if (n) out.push(n);
      }
      nextLink = page.nextLink || undefined;
      if (!nextLink) break;
    }
    return out;
  }
}
