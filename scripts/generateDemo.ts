/**
 * The demo organisation: a synthetic ML company on AWS, Google Cloud and Azure, written as a FOCUS 1.2 bill
 * (demo/billing/demo-org.focus-1.2.csv.gz) and a summary of it (demo/billing/README.md).
 *
 *   npm run demo:generate        (node --import tsx scripts/generateDemo.ts [--check])
 *
 * Deterministic: seeded PRNGs (one stream per workload, so tuning one leaves the others unchanged), integer
 * arithmetic for randomness, no clock. The same code gives byte-identical CSV text on every machine; the .gz is
 * rewritten only when that text changes. `--check` exits 1 when the committed files differ from a fresh run.
 *
 * Every compute price comes from the shipped catalogue (resources/pricing, through src/core/pricing), so a line
 * of the bill, the savings estimator and the code lenses quote the same on-demand, spot and commitment rates.
 * Storage, network and NAT rates (not in the catalogue) are the clouds' public list prices, first tier, named below.
 * The instance type is in SkuPriceDetails.InstanceType (a FOCUS 1.2 property), with GpuCount and x_GpuModel.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { FOCUS_COLUMNS, type FocusColumn } from '../src/core/cost/focusColumns';
import { familyOf } from '../src/core/pricing/catalogue';
import type { InstancePrices } from '../src/core/pricing/model';
import { shippedCatalogue } from '../src/core/pricing/shippedCatalogue';
import { DEMO_BILL, DEMO_COVERAGE } from '../src/providers/demo/demoBill';

type Cloud = 'aws' | 'gcp' | 'azure';
type Team = 'vision' | 'nlp' | 'recsys' | 'speech' | 'platform';
type Environment = 'production' | 'staging' | 'dev' | 'prod';
type Stage = 'training' | 'inference' | 'experimentation' | 'data' | 'ci';

// ── calendar ─────────────────────────────────────────────────────────────────────────────────────────────────────

const DAY_MS = 86_400_000;
const dayIndex = (d: string): number => Date.parse(`${d}T00:00:00Z`) / DAY_MS;
const dayOf = (i: number): string => new Date(i * DAY_MS).toISOString().slice(0, 10);
const addDays = (d: string, n: number): string => dayOf(dayIndex(d) + n);
const weekday = (d: string): number => new Date(`${d}T00:00:00Z`).getUTCDay(); // 0 = Sunday
const isWeekend = (d: string): boolean => weekday(d) === 0 || weekday(d) === 6;
const monthOf = (d: string): string => d.slice(0, 7);
const daysInMonth = (d: string): number => new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)), 0)).getUTCDate();
const monthStart = (d: string): string => `${d.slice(0, 7)}-01`;
const nextMonthStart = (d: string): string => addDays(monthStart(d), daysInMonth(d));
const ts = (d: string): string => `${d}T00:00:00Z`;

const DAYS: string[] = [];
for (let i = dayIndex(DEMO_COVERAGE.start); i < dayIndex(DEMO_COVERAGE.end); i++) DAYS.push(dayOf(i));
const LAST_DAY = DAYS[DAYS.length - 1]!;
/** The month the bill is still open for (no invoice yet). */
const OPEN_MONTH = monthOf(LAST_DAY);

// ── deterministic randomness ─────────────────────────────────────────────────────────────────────────────────────

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: a small seeded PRNG (integer operations only, so the same on every platform). */
function prng(seed: string): () => number {
  let a = fnv1a(`demo-org-2026:${seed}`);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const between = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** `n` characters of `alphabet`, a pure function of `seed` (ids stay put when other workloads change). */
function idChars(seed: string, n: number, alphabet: string): string {
  const r = prng(`id:${seed}`);
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(r() * alphabet.length)];
  return out;
}
const HEX = '0123456789abcdef';
const SKU_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const awsInstanceId = (name: string): string => `i-0${idChars(name, 16, HEX)}`;
const uuid = (seed: string): string => {
  const h = idChars(seed, 32, HEX);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

// ── the organisation ─────────────────────────────────────────────────────────────────────────────────────────────

interface Account { id: string; name: string; type: string }
interface BillingAccount extends Account { provider: string; publisher: string; issuer: string }

const BILLING: Record<Cloud, BillingAccount> = {
  aws: { id: '123456789012', name: 'Example ML Org (synthetic)', type: 'Management Account', provider: 'AWS', publisher: 'Amazon Web Services, Inc.', issuer: 'Amazon Web Services, Inc.' },
  gcp: { id: '01A2B3-C4D5E6-F7A8B9', name: 'Example ML Org billing (synthetic)', type: 'Billing Account', provider: 'Google Cloud', publisher: 'Google Cloud', issuer: 'Google LLC' },
  azure: { id: '8e6b2c1d-4f3a-4b7e-9c0d-5a1b2c3d4e5f:1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9_2019-05-31', name: 'Example ML Org (synthetic)', type: 'Microsoft Customer Agreement', provider: 'Microsoft', publisher: 'Microsoft', issuer: 'Microsoft' },
};

const AWS = {
  payer: { id: '123456789012', name: 'example-ml-org', type: 'Management Account' },
  prod: { id: '210987654321', name: 'ml-prod', type: 'Member Account' },
  research: { id: '345678901234', name: 'ml-research', type: 'Member Account' },
  data: { id: '456789012345', name: 'ml-data', type: 'Member Account' },
} satisfies Record<string, Account>;
const GCP = {
  training: { id: 'ml-training-prod', name: 'ML training (prod)', type: 'Project' },
  serving: { id: 'ml-serving-prod', name: 'ML serving (prod)', type: 'Project' },
  sandbox: { id: 'ml-research-sandbox', name: 'ML research sandbox', type: 'Project' },
} satisfies Record<string, Account>;
const AZURE_SUBSCRIPTION = '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';
const AZURE = { prod: { id: AZURE_SUBSCRIPTION, name: 'ml-prod-azure', type: 'Subscription' } } satisfies Record<string, Account>;

const TEAMS: Record<Team, { costCenter: string; owner: string }> = {
  vision: { costCenter: 'ml-research', owner: 'vision-leads@example.com' },
  nlp: { costCenter: 'ml-research', owner: 'nlp-leads@example.com' },
  recsys: { costCenter: 'ml-product', owner: 'recsys-leads@example.com' },
  speech: { costCenter: 'ml-product', owner: 'speech-leads@example.com' },
  platform: { costCenter: 'ml-platform', owner: 'ml-platform@example.com' },
};

interface Owner { team: Team; project: string; environment: Environment; stage: Stage }

/**
 * Tags as each cloud carries them: the policy keys on AWS and Azure (plus AWS's Name and the Terraform default
 * tag ManagedBy), lowercase labels on Google Cloud (`cost_center`, and an owner without "@", which labels cannot hold).
 */
function tagsFor(cloud: Cloud, o: Owner, extra: { name?: string; managed?: boolean; omit?: readonly string[] } = {}): Record<string, string> {
  const team = TEAMS[o.team];
  const keys: [string, string, string][] = [
    ['Team', 'team', o.team],
    ['Project', 'project', o.project],
    ['Environment', 'environment', o.environment],
    ['CostCenter', 'cost_center', team.costCenter],
    ['Owner', 'owner', cloud === 'gcp' ? team.owner.split('@')[0]! : team.owner],
    ['Stage', 'stage', o.stage],
  ];
  const tags: Record<string, string> = {};
  if (cloud === 'aws' && extra.name) tags.Name = extra.name;
  for (const [policyKey, label, value] of keys) {
    if (extra.omit?.includes(policyKey)) continue;
    tags[cloud === 'gcp' ? label : policyKey] = value;
  }
  if (extra.managed) tags[cloud === 'gcp' ? 'managed_by' : 'ManagedBy'] = 'terraform';
  return tags;
}

interface Service { name: string; category: string; subcategory: string }
const SERVICES = {
  ec2: { name: 'Amazon Elastic Compute Cloud', category: 'Compute', subcategory: 'Virtual Machines' },
  s3: { name: 'Amazon Simple Storage Service', category: 'Storage', subcategory: 'Object Storage' },
  vpc: { name: 'Amazon Virtual Private Cloud', category: 'Networking', subcategory: 'Network Connectivity' },
  awsTransfer: { name: 'AWS Data Transfer', category: 'Networking', subcategory: 'Network Connectivity' },
  savingsPlans: { name: 'Savings Plans for AWS Compute usage', category: 'Compute', subcategory: 'Virtual Machines' },
  gce: { name: 'Compute Engine', category: 'Compute', subcategory: 'Virtual Machines' },
  gcs: { name: 'Cloud Storage', category: 'Storage', subcategory: 'Object Storage' },
  gcpNetwork: { name: 'Networking', category: 'Networking', subcategory: 'Network Connectivity' },
  azureVm: { name: 'Virtual Machines', category: 'Compute', subcategory: 'Virtual Machines' },
  azureStorage: { name: 'Storage', category: 'Storage', subcategory: 'Object Storage' },
  azureBandwidth: { name: 'Bandwidth', category: 'Networking', subcategory: 'Network Connectivity' },
} satisfies Record<string, Service>;

const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)', 'us-west-2': 'US West (Oregon)',
  'us-central1': 'Iowa', eastus: 'East US',
};

/** Public list prices (USD, first tier) for what the GPU catalogue does not hold. */
const LIST = {
  s3StandardGbMonth: 0.023, // Amazon S3 pricing, S3 Standard, first 50 TB / month, us-east-1 and us-west-2
  s3CrossRegionGb: 0.02, // AWS data transfer between US regions, per GB
  awsInternetEgressGb: 0.09, // AWS data transfer out to the internet, first 10 TB / month
  natGatewayHour: 0.045, // Amazon VPC NAT gateway, per hour, us-east-1
  natGatewayGb: 0.045, // Amazon VPC NAT gateway, per GB processed, us-east-1
  gcsStandardGbMonth: 0.02, // Cloud Storage Standard, us-central1
  gcpInternetEgressGb: 0.08, // Premium tier internet egress, North America, over 10 TiB / month
  azureBlobHotGbMonth: 0.0184, // Azure Blob Storage, Hot LRS, first 50 TB / month, East US
  azureInternetEgressGb: 0.087, // Azure bandwidth, internet egress from North America, first 10 TB / month
};

// ── catalogue prices ─────────────────────────────────────────────────────────────────────────────────────────────

const catalogue = shippedCatalogue();
const priceCache = new Map<string, InstancePrices>();
function prices(type: string, region: string): InstancePrices {
  const key = `${type}@${region}`;
  let p = priceCache.get(key);
  if (!p) { p = catalogue.prices(type, region); priceCache.set(key, p); }
  return p;
}
const onDemandRate = (type: string, region: string): number => prices(type, region).onDemand.hourly;
function spotRate(type: string, region: string): number {
  const spot = prices(type, region).spot;
  if (!spot) throw new Error(`the catalogue has no spot price for ${type} in ${region}`);
  return spot.hourly;
}
/**
 * The synthetic demo's Compute Savings Plan rate: the catalogue's 1-year all-upfront convertible RI rate (no public,
 * licensed Savings Plans rates exist to ship, so the demo bills its purchase at the closest rate the catalogue has).
 */
function savingsPlanRate(type: string, region: string): number {
  const c = prices(type, region).commitments.find((x) => x.kind === 'reservedInstance' && x.offering === 'convertible' && x.term === 1 && x.payment === 'allUpfront');
  if (!c) throw new Error(`the catalogue has no 1-year all-upfront convertible RI rate for ${type} in ${region}`);
  return c.effectiveHourly;
}
/** The GCP resource-based committed use rate the catalogue gives (1 year). */
function cudRate(type: string, region: string): number {
  const c = prices(type, region).commitments.find((x) => x.kind === 'committedUse' && x.term === 1);
  if (!c) throw new Error(`the catalogue has no 1-year CUD rate for ${type} in ${region}`);
  return c.effectiveHourly;
}

// ── the line items ───────────────────────────────────────────────────────────────────────────────────────────────

interface Resource {
  cloud: Cloud;
  account: Account;
  id: string;
  name: string;
  type: string;
  region: string;
  zone?: string;
  tags: Record<string, string>;
  /** The instance type of a VM (what SkuPriceDetails.InstanceType says). */
  instanceType?: string;
  /** AWS: usage the Compute Savings Plan may cover. */
  savingsPlan?: boolean;
  /** A scale set: its rows count instance-hours of up to this many instances. */
  instances?: number;
}

interface Commitment { id: string; name: string; category: 'Spend' | 'Usage'; type: string; status?: 'Used' | 'Unused'; quantity: number; unit: string }

interface Line {
  day: string;
  /** Charge period other than the day (a commitment's term). */
  period?: { start: string; end: string };
  cloud: Cloud;
  account: Account;
  service: Service;
  category: 'Usage' | 'Purchase' | 'Credit';
  frequency: 'Usage-Based' | 'Recurring' | 'One-Time';
  description: string;
  resource?: Resource;
  region?: string;
  sku?: { id: string; priceId: string; meter: string; details?: Record<string, string | number> };
  pricing?: { category: 'Standard' | 'Dynamic' | 'Committed'; quantity: number; unit: string; listUnitPrice: number };
  consumed?: { quantity: number; unit: string };
  billed: number;
  effective: number;
  list: number;
  commitment?: Commitment;
}

const lines: Line[] = [];

function awsSku(seed: string): string { return idChars(`aws-sku:${seed}`, 16, SKU_CHARS); }
function gcpSku(seed: string): string { const c = idChars(`gcp-sku:${seed}`, 12, '0123456789ABCDEF'); return `${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8, 12)}`; }
function azureMeter(seed: string): string { return uuid(`azure-meter:${seed}`); }

function vmSku(cloud: Cloud, type: string, region: string, mode: 'Standard' | 'Dynamic' | 'Committed') {
  const p = prices(type, region);
  const details: Record<string, string | number> = { InstanceType: type, InstanceSeries: familyOf(cloud, type), CoreCount: p.shape.vcpu, MemorySize: p.shape.memoryGiB };
  if (p.shape.gpus) details.GpuCount = p.shape.gpus;
  details.OperatingSystem = 'Linux';
  if (p.shape.gpuModel) details.x_GpuModel = p.shape.gpuModel;
  const modeCode = { Standard: 'OnDemand', Dynamic: 'Spot', Committed: 'Commitment' }[mode];
  if (cloud === 'aws') {
    const id = awsSku(`${type}:${region}:${mode === 'Dynamic' ? 'spot' : 'od'}`);
    const term = { Standard: 'JRTCKXETXF', Dynamic: 'SPOT', Committed: 'SAVINGSPLAN' }[mode];
    return { id, priceId: `${id}.${term}.6YS6EN2CT7`, meter: mode === 'Dynamic' ? 'Spot Instance Usage' : 'Compute Usage', details };
  }
  if (cloud === 'gcp') {
    const id = gcpSku(`${type}:${region}:${mode === 'Dynamic' ? 'spot' : 'od'}`);
    return { id, priceId: `${id}-${modeCode}`, meter: mode === 'Dynamic' ? 'Spot VM Usage' : 'VM Usage', details };
  }
  const id = azureMeter(`${type}:${region}:${mode === 'Dynamic' ? 'spot' : 'od'}`);
  return { id, priceId: `${id}/${mode === 'Dynamic' ? '0002' : '0001'}`, meter: mode === 'Dynamic' ? `${type.replace('Standard_', '')} Spot` : type.replace('Standard_', ''), details };
}

function vmDescription(r: Resource, mode: 'Standard' | 'Dynamic' | 'Committed', rate: number): string {
  const type = r.instanceType!;
  const gpu = prices(type, r.region).shape;
  const gpus = gpu.gpus ? ` (${gpu.gpus} × ${gpu.gpuModel ?? 'GPU'})` : '';
  const price = `$${round(rate, 6)}`;
  if (r.cloud === 'aws') {
    if (mode === 'Committed') return `Compute Savings Plan rate ${price} per hour for ${type} in ${r.region}`;
    return `${price} per ${mode === 'Dynamic' ? 'Spot' : 'On Demand'} Linux ${type} Instance Hour`;
  }
  if (r.cloud === 'gcp') {
    if (mode === 'Committed') return `${type} running in ${r.region}${gpus}, covered by a 1-year committed use discount`;
    return `${mode === 'Dynamic' ? 'Spot ' : ''}${type} running in ${r.region}${gpus}`;
  }
  return `${type.replace('Standard_', '')}${mode === 'Dynamic' ? ' Spot' : ''} - Linux, ${REGION_NAMES[r.region] ?? r.region}${gpus}`;
}

/** One day of a VM: hours at a price mode (spot, on-demand, or covered by a commitment at `rate`). */
function vmLine(day: string, r: Resource, hours: number, mode: 'Standard' | 'Dynamic' | 'Committed', commitment?: { rate: number; c: Commitment }): Line {
  const od = onDemandRate(r.instanceType!, r.region);
  const rate = mode === 'Dynamic' ? spotRate(r.instanceType!, r.region) : mode === 'Committed' ? commitment!.rate : od;
  const cost = hours * rate;
  return {
    day, cloud: r.cloud, account: r.account, service: r.cloud === 'aws' ? SERVICES.ec2 : r.cloud === 'gcp' ? SERVICES.gce : SERVICES.azureVm,
    category: 'Usage', frequency: 'Usage-Based', description: vmDescription(r, mode, rate), resource: r,
    sku: vmSku(r.cloud, r.instanceType!, r.region, mode),
    pricing: { category: mode, quantity: hours, unit: 'Hours', listUnitPrice: od },
    consumed: { quantity: hours, unit: 'Hours' },
    billed: mode === 'Committed' ? 0 : cost,
    effective: cost,
    list: hours * od,
    ...(commitment ? { commitment: commitment.c } : {}),
  };
}

/** An AWS, GCP or Azure VM resource. */
function vm(cloud: Cloud, account: Account, name: string, instanceType: string, region: string, zone: string | undefined, tags: Record<string, string>, extra: { resourceGroup?: string; scaleSet?: number; savingsPlan?: boolean } = {}): Resource {
  prices(instanceType, region); // fails early for a type or region the catalogue lacks
  let id: string;
  let type: string;
  if (cloud === 'aws') { id = awsInstanceId(name); type = 'Instance'; }
  else if (cloud === 'gcp') { id = `//compute.googleapis.com/projects/${account.id}/zones/${zone}/instances/${name}`; type = 'VM Instance'; }
  else {
    const kind = extra.scaleSet ? 'virtualMachineScaleSets' : 'virtualMachines';
    id = `/subscriptions/${account.id}/resourceGroups/${extra.resourceGroup}/providers/Microsoft.Compute/${kind}/${name}`;
    type = extra.scaleSet ? 'Virtual machine scale set' : 'Virtual machine';
  }
  return { cloud, account, id, name, type, region, ...(zone ? { zone } : {}), tags, instanceType, ...(extra.savingsPlan ? { savingsPlan: true } : {}), ...(extra.scaleSet ? { instances: extra.scaleSet } : {}) };
}

/** Usage of VMs before commitments are applied. */
interface VmDay { day: string; r: Resource; hours: number; mode: 'Standard' | 'Dynamic' }
const vmDays: VmDay[] = [];
function run(day: string, r: Resource, hours: number, mode: 'Standard' | 'Dynamic' = 'Standard'): void {
  const h = Math.round(hours * 100) / 100;
  if (h > 0 && day >= DEMO_COVERAGE.start && day < DEMO_COVERAGE.end) vmDays.push({ day, r, hours: Math.min(24 * (r.instances ?? 1), h), mode });
}

/** Spreads `hours` starting `startHour` into the first day into per-day pieces. */
function runSpan(firstDay: string, startHour: number, hours: number, r: Resource, mode: 'Standard' | 'Dynamic'): void {
  let day = firstDay;
  let left = hours;
  let from = startHour;
  while (left > 0) {
    const today = Math.min(24 - from, left);
    run(day, r, today, mode);
    left -= today;
    from = 0;
    day = addDays(day, 1);
  }
}

// ── workloads ────────────────────────────────────────────────────────────────────────────────────────────────────

/** Always-on fleets, with a few maintenance hours now and then. */
function steady(resources: Resource[], opts: { from?: string; to?: string; maintenance?: number; seed: string }): void {
  const r = prng(`steady:${opts.seed}`);
  for (const day of DAYS) {
    for (const res of resources) {
      const down = r() < (opts.maintenance ?? 0.01) ? between(r, 2, 8) : 0;
      if ((opts.from && day < opts.from) || (opts.to && day >= opts.to)) continue;
      run(day, res, 24 - down);
    }
  }
}

/**
 * Training jobs: every `gapDays` a job of `nodes` instances runs `hours`; each job gets new instances (named
 * `<prefix>-j<job>-<node>`), on spot with probability `spotShare`.
 */
function bursts(o: {
  seed: string; cloud: Cloud; account: Account; prefix: string; type: string; region: string; zones: string[]; owner: Owner;
  gapDays: [number, number]; nodes: [number, number]; hours: [number, number]; spotShare: number; tags?: (o: Owner, name: string) => Record<string, string>;
  resourceGroup?: string; onJob?: (day: string, nodes: number, hours: number) => void;
}): void {
  const r = prng(`bursts:${o.seed}`);
  let start = addDays(DEMO_COVERAGE.start, between(r, 0, o.gapDays[0]));
  let job = 1;
  while (start < DEMO_COVERAGE.end) {
    const nodes = between(r, o.nodes[0], o.nodes[1]);
    const hours = between(r, o.hours[0], o.hours[1]);
    const startHour = between(r, 6, 20);
    const mode = r() < o.spotShare ? 'Dynamic' : 'Standard';
    for (let n = 0; n < nodes; n++) {
      const name = `${o.prefix}-j${String(job).padStart(2, '0')}-${n}`;
      const zone = o.zones[n % o.zones.length]!;
      const tags = o.tags ? o.tags(o.owner, name) : tagsFor(o.cloud, o.owner, { name });
      runSpan(start, startHour, hours, vm(o.cloud, o.account, name, o.type, o.region, o.cloud === 'azure' ? undefined : zone, tags, { resourceGroup: o.resourceGroup }), mode);
    }
    o.onJob?.(start, nodes, hours);
    job += 1;
    start = addDays(start, between(r, o.gapDays[0], o.gapDays[1]));
  }
}

/** The anomaly: the recsys team's sweep scale set, spot on Tuesdays and Thursdays, fell back to on-demand on this day,
 * scaled out to `instances` and kept running for `hours` (that day, the next). */
export const ANOMALY = { day: '2026-10-14', team: 'recsys' as Team, resource: 'vmss-ranker-sweep', instances: 16, hours: [24, 9] as const };

/** AWS Compute Savings Plan, 1 year, all upfront, bought on 1 August for the serving fleets. */
export const SAVINGS_PLAN = {
  id: `arn:aws:savingsplans::${AWS.payer.id}:savingsplan/${uuid('savings-plan')}`,
  name: 'Compute Savings Plan, 1 year, all upfront',
  start: '2026-08-01',
  /** USD per hour at savings plan rates. */
  hourlyCommitment: 8,
};
/** GCP resource-based committed use discount, 1 year, for the a3-highgpu-8g node that pre-trains around the clock. */
export const CUD = {
  id: `//compute.googleapis.com/projects/${GCP.training.id}/regions/us-central1/commitments/cud-a3-llm-pretrain`,
  name: 'cud-a3-llm-pretrain',
  start: '2026-06-01',
  type: 'a3-highgpu-8g',
  region: 'us-central1',
  count: 1,
};

const spResource: Resource = { cloud: 'aws', account: AWS.payer, id: SAVINGS_PLAN.id, name: 'Compute Savings Plan', type: 'Savings Plan', region: 'global', tags: {} };
const cudResource: Resource = { cloud: 'gcp', account: GCP.training, id: CUD.id, name: CUD.name, type: 'Commitment', region: CUD.region, tags: {} };

function applyCommitments(llmPretrain0: Resource): void {
  const byDay = new Map<string, VmDay[]>();
  for (const u of vmDays) byDay.set(u.day, [...(byDay.get(u.day) ?? []), u]);
  const cudRateValue = cudRate(CUD.type, CUD.region);
  for (const day of DAYS) {
    const usage = byDay.get(day) ?? [];
    // the savings plan covers eligible on-demand usage, biggest discount first, up to its hourly commitment
    let budget = day >= SAVINGS_PLAN.start ? SAVINGS_PLAN.hourlyCommitment * 24 : 0;
    const eligible = usage.filter((u) => u.r.savingsPlan && u.mode === 'Standard')
      .map((u) => ({ u, rate: savingsPlanRate(u.r.instanceType!, u.r.region), od: onDemandRate(u.r.instanceType!, u.r.region) }))
      .sort((a, b) => (1 - b.rate / b.od) - (1 - a.rate / a.od) || (a.u.r.id < b.u.r.id ? -1 : 1));
    const covered = new Set<VmDay>();
    for (const { u, rate } of eligible) {
      if (budget <= 1e-6) break;
      const hours = Math.min(u.hours, budget / rate);
      const spend = hours * rate;
      budget = Math.max(0, budget - spend);
      lines.push(vmLine(day, u.r, hours, 'Committed', { rate, c: { id: SAVINGS_PLAN.id, name: SAVINGS_PLAN.name, category: 'Spend', type: 'Compute Savings Plan', status: 'Used', quantity: spend, unit: 'USD' } }));
      if (u.hours - hours > 1e-6) lines.push(vmLine(day, u.r, u.hours - hours, 'Standard'));
      covered.add(u);
    }
    if (day >= SAVINGS_PLAN.start && budget > 1e-6) {
      lines.push({
        day, cloud: 'aws', account: AWS.payer, service: SERVICES.savingsPlans, category: 'Usage', frequency: 'Usage-Based',
        description: 'Unused Compute Savings Plan commitment', resource: spResource,
        sku: { id: awsSku('savings-plan'), priceId: `${awsSku('savings-plan')}.UNUSED`, meter: 'Savings Plan Commitment' },
        pricing: { category: 'Committed', quantity: budget, unit: 'USD', listUnitPrice: 1 },
        billed: 0, effective: budget, list: 0,
        commitment: { id: SAVINGS_PLAN.id, name: SAVINGS_PLAN.name, category: 'Spend', type: 'Compute Savings Plan', status: 'Unused', quantity: budget, unit: 'USD' },
      });
    }
    // the CUD covers llm-pretrain-0's hours; the daily fee is billed whether it runs or not
    if (day >= CUD.start) {
      const node = usage.find((u) => u.r === llmPretrain0)!;
      const hours = Math.min(24 * CUD.count, node.hours);
      const c = (status: 'Used' | 'Unused', quantity: number): Commitment => ({ id: CUD.id, name: CUD.name, category: 'Usage', type: 'Committed Use Discount (resource-based)', status, quantity, unit: 'Hours' });
      lines.push(vmLine(day, node.r, hours, 'Committed', { rate: cudRateValue, c: c('Used', hours) }));
      covered.add(node);
      const unused = 24 * CUD.count - hours;
      if (unused > 0) {
        lines.push({
          day, cloud: 'gcp', account: GCP.training, service: SERVICES.gce, category: 'Usage', frequency: 'Usage-Based',
          description: `Unused committed use discount: ${CUD.type} in ${CUD.region}`, resource: cudResource, region: CUD.region,
          sku: { id: gcpSku('cud-a3'), priceId: `${gcpSku('cud-a3')}-Commitment1Y`, meter: 'Commitment' },
          pricing: { category: 'Committed', quantity: unused, unit: 'Hours', listUnitPrice: onDemandRate(CUD.type, CUD.region) },
          billed: 0, effective: unused * cudRateValue, list: 0, commitment: c('Unused', unused),
        });
      }
      lines.push({
        day, cloud: 'gcp', account: GCP.training, service: SERVICES.gce, category: 'Purchase', frequency: 'Recurring',
        description: `Commitment v1: ${CUD.type} in ${CUD.region} for 1 year`, resource: cudResource, region: CUD.region,
        sku: { id: gcpSku('cud-a3'), priceId: `${gcpSku('cud-a3')}-Commitment1Y`, meter: 'Commitment' },
        pricing: { category: 'Standard', quantity: 24 * CUD.count, unit: 'Hours', listUnitPrice: cudRateValue },
        billed: 24 * CUD.count * cudRateValue, effective: 0, list: 24 * CUD.count * cudRateValue,
        commitment: { id: CUD.id, name: CUD.name, category: 'Usage', type: 'Committed Use Discount (resource-based)', quantity: 24 * CUD.count, unit: 'Hours' },
      });
    }
    for (const u of usage) if (!covered.has(u)) lines.push(vmLine(day, u.r, u.hours, u.mode));
  }
  const total = SAVINGS_PLAN.hourlyCommitment * 8760;
  lines.push({
    day: SAVINGS_PLAN.start, period: { start: ts(SAVINGS_PLAN.start), end: ts('2027-08-01') }, cloud: 'aws', account: AWS.payer, service: SERVICES.savingsPlans,
    category: 'Purchase', frequency: 'One-Time', description: `Savings Plan upfront fee: $${SAVINGS_PLAN.hourlyCommitment}/hour for 1 year (all upfront)`, resource: spResource,
    sku: { id: awsSku('savings-plan-purchase'), priceId: `${awsSku('savings-plan-purchase')}.ALLUPFRONT`, meter: 'Savings Plan Commitment' },
    pricing: { category: 'Standard', quantity: total, unit: 'USD', listUnitPrice: 1 },
    billed: total, effective: 0, list: total,
    commitment: { id: SAVINGS_PLAN.id, name: SAVINGS_PLAN.name, category: 'Spend', type: 'Compute Savings Plan', quantity: total, unit: 'USD' },
  });
}

function storageLine(day: string, r: Resource, service: Service, gb: number, rate: number, storageClass: string, description: string): Line {
  const quantity = gb / daysInMonth(day);
  const sku = r.cloud === 'aws' ? awsSku(`storage:${r.region}`) : r.cloud === 'gcp' ? gcpSku(`storage:${r.region}`) : azureMeter(`storage:${r.region}`);
  return {
    day, cloud: r.cloud, account: r.account, service, category: 'Usage', frequency: 'Usage-Based', description, resource: r,
    sku: { id: sku, priceId: `${sku}.${storageClass.toUpperCase()}`, meter: 'Storage', details: { StorageClass: storageClass } },
    pricing: { category: 'Standard', quantity, unit: 'GB-Month', listUnitPrice: rate }, consumed: { quantity, unit: 'GB-Month' },
    billed: quantity * rate, effective: quantity * rate, list: quantity * rate,
  };
}
function transferLine(day: string, cloud: Cloud, account: Account, service: Service, r: Resource | undefined, region: string, gb: number, rate: number, meter: string, description: string): Line {
  const sku = cloud === 'aws' ? awsSku(`transfer:${meter}:${region}`) : cloud === 'gcp' ? gcpSku(`transfer:${meter}:${region}`) : azureMeter(`transfer:${meter}:${region}`);
  return {
    day, cloud, account, service, category: 'Usage', frequency: 'Usage-Based', description, ...(r ? { resource: r } : {}), region,
    sku: { id: sku, priceId: `${sku}.STANDARD`, meter },
    pricing: { category: 'Standard', quantity: gb, unit: 'GB', listUnitPrice: rate }, consumed: { quantity: gb, unit: 'GB' },
    billed: gb * rate, effective: gb * rate, list: gb * rate,
  };
}

/** Builds every line of the bill, from scratch (the same lines on every call). */
function build(): Line[] {
  lines.length = 0;
  vmDays.length = 0;

  // AWS ───────────────────────────────────────────────────────────────────────────────────────────────────────────

  const visionServing: Owner = { team: 'vision', project: 'detector-serving', environment: 'production', stage: 'inference' };
  const detectorServing = [0, 1, 2, 3, 4, 5].map((i) => vm('aws', AWS.prod, `detector-serving-${i}`, 'g5.2xlarge', 'us-east-1', `us-east-1${'abc'[i % 3]}`,
    tagsFor('aws', visionServing, { name: `detector-serving-${i}`, managed: true }), { savingsPlan: true }));
  const detectorStaging = [0, 1].map((i) => vm('aws', AWS.prod, `detector-serving-staging-${i}`, 'g5.xlarge', 'us-east-1', 'us-east-1b',
    tagsFor('aws', { ...visionServing, environment: 'staging' }, { name: `detector-serving-staging-${i}`, managed: true }), { savingsPlan: true }));
  const speechServing: Owner = { team: 'speech', project: 'asr-serving', environment: 'production', stage: 'inference' };
  const asrServingT4 = [0, 1, 2, 3].map((i) => vm('aws', AWS.prod, `asr-serving-${i}`, 'g4dn.xlarge', 'us-east-1', `us-east-1${'ab'[i % 2]}`,
    tagsFor('aws', speechServing, { name: `asr-serving-${i}`, managed: true }), { savingsPlan: true }));
  // the L4 fleet carries Environment "prod", which the policy does not allow (its Terraform, aws_instance.asr_serving, says the same)
  const asrServingL4 = [0, 1, 2, 3].map((i) => vm('aws', AWS.prod, `asr-serving-l4-${i}`, 'g6.xlarge', 'us-east-1', `us-east-1${'ab'[i % 2]}`,
    tagsFor('aws', { ...speechServing, environment: 'prod' }, { name: `asr-serving-l4-${i}`, managed: true }), { savingsPlan: true }));
  steady([...detectorServing, ...detectorStaging], { seed: 'detector-serving' });
  // ASR moves from T4 (g4dn) to L4 (g6): the T4 fleet goes on 1 October, the L4 fleet comes up on 5 October
  steady(asrServingT4, { seed: 'asr-serving-t4', to: '2026-10-01' });
  steady(asrServingL4, { seed: 'asr-serving-l4', from: '2026-10-05' });

  // researchers' notebooks: office hours on weekdays, but some are left running at night and over weekends
  const notebookOwner: Owner = { team: 'platform', project: 'notebooks', environment: 'dev', stage: 'experimentation' };
  const notebookUsers = ['amara', 'bo', 'chen', 'dario', 'eva', 'farah', 'gus', 'hiro', 'ines', 'jonas'];
  const alwaysOn = new Set(['dario', 'hiro', 'jonas']);
  {
    const r = prng('notebooks');
    notebookUsers.forEach((user, i) => {
      const name = `nb-${user}`;
      const res = vm('aws', AWS.research, name, i < 6 ? 'g5.xlarge' : 'g6.xlarge', 'us-east-1', 'us-east-1a', tagsFor('aws', notebookOwner, { name }));
      let leftOn = false;
      for (const day of DAYS) {
        if (alwaysOn.has(user)) { run(day, res, 24); continue; }
        if (isWeekend(day)) { if (leftOn) run(day, res, 24); continue; }
        if (leftOn) { run(day, res, 24); leftOn = r() < 0.5; continue; }
        const start = between(r, 8, 10);
        const stop = between(r, 17, 20);
        leftOn = r() < 0.18; // forgot to stop it: runs through the night
        run(day, res, leftOn ? 24 - start : stop - start);
      }
    });
  }
  // the research notebook of the Terraform (aws_instance.notebook): missing Team, Project, Owner and CostCenter; never stopped
  const researchNotebook = vm('aws', AWS.research, 'research-notebook', 'g5.xlarge', 'us-east-1', 'us-east-1a', { Name: 'research-notebook', Environment: 'dev', ManagedBy: 'terraform' });
  steady([researchNotebook], { seed: 'research-notebook', maintenance: 0 });

  // detector training on p4d.24xlarge (8 × A100): bursts of 2–4 nodes, checkpoints to S3 in us-west-2
  const checkpointWrites: { day: string; tb: number }[] = [];
  bursts({
    seed: 'detector-v3', cloud: 'aws', account: AWS.research, prefix: 'detector-v3-train', type: 'p4d.24xlarge', region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'],
    owner: { team: 'vision', project: 'detector-v3', environment: 'production', stage: 'training' },
    gapDays: [7, 12], nodes: [2, 4], hours: [40, 110], spotShare: 0.3,
    onJob: (day, nodes, hours) => checkpointWrites.push({ day, tb: Math.round(nodes * hours * 0.45) / 10 }),
  });
  // someone's quick p4d tests, launched by hand with only a Name tag
  {
    const r = prng('p4d-debug');
    let day = addDays(DEMO_COVERAGE.start, 9);
    let n = 1;
    while (day < DEMO_COVERAGE.end) {
      const name = `p4d-debug-${n}`;
      runSpan(day, between(r, 9, 14), between(r, 6, 20), vm('aws', AWS.research, name, 'p4d.24xlarge', 'us-east-1', 'us-east-1a', { Name: name }), 'Standard');
      day = addDays(day, between(r, 7, 12));
      n += 1;
    }
  }
  // LLM fine-tuning on p5.48xlarge (8 × H100) in us-west-2, mostly on spot
  bursts({
    seed: 'llm-finetune-p5', cloud: 'aws', account: AWS.research, prefix: 'llm-finetune-train', type: 'p5.48xlarge', region: 'us-west-2', zones: ['us-west-2a', 'us-west-2b'],
    owner: { team: 'nlp', project: 'llm-finetune', environment: 'production', stage: 'training' },
    gapDays: [10, 16], nodes: [1, 2], hours: [30, 80], spotShare: 0.6,
  });
  // CI runners for model tests: weekdays, spot
  {
    const owner: Owner = { team: 'platform', project: 'ci-runners', environment: 'production', stage: 'ci' };
    const r = prng('ci-runners');
    for (let i = 0; i < 4; i++) {
      const name = `ci-gpu-runner-${i}`;
      const res = vm('aws', AWS.research, name, 'g4dn.2xlarge', 'us-east-1', 'us-east-1c', tagsFor('aws', owner, { name, managed: true }));
      for (const day of DAYS) if (!isWeekend(day)) run(day, res, between(r, 8, 14), 'Dynamic');
    }
  }

  // GCP ───────────────────────────────────────────────────────────────────────────────────────────────────────────

  const pretrainOwner: Owner = { team: 'nlp', project: 'llm-pretrain', environment: 'production', stage: 'training' };
  const llmPretrain0 = vm('gcp', GCP.training, 'llm-pretrain-0', 'a3-highgpu-8g', 'us-central1', 'us-central1-a', tagsFor('gcp', pretrainOwner, { managed: true }));
  // the committed node runs around the clock, except one maintenance day
  for (const day of DAYS) run(day, llmPretrain0, day === '2026-09-12' ? 14 : 24);
  const gcsWrites: { day: string; tb: number }[] = [];
  bursts({
    seed: 'llm-pretrain', cloud: 'gcp', account: GCP.training, prefix: 'llm-pretrain-burst', type: 'a3-highgpu-8g', region: 'us-central1', zones: ['us-central1-a', 'us-central1-c'],
    owner: pretrainOwner, gapDays: [14, 22], nodes: [2, 3], hours: [60, 120], spotShare: 1,
    tags: (o) => tagsFor('gcp', o),
    onJob: (day, nodes, hours) => gcsWrites.push({ day, tb: Math.round(nodes * hours * 0.9) / 10 }),
  });
  bursts({
    seed: 'segmentation', cloud: 'gcp', account: GCP.training, prefix: 'segmentation-train', type: 'a2-highgpu-8g', region: 'us-central1', zones: ['us-central1-b'],
    owner: { team: 'vision', project: 'segmentation', environment: 'production', stage: 'training' },
    gapDays: [9, 15], nodes: [1, 2], hours: [24, 60], spotShare: 0.2, tags: (o) => tagsFor('gcp', o),
  });
  {
    const owner: Owner = { team: 'vision', project: 'segmentation', environment: 'dev', stage: 'experimentation' };
    const r = prng('segmentation-dev');
    for (const name of ['segmentation-dev-0', 'segmentation-dev-1']) {
      const res = vm('gcp', GCP.sandbox, name, 'a2-highgpu-1g', 'us-central1', 'us-central1-b', tagsFor('gcp', owner));
      for (const day of DAYS) if (!isWeekend(day) && r() < 0.85) run(day, res, between(r, 6, 11));
    }
  }
  // the Terraform's google_compute_instance.llm_finetune: its labels miss team and cost_center; left running
  const llmFinetuneDev = vm('gcp', GCP.sandbox, 'llm-finetune', 'a2-highgpu-1g', 'us-central1', 'us-central1-a', { project: 'llm-finetune', environment: 'dev', owner: 'nlp-team', managed_by: 'terraform' });
  steady([llmFinetuneDev], { seed: 'llm-finetune-dev', maintenance: 0.02 });
  // chat serving on L4: two-GPU replicas around the clock, one-GPU replicas added in office hours
  const chatOwner: Owner = { team: 'nlp', project: 'chat-serving', environment: 'production', stage: 'inference' };
  steady([0, 1, 2, 3].map((i) => vm('gcp', GCP.serving, `chat-serving-${i}`, 'g2-standard-24', 'us-central1', 'us-central1-a', tagsFor('gcp', chatOwner, { managed: true }))), { seed: 'chat-serving' });
  {
    const r = prng('chat-autoscale');
    const extra = [0, 1, 2, 3, 4, 5].map((i) => vm('gcp', GCP.serving, `chat-serving-scale-${i}`, 'g2-standard-8', 'us-central1', `us-central1-${'abc'[i % 3]}`, tagsFor('gcp', chatOwner)));
    for (const day of DAYS) {
      const replicas = isWeekend(day) ? between(r, 0, 2) : between(r, 3, 6);
      for (let i = 0; i < replicas; i++) run(day, extra[i]!, between(r, 8, 14));
    }
  }
  // a shared CPU fleet for data pipelines nobody labelled
  {
    const r = prng('etl');
    for (let i = 0; i < 14; i++) {
      const res = vm('gcp', GCP.training, `etl-worker-${i}`, 'n1-standard-16', 'us-central1', 'us-central1-f', {});
      for (const day of DAYS) run(day, res, isWeekend(day) ? between(r, 0, 6) : between(r, 14, 24));
    }
  }

  // Azure ─────────────────────────────────────────────────────────────────────────────────────────────────────────

  const rankerServingOwner: Owner = { team: 'recsys', project: 'ranker-serving', environment: 'production', stage: 'inference' };
  steady([0, 1, 2, 3, 4, 5, 6, 7].map((i) => vm('azure', AZURE.prod, `vm-ranker-serving-${i}`, 'Standard_NC8as_T4_v3', 'eastus', undefined,
    tagsFor('azure', rankerServingOwner, { managed: true }), { resourceGroup: 'rg-recsys-prod' })), { seed: 'ranker-serving' });
  const rankerOwner: Owner = { team: 'recsys', project: 'ranker', environment: 'production', stage: 'training' };
  bursts({
    seed: 'ranker', cloud: 'azure', account: AZURE.prod, prefix: 'vm-ranker-train', type: 'Standard_ND96asr_v4', region: 'eastus', zones: ['1'],
    owner: rankerOwner, gapDays: [5, 9], nodes: [1, 2], hours: [18, 40], spotShare: 0, tags: (o) => tagsFor('azure', o), resourceGroup: 'rg-recsys-train',
  });
  // hyper-parameter sweeps on a spot scale set (8 instances), Tuesdays and Thursdays ... until one fell back to on-demand,
  // scaled out to 16 instances and kept running for a day and a half
  const sweep = vm('azure', AZURE.prod, 'vmss-ranker-sweep', 'Standard_ND96asr_v4', 'eastus', undefined, tagsFor('azure', { ...rankerOwner, stage: 'experimentation' }, { managed: true }),
    { resourceGroup: 'rg-recsys-train', scaleSet: ANOMALY.instances });
  {
    const r = prng('sweep');
    const nextDay = addDays(ANOMALY.day, 1);
    for (const day of DAYS) {
      if (day === ANOMALY.day) { run(day, sweep, ANOMALY.instances * ANOMALY.hours[0]); continue; }
      if (day === nextDay) { run(day, sweep, ANOMALY.instances * ANOMALY.hours[1]); continue; }
      if (weekday(day) === 2 || weekday(day) === 4) run(day, sweep, 8 * between(r, 4, 8), 'Dynamic');
    }
  }
  const asrOwner: Owner = { team: 'speech', project: 'asr', environment: 'production', stage: 'training' };
  {
    const r = prng('asr-train');
    for (let i = 0; i < 4; i++) {
      const res = vm('azure', AZURE.prod, `vm-asr-train-${i}`, 'Standard_NC24ads_A100_v4', 'eastus', undefined, tagsFor('azure', asrOwner, { managed: true }), { resourceGroup: 'rg-speech' });
      for (const day of DAYS) if (!isWeekend(day) && r() < 0.9) run(day, res, between(r, 12, 20));
    }
  }

  // ── commitments ──────────────────────────────────────────────────────────────────────────────────────────────────

  applyCommitments(llmPretrain0);

  // ── storage, network, credits ────────────────────────────────────────────────────────────────────────────────────

  const dataLakeOwner: Owner = { team: 'platform', project: 'data-lake', environment: 'production', stage: 'data' };
  const datasetsBucket: Resource = { cloud: 'aws', account: AWS.data, id: 'mlorg-datasets', name: 'mlorg-datasets', type: 'Bucket', region: 'us-east-1', tags: tagsFor('aws', dataLakeOwner, { managed: true }) };
  // the Terraform's aws_s3_bucket.checkpoints: no tags at all (its provider alias has no default tags)
  const checkpointsBucket: Resource = { cloud: 'aws', account: AWS.research, id: 'detector-checkpoints', name: 'detector-checkpoints', type: 'Bucket', region: 'us-west-2', tags: {} };
  const gcsCheckpoints: Resource = { cloud: 'gcp', account: GCP.training, id: '//storage.googleapis.com/ml-llm-checkpoints', name: 'ml-llm-checkpoints', type: 'Bucket', region: 'us-central1', tags: tagsFor('gcp', { ...pretrainOwner, stage: 'data' }, { managed: true }) };
  const blobFeatures: Resource = { cloud: 'azure', account: AZURE.prod, id: `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/rg-recsys-prod/providers/Microsoft.Storage/storageAccounts/mlrecsysfeatures`, name: 'mlrecsysfeatures', type: 'Storage account', region: 'eastus', tags: tagsFor('azure', { team: 'recsys', project: 'feature-store', environment: 'production', stage: 'data' }, { managed: true }) };
  const servingLb: Resource = { cloud: 'aws', account: AWS.prod, id: `arn:aws:elasticloadbalancing:us-east-1:${AWS.prod.id}:loadbalancer/app/detector-serving/${idChars('lb', 16, HEX)}`, name: 'detector-serving', type: 'Load Balancer', region: 'us-east-1', tags: tagsFor('aws', visionServing, { managed: true }) };
  const natGateway: Resource = { cloud: 'aws', account: AWS.research, id: `arn:aws:ec2:us-east-1:${AWS.research.id}:natgateway/nat-0${idChars('nat', 16, HEX)}`, name: 'nat-research', type: 'NAT Gateway', region: 'us-east-1', tags: {} };
  const chatLb: Resource = { cloud: 'gcp', account: GCP.serving, id: `//compute.googleapis.com/projects/${GCP.serving.id}/global/forwardingRules/chat-serving-lb`, name: 'chat-serving-lb', type: 'Forwarding Rule', region: 'us-central1', tags: tagsFor('gcp', chatOwner) };
  const rankerIp: Resource = { cloud: 'azure', account: AZURE.prod, id: `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/rg-recsys-prod/providers/Microsoft.Network/loadBalancers/lb-ranker-serving`, name: 'lb-ranker-serving', type: 'Load balancer', region: 'eastus', tags: tagsFor('azure', rankerServingOwner) };

  {
    const r = prng('storage');
    let datasetsGb = 180_000;
    let checkpointsGb = 90_000;
    let gcsGb = 60_000;
    let blobGb = 40_000;
    const writes = new Map<string, number>();
    for (const w of checkpointWrites) writes.set(w.day, (writes.get(w.day) ?? 0) + w.tb * 1000);
    const gcs = new Map<string, number>();
    for (const w of gcsWrites) gcs.set(w.day, (gcs.get(w.day) ?? 0) + w.tb * 1000);
    // the S3 Activate credits: $12,000 left on 1 May, taken at $100 a day until they run out
    let credits = 12_000;
    for (const day of DAYS) {
      const weekdayFactor = isWeekend(day) ? 0.6 : 1;
      datasetsGb += between(r, 200, 450);
      const written = writes.get(day) ?? 0;
      checkpointsGb += written + between(r, 80, 160);
      gcsGb += (gcs.get(day) ?? 0) + between(r, 250, 400);
      blobGb += between(r, 100, 200);
      lines.push(storageLine(day, datasetsBucket, SERVICES.s3, datasetsGb, LIST.s3StandardGbMonth, 'Standard', `$${LIST.s3StandardGbMonth} per GB - first 50 TB / month of storage used`));
      lines.push(storageLine(day, checkpointsBucket, SERVICES.s3, checkpointsGb, LIST.s3StandardGbMonth, 'Standard', `$${LIST.s3StandardGbMonth} per GB - first 50 TB / month of storage used`));
      lines.push(storageLine(day, gcsCheckpoints, SERVICES.gcs, gcsGb, LIST.gcsStandardGbMonth, 'Standard', 'Standard Storage US Regional'));
      lines.push(storageLine(day, blobFeatures, SERVICES.azureStorage, blobGb, LIST.azureBlobHotGbMonth, 'Hot', 'Hot LRS Data Stored'));
      // checkpoints copied to us-west-2 and read back for evaluation
      const crossGb = Math.round(written + between(r, 600, 1100) * weekdayFactor);
      lines.push(transferLine(day, 'aws', AWS.research, SERVICES.awsTransfer, checkpointsBucket, 'us-west-2', crossGb, LIST.s3CrossRegionGb, 'Inter-Region Data Transfer', `$${LIST.s3CrossRegionGb} per GB - US West (Oregon) data transfer to US East (N. Virginia)`));
      lines.push(transferLine(day, 'aws', AWS.prod, SERVICES.awsTransfer, servingLb, 'us-east-1', Math.round(between(r, 700, 1000) * weekdayFactor), LIST.awsInternetEgressGb, 'Data Transfer Out', `$${LIST.awsInternetEgressGb} per GB - first 10 TB / month data transfer out beyond the global free tier`));
      lines.push({
        day, cloud: 'aws', account: AWS.research, service: SERVICES.vpc, category: 'Usage', frequency: 'Usage-Based', description: `$${LIST.natGatewayHour} per NAT Gateway Hour`, resource: natGateway,
        sku: { id: awsSku('nat-hours'), priceId: `${awsSku('nat-hours')}.JRTCKXETXF.6YS6EN2CT7`, meter: 'NAT Gateway Hours' },
        pricing: { category: 'Standard', quantity: 24, unit: 'Hours', listUnitPrice: LIST.natGatewayHour }, consumed: { quantity: 24, unit: 'Hours' },
        billed: 24 * LIST.natGatewayHour, effective: 24 * LIST.natGatewayHour, list: 24 * LIST.natGatewayHour,
      });
      lines.push(transferLine(day, 'aws', AWS.research, SERVICES.vpc, natGateway, 'us-east-1', Math.round(between(r, 900, 1500) * weekdayFactor), LIST.natGatewayGb, 'NAT Gateway Bytes', `$${LIST.natGatewayGb} per GB Data Processed by NAT Gateways`));
      lines.push(transferLine(day, 'gcp', GCP.serving, SERVICES.gcpNetwork, chatLb, 'us-central1', Math.round(between(r, 1100, 1600) * weekdayFactor), LIST.gcpInternetEgressGb, 'Internet Egress', 'Network Internet Egress from Americas to Americas'));
      lines.push(transferLine(day, 'azure', AZURE.prod, SERVICES.azureBandwidth, rankerIp, 'eastus', Math.round(between(r, 200, 320) * weekdayFactor), LIST.azureInternetEgressGb, 'Standard Data Transfer Out', 'Standard Data Transfer Out - Zone 1'));
      if (credits > 0) {
        const amount = Math.min(100, credits);
        credits -= amount;
        lines.push({
          day, cloud: 'aws', account: AWS.research, service: SERVICES.ec2, category: 'Credit', frequency: 'Usage-Based',
          description: 'AWS Activate credits', billed: -amount, effective: -amount, list: 0,
        });
      }
    }
  }
  // Azure's service credit for the 2 September ND outage (SLA)
  lines.push({
    day: '2026-09-03', cloud: 'azure', account: AZURE.prod, service: SERVICES.azureVm, category: 'Credit', frequency: 'One-Time',
    description: 'SLA service credit: Virtual Machines availability, 2 September 2026', region: 'eastus', billed: -1250, effective: -1250, list: 0,
  });
  return [...lines];
}

// ── FOCUS rows ───────────────────────────────────────────────────────────────────────────────────────────────────

export const COLUMNS: readonly FocusColumn[] = FOCUS_COLUMNS['1.2'];

function round(x: number, dp: number): string {
  const s = x.toFixed(dp);
  const t = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  return t === '-0' ? '0' : t;
}
const money = (x: number): string => round(x, 6);
const unitPrice = (x: number): string => round(x, 10);

function invoiceId(cloud: Cloud, month: string): string | undefined {
  if (month === OPEN_MONTH) return undefined; // the month is still open: no invoice yet
  const n = fnv1a(`invoice:${cloud}:${month}`) % 1_000_000_000;
  if (cloud === 'aws') return `EUINUS26-${String(n).padStart(9, '0')}`;
  if (cloud === 'gcp') return `${3_000_000_000 + n}`;
  return `G${String(n).padStart(9, '0')}`;
}

function toFocus(l: Line): Record<FocusColumn, string | undefined> {
  const b = BILLING[l.cloud];
  const r = l.resource;
  const region = r?.region && r.region !== 'global' ? r.region : l.region;
  const start = l.period?.start ?? ts(l.day);
  const end = l.period?.end ?? ts(addDays(l.day, 1));
  const p = l.pricing;
  const c = l.commitment;
  const tags = r && Object.keys(r.tags).length ? JSON.stringify(r.tags) : undefined;
  return {
    AvailabilityZone: r?.zone,
    BilledCost: money(l.billed),
    BillingAccountId: b.id,
    BillingAccountName: b.name,
    BillingAccountType: b.type,
    BillingCurrency: 'USD',
    BillingPeriodEnd: ts(nextMonthStart(l.day)),
    BillingPeriodStart: ts(monthStart(l.day)),
    CapacityReservationId: undefined,
    CapacityReservationStatus: undefined,
    ChargeCategory: l.category,
    ChargeClass: undefined,
    ChargeDescription: l.description,
    ChargeFrequency: l.frequency,
    ChargePeriodEnd: end,
    ChargePeriodStart: start,
    CommitmentDiscountCategory: c?.category,
    CommitmentDiscountId: c?.id,
    CommitmentDiscountName: c?.name,
    CommitmentDiscountQuantity: c ? round(c.quantity, 6) : undefined,
    CommitmentDiscountStatus: c?.status,
    CommitmentDiscountType: c?.type,
    CommitmentDiscountUnit: c?.unit,
    ConsumedQuantity: l.consumed ? round(l.consumed.quantity, 6) : undefined,
    ConsumedUnit: l.consumed?.unit,
    ContractedCost: money(l.list),
    ContractedUnitPrice: p ? unitPrice(p.listUnitPrice) : undefined,
    EffectiveCost: money(l.effective),
    InvoiceId: invoiceId(l.cloud, monthOf(l.day)),
    InvoiceIssuerName: b.issuer,
    ListCost: money(l.list),
    ListUnitPrice: p ? unitPrice(p.listUnitPrice) : undefined,
    PricingCategory: p?.category,
    PricingCurrency: 'USD',
    PricingCurrencyContractedUnitPrice: p ? unitPrice(p.listUnitPrice) : undefined,
    PricingCurrencyEffectiveCost: money(l.effective),
    PricingCurrencyListUnitPrice: p ? unitPrice(p.listUnitPrice) : undefined,
    PricingQuantity: p ? round(p.quantity, 6) : undefined,
    PricingUnit: p?.unit,
    ProviderName: b.provider,
    PublisherName: b.publisher,
    RegionId: region,
    RegionName: region ? REGION_NAMES[region] ?? region : undefined,
    ResourceId: r?.id,
    ResourceName: r?.name,
    ResourceType: r?.type,
    ServiceCategory: l.service.category,
    ServiceName: l.service.name,
    ServiceSubcategory: l.service.subcategory,
    SkuId: l.sku?.id,
    SkuMeter: l.sku?.meter,
    SkuPriceDetails: l.sku?.details ? JSON.stringify(l.sku.details) : undefined,
    SkuPriceId: l.sku?.priceId,
    SubAccountId: l.account.id,
    SubAccountName: l.account.name,
    SubAccountType: l.account.type,
    Tags: tags,
  };
}

function csvField(v: string | undefined): string {
  if (v === undefined) return '';
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface DemoBill {
  /** The FOCUS CSV text: LF line ends, empty fields for nulls, rows ordered by day, cloud, resource, SKU price. */
  csv: string;
  rows: number;
  /** Monthly figures (Markdown), for the README and the console. */
  summary: string[];
}

/** Generates the bill from scratch: the same text on every call and every machine. */
export function generateDemo(): DemoBill {
  const all = build();
  const order: Record<Cloud, number> = { aws: 0, gcp: 1, azure: 2 };
  const sorted = [...all].sort((a, b) => cmp(a.day, b.day) || order[a.cloud] - order[b.cloud]
    || cmp(a.resource?.id ?? '', b.resource?.id ?? '') || cmp(a.sku?.priceId ?? '', b.sku?.priceId ?? '') || cmp(a.category, b.category));
  const out = [COLUMNS.join(',')];
  for (const l of sorted) {
    const row = toFocus(l);
    out.push(COLUMNS.map((c) => csvField(row[c])).join(','));
  }
  return { csv: `${out.join('\n')}\n`, rows: sorted.length, summary: summarise(all) };
}

// ── summary ──────────────────────────────────────────────────────────────────────────────────────────────────────

const usd = (x: number): string => `${x < 0 ? '−' : ''}$${Math.round(Math.abs(x)).toLocaleString('en-US')}`;
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** Figures of the bill (EffectiveCost unless said), for the README and the console. */
function summarise(lines: readonly Line[]): string[] {
  const months = [...new Set(DAYS.map(monthOf))];
  const teamOf = (l: Line): string => (l.resource ? (l.resource.tags.Team ?? l.resource.tags.team) : undefined) ?? '(untagged)';
  const cell = new Map<string, number>();
  const add = (k: string, v: number) => cell.set(k, (cell.get(k) ?? 0) + v);
  let charges = 0;
  let untaggedCharges = 0;
  let credits = 0;
  let billed = 0;
  let effective = 0;
  for (const l of lines) {
    const m = monthOf(l.day);
    add(`cloud:${l.cloud}:${m}`, l.effective);
    add(`team:${teamOf(l)}:${m}`, l.effective);
    add(`billed:${m}`, l.billed);
    add(`total:${m}`, l.effective);
    billed += l.billed;
    effective += l.effective;
    if (l.category === 'Credit') { credits += l.effective; continue; }
    charges += l.effective;
    if (teamOf(l) === '(untagged)') untaggedCharges += l.effective;
  }
  const v = (k: string) => cell.get(k) ?? 0;
  const head = `| | ${months.map((m) => (m === OPEN_MONTH ? `${m} (to the ${Number(LAST_DAY.slice(8))}th)` : m)).join(' | ')} |`;
  const sep = `|---|${months.map(() => '---:').join('|')}|`;
  const table = (rows: [string, string][]) => [head, sep, ...rows.map(([label, key]) => `| ${label} | ${months.map((m) => usd(v(`${key}:${m}`))).join(' | ')} |`)];
  const clouds: [string, string][] = [['AWS', 'cloud:aws'], ['Google Cloud', 'cloud:gcp'], ['Microsoft Azure', 'cloud:azure'], ['**Total EffectiveCost**', 'total'], ['BilledCost (as invoiced)', 'billed']];
  const teams: [string, string][] = [...Object.keys(TEAMS), '(untagged)'].map((t) => [t === '(untagged)' ? '(no Team tag)' : t, `team:${t}`]);
  return [
    'EffectiveCost (amortised) by cloud and by team, per month:', '',
    ...table(clouds), '', ...table(teams), '',
    `Total EffectiveCost ${usd(effective)}; BilledCost ${usd(billed)} (the savings plan's upfront fee and the CUD's daily fees are billed when paid, and amortised into EffectiveCost as used).`,
    `Untagged (no Team tag): ${pct(untaggedCharges / charges)} of charges (${usd(untaggedCharges)} of ${usd(charges)}); the credits (${usd(credits)}) carry no tags either: ${pct((untaggedCharges + credits) / (charges + credits))} net of them.`,
  ];
}

function readme(bill: DemoBill, bytes: number): string {
  return `# The demo organisation's bill (synthetic)

\`demo-org.focus-1.2.csv.gz\` is **synthetic**: a made-up ML company, *Example ML Org*, on AWS, Google Cloud and
Azure, written by \`scripts/generateDemo.ts\` (\`npm run demo:generate\`) from the price catalogue that ships with
ML FinOps (\`resources/pricing\`). No line of it comes from a real bill. It is a FOCUS 1.2 CSV (every 1.2 column),
one row per resource, SKU and day, from ${DEMO_COVERAGE.start} to ${LAST_DAY} (the demo's "today"): ${bill.rows.toLocaleString('en-US')} rows,
${(bytes / 1e6).toFixed(2)} MB compressed.

- Five teams (tags \`Team\`, \`Project\`, \`Environment\`, \`CostCenter\`, \`Owner\`, \`Stage\`; lowercase labels on Google
  Cloud): vision, nlp, recsys, speech, platform.
- GPU training bursts: p4d.24xlarge and p5.48xlarge on AWS, a3-highgpu-8g and a2-highgpu-8g on Google Cloud,
  Standard_ND96asr_v4 on Azure; steady inference on g5 / g6 / g4dn, L4 (g2) and T4 (NC8as_T4_v3); researchers'
  notebooks left running at night; checkpoint buckets that grow after every training run; data transfer and NAT.
- Commitments: a 1-year all-upfront Compute Savings Plan bought on ${SAVINGS_PLAN.start} ($${SAVINGS_PLAN.hourlyCommitment}/hour; one
  Purchase row, amortised into the covered usage's EffectiveCost) and a 1-year committed use discount for one
  a3-highgpu-8g from ${CUD.start} (a recurring daily fee); unused commitment shows as \`CommitmentDiscountStatus\` Unused.
- Credits (\`ChargeCategory\` Credit, negative): AWS Activate credits until they run out, an Azure SLA credit.
- One anomaly: on ${ANOMALY.day} the recsys team's hyper-parameter sweep (\`${ANOMALY.resource}\`) fell back from spot to
  on-demand and kept ${ANOMALY.instances} × Standard_ND96asr_v4 running for a day and a half.
- Untagged spend (about a tenth): resources the Terraform in \`../infra\` declares without tags, hand-launched
  debug instances, an unlabelled ETL fleet, a shared NAT gateway, unused commitments and credits.
- The instance type of every VM row is \`SkuPriceDetails.InstanceType\` (with \`GpuCount\` and \`x_GpuModel\`).
  Storage, transfer and NAT rates are the clouds' public list prices (first tier), which the catalogue does not hold.

${bill.summary.join('\n')}

\`real-sample/\` holds **real** data for comparison: the FOCUS working group's anonymised FOCUS 1.0 sample (1,000 rows
from AWS, Microsoft and Oracle, September 2024; CC BY 4.0, see \`real-sample/LICENSE-FOCUS-Sample-Data.md\`).
`;
}

// ── files ────────────────────────────────────────────────────────────────────────────────────────────────────────

export const README_FILE = 'demo/billing/README.md';

/** Writes the bill and its README under `root`; files whose content is unchanged are left alone. */
export function writeDemo(root: string, options: { check?: boolean } = {}): { rows: number; csvBytes: number; gzBytes: number; changed: string[]; summary: string[] } {
  const bill = generateDemo();
  const { csv, rows } = bill;
  const billPath = path.join(root, DEMO_BILL);
  const current = fs.existsSync(billPath) ? zlib.gunzipSync(fs.readFileSync(billPath)).toString('utf8') : undefined;
  const changed: string[] = [];
  let gz = fs.existsSync(billPath) ? fs.readFileSync(billPath) : Buffer.alloc(0);
  if (current !== csv) {
    changed.push(DEMO_BILL);
    gz = zlib.gzipSync(Buffer.from(csv, 'utf8'), { level: 9 });
    if (!options.check) { fs.mkdirSync(path.dirname(billPath), { recursive: true }); fs.writeFileSync(billPath, gz); }
  }
  const text = readme(bill, gz.length);
  const readmePath = path.join(root, README_FILE);
  if (!fs.existsSync(readmePath) || fs.readFileSync(readmePath, 'utf8') !== text) {
    changed.push(README_FILE);
    if (!options.check) fs.writeFileSync(readmePath, text);
  }
  return { rows, csvBytes: Buffer.byteLength(csv), gzBytes: gz.length, changed, summary: bill.summary };
}

if (require.main === module) {
  const started = process.hrtime.bigint();
  const root = path.resolve(__dirname, '..');
  const check = process.argv.includes('--check');
  const result = writeDemo(root, { check });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${result.rows.toLocaleString('en-US')} rows, ${(result.csvBytes / 1e6).toFixed(1)} MB CSV, ${(result.gzBytes / 1e6).toFixed(2)} MB gzip, generated in ${ms.toFixed(0)} ms`);
  console.log(result.summary.join('\n'));
  if (result.changed.length) console.log(`${check ? 'out of date' : 'written'}: ${result.changed.join(', ')}`);
  else console.log('unchanged');
  if (check && result.changed.length) process.exitCode = 1;
}
