import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonOrText, withBody } from './http';

/**
 * The clouds' recommenders on 127.0.0.1 (moto has no Compute Optimizer; no emulator exists for Google Recommender or
 * Azure Advisor), answering the documented wire shapes:
 *  - AWS Compute Optimizer, JSON 1.0: POST / with `X-Amz-Target: ComputeOptimizerService.GetEC2InstanceRecommendations`
 *    → {instanceRecommendations: [...], nextToken?, errors: []}; errors as {"__type": "OptInRequiredException", message}.
 *  - Google Recommender REST: GET /v1/projects/P/locations/ZONE/recommenders/google.compute.instance.MachineTypeRecommender/
 *    recommendations[?pageToken] → {recommendations, nextPageToken?}; …/config → {recommenderGenerationConfig: {params}}.
 *  - Azure Advisor: GET /subscriptions/S/providers/Microsoft.Advisor/recommendations?api-version=…&$filter=Category eq 'Cost'
 *    → {value, nextLink?}.
 * Every request needs an Authorization header; pages are one item long, so paging is exercised. `fail` answers the
 * next request of a cloud with an error.
 * It is also an App Service managed-identity endpoint (GET /msi/token?api-version=2019-08-01&resource=… with the
 * X-IDENTITY-HEADER secret → {access_token, expires_on, resource, token_type}): a process started with `identityEnv`
 * gets an Azure token through DefaultAzureCredential's own chain (the CLI has no other way to be given one).
 */
export interface NativeFake {
  endpoint: string;
  computeOptimizer: Array<Record<string, unknown>>;
  gcp: Map<string, Array<Record<string, unknown>>>;
  gcpObservationPeriod: string;
  advisor: Array<Record<string, unknown>>;
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER for a child process (DefaultAzureCredential → ManagedIdentityCredential). */
  identityEnv: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** Tokens handed out by the identity endpoint. */
  tokens: number;
  requests: Array<{ cloud: 'aws' | 'gcp' | 'azure'; method: string; url: string; target?: string; body?: unknown }>;
  fail(cloud: 'aws' | 'gcp' | 'azure', status: number, body: unknown): void;
  reset(): void;
  stop(): Promise<void>;
}

/** A Compute Optimizer instance recommendation in the documented shape (a GPU instance over-provisioned). */
export function coRecommendation(o: { arn: string; current: string; recommended: string; saving: number; lookbackDays?: number; afterDiscounts?: number; refreshed?: string; idle?: boolean }): Record<string, unknown> {
  const gpu = (count: number, mib: number) => ({ gpus: [{ gpuCount: count, gpuMemorySizeInMiB: mib }] });
  return {
    instanceArn: o.arn,
    accountId: '123456789012',
    instanceName: 'trainer',
    currentInstanceType: o.current,
    finding: 'Overprovisioned',
    findingReasonCodes: ['CPUOverprovisioned', 'GPUOverprovisioned', 'GPUMemoryOverprovisioned'],
    utilizationMetrics: [
      { name: 'CPU', statistic: 'MAXIMUM', value: 9.5 },
      { name: 'MEMORY', statistic: 'MAXIMUM', value: 11 },
      { name: 'GPU_PERCENTAGE', statistic: 'MAXIMUM', value: 22 },
      { name: 'GPU_MEMORY_PERCENTAGE', statistic: 'MAXIMUM', value: 15 },
      { name: 'NETWORK_IN_BYTES_PER_SECOND', statistic: 'MAXIMUM', value: 1200 },
    ],
    lookBackPeriodInDays: o.lookbackDays ?? 14,
    recommendationOptions: [
      {
        instanceType: o.recommended, rank: 1, performanceRisk: 1, migrationEffort: 'Low',
        projectedUtilizationMetrics: [{ name: 'CPU', statistic: 'MAXIMUM', value: 38 }],
        platformDifferences: [],
        savingsOpportunity: { savingsOpportunityPercentage: 75, estimatedMonthlySavings: { currency: 'USD', value: o.saving } },
        ...(o.afterDiscounts !== undefined ? { savingsOpportunityAfterDiscounts: { savingsOpportunityPercentage: 60, estimatedMonthlySavings: { currency: 'USD', value: o.afterDiscounts } } } : {}),
        instanceGpuInfo: gpu(1, 16384),
      },
      { instanceType: 'g5.2xlarge', rank: 2, performanceRisk: 2, savingsOpportunity: { estimatedMonthlySavings: { currency: 'USD', value: o.saving + 500 } }, instanceGpuInfo: gpu(1, 24576) },
    ],
    recommendationSources: [{ recommendationSourceArn: o.arn, recommendationSourceType: 'Ec2Instance' }],
    lastRefreshTimestamp: (Date.parse(o.refreshed ?? '2026-11-30T06:00:00Z') / 1000),
    currentPerformanceRisk: 'VeryLow',
    effectiveRecommendationPreferences: {
      cpuVendorArchitectures: ['CURRENT'], enhancedInfrastructureMetrics: 'Inactive', inferredWorkloadTypes: 'Active',
      lookBackPeriod: 'DAYS_14', savingsEstimationMode: { source: o.afterDiscounts !== undefined ? 'CostOptimizationHub' : 'PublicPricing' },
    },
    inferredWorkloadTypes: ['AmazonEmr'],
    instanceState: 'running',
    currentInstanceGpuInfo: gpu(4, 16384),
    idle: o.idle ? 'True' : 'False',
  };
}

/** A machine-type recommendation in the documented Recommender shape. */
export function gcpRecommendation(o: { project: string; zone: string; instance: string; current: string; recommended: string; costOver30Days: number }): Record<string, unknown> {
  const resource = `//compute.googleapis.com/projects/${o.project}/zones/${o.zone}/instances/${o.instance}`;
  const units = Math.trunc(-o.costOver30Days);
  return {
    name: `projects/${o.project}/locations/${o.zone}/recommenders/google.compute.instance.MachineTypeRecommender/recommendations/${o.instance}-1`,
    description: `Save cost by changing machine type from ${o.current} to ${o.recommended}.`,
    recommenderSubtype: 'CHANGE_MACHINE_TYPE',
    lastRefreshTime: '2026-11-29T08:00:00Z',
    primaryImpact: { category: 'COST', costProjection: { cost: { currencyCode: 'USD', units: String(units), nanos: Math.round((-o.costOver30Days - units) * 1e9) }, duration: '2592000s' } },
    content: {
      overview: { recommendedMachineType: { name: o.recommended }, currentMachineType: { name: o.current }, resourceName: resource },
      operationGroups: [{ operations: [
        { action: 'test', resourceType: 'compute.googleapis.com/Instance', resource, path: '/machineType', value: `zones/${o.zone}/machineTypes/${o.current}` },
        { action: 'replace', resourceType: 'compute.googleapis.com/Instance', resource, path: '/machineType', value: `zones/${o.zone}/machineTypes/${o.recommended}` },
      ] }],
    },
    stateInfo: { state: 'ACTIVE' },
    etag: '"abc"',
  };
}

/** An Advisor cost recommendation for a VM in the documented shape. */
export function advisorRecommendation(o: { subscription: string; group: string; vm: string; current: string; target: string; saving: number; lookback?: number }): Record<string, unknown> {
  const vmId = `/subscriptions/${o.subscription}/resourceGroups/${o.group}/providers/Microsoft.Compute/virtualMachines/${o.vm}`;
  return {
    id: `${vmId}/providers/Microsoft.Advisor/recommendations/0a1b2c3d-0000-4000-8000-${o.vm.padEnd(12, '0').slice(0, 12)}`,
    name: '0a1b2c3d', type: 'Microsoft.Advisor/recommendations',
    properties: {
      category: 'Cost', impact: 'High', impactedField: 'Microsoft.Compute/virtualMachines', impactedValue: o.vm, lastUpdated: '2026-11-28T10:00:00Z',
      recommendationTypeId: 'e10b1381-5f0a-47ff-8c7b-37bd13d7c974',
      shortDescription: { problem: 'Right-size or shutdown underutilized virtual machines', solution: 'Right-size or shutdown underutilized virtual machines' },
      extendedProperties: {
        currentSku: o.current, targetSku: o.target, savingsAmount: String(o.saving), savingsCurrency: 'USD', annualSavingsAmount: String(o.saving * 12),
        recommendationType: 'SkuChange', regionId: 'eastus', MaxCpuP95: '4', MaxMemoryP95: '12', MaxTotalNetworkP95: '1', lookbackPeriod: String(o.lookback ?? 7),
        subscriptionId: o.subscription, deploymentId: o.subscription, roleName: o.vm,
      },
      resourceMetadata: { resourceId: vmId, source: '/subscriptions/x' },
    },
  };
}

export async function startNativeFake(): Promise<NativeFake> {
  const failures = new Map<string, { status: number; body: unknown }>();
  const fake: NativeFake = {
    endpoint: '', computeOptimizer: [], gcp: new Map(), gcpObservationPeriod: '691200s', advisor: [], requests: [], identityEnv: { IDENTITY_ENDPOINT: '', IDENTITY_HEADER: 'fake-identity-header' }, tokens: 0,
    fail(cloud, status, body) { failures.set(cloud, { status, body }); },
    reset() { fake.computeOptimizer = []; fake.gcp = new Map(); fake.advisor = []; fake.requests = []; failures.clear(); },
    stop: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => withBody(req, (raw) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown, type = 'application/json') => { res.writeHead(status, { 'content-type': type }); res.end(JSON.stringify(body)); };
    if (url.pathname === '/msi/token') {
      if (req.headers['x-identity-header'] !== fake.identityEnv.IDENTITY_HEADER || url.searchParams.get('api-version') !== '2019-08-01' || !url.searchParams.get('resource')) {
        return send(400, { error: 'invalid_request', error_description: 'X-IDENTITY-HEADER, api-version=2019-08-01 and resource are required' });
      }
      fake.tokens += 1;
      return send(200, { access_token: 'eyJ.fake-managed-identity', expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: url.searchParams.get('resource'), token_type: 'Bearer' });
    }
    const target = req.headers['x-amz-target'] as string | undefined;
    const cloud = target ? 'aws' : url.pathname.startsWith('/v1/projects/') ? 'gcp' : url.pathname.startsWith('/subscriptions/') ? 'azure' : undefined;
    if (!cloud) return send(404, { message: `no route for ${req.method} ${url.pathname}` });
    fake.requests.push({ cloud, method: req.method ?? '', url: req.url ?? '', ...(target ? { target } : {}), body: jsonOrText(raw) });
    if (!req.headers.authorization) return send(401, { message: 'no Authorization header' });
    const failure = url.pathname.endsWith('/config') ? undefined : failures.get(cloud);
    if (failure) { failures.delete(cloud); return send(failure.status, failure.body, cloud === 'aws' ? 'application/x-amz-json-1.0' : 'application/json'); }
    if (cloud === 'aws') {
      if (target !== 'ComputeOptimizerService.GetEC2InstanceRecommendations') return send(400, { __type: 'UnknownOperationException', message: target }, 'application/x-amz-json-1.0');
      const body = (jsonOrText(raw) ?? {}) as { nextToken?: string; instanceArns?: string[] };
      const list = body.instanceArns?.length ? fake.computeOptimizer.filter((r) => body.instanceArns!.includes(String(r.instanceArn))) : fake.computeOptimizer;
      const at = Number(body.nextToken ?? 0);
      return send(200, { instanceRecommendations: list.slice(at, at + 1), ...(at + 1 < list.length ? { nextToken: String(at + 1) } : {}), errors: [] }, 'application/x-amz-json-1.0');
    }
    if (cloud === 'gcp') {
      const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/recommenders\/google\.compute\.instance\.MachineTypeRecommender\/(recommendations|config)$/.exec(url.pathname);
      if (!m) return send(404, { error: { code: 404, message: `Unknown path ${url.pathname}`, status: 'NOT_FOUND' } });
      if (m[3] === 'config') return send(200, { name: `${url.pathname.slice(4)}`, recommenderGenerationConfig: { params: { observation_period: fake.gcpObservationPeriod } } });
      const list = fake.gcp.get(decodeURIComponent(m[2]!)) ?? [];
      const at = Number(url.searchParams.get('pageToken') ?? 0);
      return send(200, { recommendations: list.slice(at, at + 1), ...(at + 1 < list.length ? { nextPageToken: String(at + 1) } : {}) });
    }
    if (!/^\/subscriptions\/[0-9a-f-]{36}\/providers\/Microsoft\.Advisor\/recommendations$/i.test(url.pathname)) return send(404, { error: { code: 'NotFound', message: url.pathname } });
    if (!url.searchParams.get('api-version')) return send(400, { error: { code: 'MissingApiVersionParameter', message: 'The api-version query parameter (?api-version=) is required for all requests.' } });
    const filter = url.searchParams.get('$filter');
    const list = fake.advisor.filter((r) => !filter || filter === "Category eq 'Cost'" && (r.properties as { category?: string }).category === 'Cost');
    const at = Number(url.searchParams.get('$skiptoken') ?? 0);
    const next = new URL(url.toString());
    next.searchParams.set('$skiptoken', String(at + 1));
    return send(200, { value: list.slice(at, at + 1), ...(at + 1 < list.length ? { nextLink: `${fake.endpoint}${next.pathname}${next.search}` } : {}) });
  }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.identityEnv.IDENTITY_ENDPOINT = `${fake.endpoint}/msi/token`;
  return fake;
}
