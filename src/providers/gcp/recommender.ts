import { z } from 'zod';
import { silentLogger, type Logger } from '../../core/ports';
import type { NativeRecommendation } from '../../core/savings/native';
import { gcpAccessToken } from './config';
import { callGoogle } from './errors';

/**
 * Google Recommender's machine-type recommendations (`google.compute.instance.MachineTypeRecommender`, REST
 * `projects.locations.recommenders.recommendations.list`, one call per zone, paged by pageToken) and the recommender's
 * config (`getConfig`: its observation period). The saving is the cost projection (negative cost over `duration`),
 * scaled to a 730-hour month. IAM: `recommender.computeInstanceMachineTypeRecommendations.list` (Compute Recommender
 * Viewer).
 */

const RECOMMENDER = 'google.compute.instance.MachineTypeRecommender';
const MONTH_SECONDS = 730 * 3600;

const money = z.object({ currencyCode: z.string().optional(), units: z.union([z.string(), z.number()]).optional(), nanos: z.number().optional() });
const recommendationSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  recommenderSubtype: z.string().optional(),
  lastRefreshTime: z.string().optional(),
  primaryImpact: z.object({
    category: z.string().optional(),
    costProjection: z.object({ cost: money.optional(), duration: z.string().optional() }).optional(),
  }).optional(),
  content: z.object({
    overview: z.record(z.string(), z.unknown()).optional(),
    operationGroups: z.array(z.object({
      operations: z.array(z.object({ action: z.string().optional(), resource: z.string().optional(), path: z.string().optional(), value: z.unknown().optional() })).optional(),
    })).optional(),
  }).optional(),
  stateInfo: z.object({ state: z.string().optional() }).optional(),
});
const pageSchema = z.object({ recommendations: z.array(recommendationSchema).optional(), nextPageToken: z.string().optional() });
const configSchema = z.object({ recommenderGenerationConfig: z.object({ params: z.record(z.string(), z.unknown()).optional() }).optional() });

export interface GcpRecommenderOptions {
  projectId: string;
  /** Zones to read (`us-central1-a`): machine-type recommendations live per zone. */
  zones: readonly string[];
  /** Endpoint override; empty = https://recommender.googleapis.com. */
  endpoint: string;
  authClient?: unknown;
  accessToken?: string;
  log?: Logger;
}

function seconds(d: string | undefined): number | undefined {
  const m = d ? /^(\d+(?:\.\d+)?)s$/.exec(d) : null;
  return m ? Number(m[1]) : undefined;
}

function amount(m: z.infer<typeof money> | undefined): number {
  if (!m) return 0;
  return Number(m.units ?? 0) + (m.nanos ?? 0) / 1e9;
}

const lastSegment = (v: string | undefined) => v?.split('/').pop();

/** One recommendation (and the zone's observation period) as a native recommendation (pure; exported for tests). */
export function fromRecommender(r: z.infer<typeof recommendationSchema>, lookbackDays?: number): NativeRecommendation | undefined {
  if (r.stateInfo?.state && r.stateInfo.state !== 'ACTIVE') return undefined;
  const projection = r.primaryImpact?.costProjection;
  const cost = amount(projection?.cost);
  const duration = seconds(projection?.duration) ?? 30 * 86400;
  const ops = (r.content?.operationGroups ?? []).flatMap((g) => g.operations ?? []);
  const replace = ops.find((o) => o.path === '/machineType' && (o.action === 'replace' || o.action === 'test'));
  const resource = ops.find((o) => o.resource)?.resource ?? (typeof r.content?.overview?.resourceName === 'string' ? r.content.overview.resourceName : undefined);
  if (!resource) return undefined;
  const overview = r.content?.overview ?? {};
  const nameOf = (v: unknown) => (v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string' ? (v as { name: string }).name : undefined);
  const recommended = nameOf(overview.recommendedMachineType) ?? (replace?.action === 'replace' && typeof replace.value === 'string' ? lastSegment(replace.value) : undefined);
  const current = nameOf(overview.currentMachineType) ?? (ops.find((o) => o.path === '/machineType' && o.action === 'test') ? lastSegment(String(ops.find((o) => o.path === '/machineType' && o.action === 'test')!.value)) : undefined);
  const stop = r.recommenderSubtype === 'STOP_VM' || /idle|stop/i.test(r.recommenderSubtype ?? '');
  const zone = /\/zones\/([^/]+)\//.exec(resource)?.[1];
  const days = duration / 86400;
  return {
    provider: 'gcp',
    source: 'Google Recommender',
    resourceId: resource.replace(/^\/\/compute\.googleapis\.com\//, ''),
    resourceName: lastSegment(resource) ?? resource,
    action: stop ? 'shutdown' : recommended ? 'rightsize' : 'other',
    ...(current ? { currentType: current } : {}),
    ...(recommended && !stop ? { recommendedType: recommended } : {}),
    monthlySaving: Math.round(-cost * (MONTH_SECONDS / duration) * 100) / 100,
    currency: projection?.cost?.currencyCode ?? 'USD',
    ...(lookbackDays !== undefined ? { lookbackDays } : {}),
    metrics: ['CPU', 'memory'],
    priceBasis: `Google's list prices (a cost projection of ${Math.round(-cost * 100) / 100} ${projection?.cost?.currencyCode ?? 'USD'} over ${Number.isInteger(days) ? days : days.toFixed(1)} days, scaled to 730 h)`,
    ...(r.lastRefreshTime ? { refreshedAt: r.lastRefreshTime } : {}),
    details: [
      ...(r.description ? [r.description] : []),
      ...(r.recommenderSubtype ? [`Subtype: ${r.recommenderSubtype}`] : []),
      ...(zone ? [`Zone: ${zone}`] : []),
    ],
    ...(zone ? { region: zone } : {}),
  };
}

export class GcpMachineTypeRecommendations {
  private readonly base: string;
  private readonly token: () => Promise<string>;
  private readonly log: Logger;

  constructor(private readonly options: GcpRecommenderOptions) {
    this.base = `${(options.endpoint || 'https://recommender.googleapis.com').replace(/\/+$/, '')}/v1`;
    this.token = gcpAccessToken({ accessToken: options.accessToken, authClient: options.authClient });
    this.log = options.log ?? silentLogger;
  }

  get label(): string {
    return `Google Recommender (project ${this.options.projectId})`;
  }

  private get(path: string, api: string, signal?: AbortSignal): Promise<unknown> {
    return callGoogle({
      projectId: this.options.projectId, endpoint: this.options.endpoint, api: `Recommender ${api}`, service: 'recommender.googleapis.com',
      permission: 'recommender.computeInstanceMachineTypeRecommendations.list', role: 'Compute Recommender Viewer (roles/recommender.computeViewer)',
      inputFix: 'Check "mlFinops.gcp.projectId" and the zones in "mlFinops.savings.gcpZones".',
    }, async () => {
      const r = await fetch(`${this.base}${path}`, { ...(signal ? { signal } : {}), headers: { authorization: `Bearer ${await this.token()}` } });
      const text = await r.text();
      if (!r.ok) {
        let message = text.slice(0, 300);
        let status: string | undefined;
        try { const e = (JSON.parse(text) as { error?: { message?: string; status?: string } }).error; message = e?.message ?? message; status = e?.status; } catch { /* not JSON */ }
        throw Object.assign(new Error(message), { code: r.status, status, response: { status: r.status, headers: { get: (n: string) => r.headers.get(n) } } });
      }
      return text ? JSON.parse(text) as unknown : {};
    }, { ...(signal ? { signal } : {}), log: this.log, retry: { attempts: 3 } });
  }

  /** The machine-type recommendations of every configured zone. */
  async list(signal?: AbortSignal): Promise<NativeRecommendation[]> {
    const out: NativeRecommendation[] = [];
    for (const zone of this.options.zones) {
      const parent = `/projects/${encodeURIComponent(this.options.projectId)}/locations/${encodeURIComponent(zone)}/recommenders/${RECOMMENDER}`;
      let lookback: number | undefined;
      try {
        const config = configSchema.parse(await this.get(`${parent}/config`, 'recommenders.getConfig', signal));
        const period = config.recommenderGenerationConfig?.params?.observation_period;
        const s = typeof period === 'string' ? seconds(period) : undefined;
        if (s !== undefined) lookback = Math.round(s / 86400);
      } catch (e) {
        this.log.debug(`${this.label}: no recommender config for ${zone}: ${String(e)}`);
      }
      let token: string | undefined;
      do {
        const page = pageSchema.parse(await this.get(`${parent}/recommendations${token ? `?pageToken=${encodeURIComponent(token)}` : ''}`, 'recommendations.list', signal));
        for (const r of page.recommendations ?? []) {
          const n = fromRecommender(r, lookback);
          if (n) out.push(n);
        }
        token = page.nextPageToken || undefined;
      } while (token);
    }
    return out;
  }
}
