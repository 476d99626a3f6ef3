import { z } from 'zod';
import { FinOpsError } from '../errors';
import { gpuModelFromName } from './gpuModels';
import {
  termHours,
  type CloudProvider,
  type CommitmentPrice,
  type InstancePrices,
  type InstanceShape,
  type PaymentOption,
  type PriceSourceRef,
  type SpotPrice,
} from './model';

/**
 * The shipped price snapshot (resources/pricing/gpu_ml_instance_prices.json, copied unchanged from public,
 * dated third-party captures of the clouds' price APIs) turned into catalogue entries.
 */

const num = z.number().finite().nonnegative();

const sourceSchema = z.looseObject({
  repository: z.string(),
  path: z.string(),
  commit: z.string(),
  captured_at: z.string(),
  license: z.string().optional(),
});

const awsRegionSchema = z.object({
  ondemand: num.nullish(),
  spot_min: num.nullish(),
  spot_avg: num.nullish(),
  spot_max: num.nullish(),
  reserved: z.record(z.string(), num).default({}),
});

const awsTypeSchema = z.looseObject({
  gpu_model: z.string().optional(),
  gpus: z.number().int().nonnegative().optional(),
  vcpu: num,
  memory_gib: num,
  regions: z.record(z.string(), awsRegionSchema),
});

const gcpRegionSchema = z.looseObject({
  ondemand: num.nullish(),
  spot: num.nullish(),
  cud_1y_hourly: num.nullish(),
  cud_3y_hourly: num.nullish(),
});

/** GCP entries name their accelerator by key ("a100": 1, "h100-80gb": 8) next to cpu / ram / local-ssd. */
const gcpTypeSchema = z.object({ cpu: num, ram: num, regions: z.record(z.string(), gcpRegionSchema) }).catchall(z.unknown());

const azureTypeSchema = z.looseObject({
  gpu: z.string().nullable().optional(),
  gpu_count: z.number().nullable().optional(),
  vcpu: num,
  memory_gib: num,
  regions: z.record(z.string(), z.object({ ondemand: num.nullish(), spot: num.nullish() })),
});

const snapshotSchema = z.object({
  description: z.string(),
  sources: z.object({
    aws_ec2instances_info_snapshot: sourceSchema,
    aws_karpenter_generated_ondemand: sourceSchema,
    gcp_cyclenerd: sourceSchema,
    azure_skypilot_catalog: sourceSchema,
  }),
  aws: z.record(z.string(), awsTypeSchema),
  gcp: z.record(z.string(), gcpTypeSchema),
  azure: z.record(z.string(), azureTypeSchema),
});

type RegionPrices = Pick<InstancePrices, 'onDemand' | 'spot' | 'commitments' | 'notes'>;

export interface CatalogueEntry {
  provider: CloudProvider;
  instanceType: string;
  shape: InstanceShape;
  regions: Record<string, RegionPrices>;
  /** Caveats for every region of this type. */
  notes: string[];
}

export interface Snapshot {
  entries: CatalogueEntry[];
  sources: PriceSourceRef[];
}

/** The first YYYY-MM-DD in a source's `captured_at`, or "unknown". */
export function captureDate(capturedAt: string): string {
  return /(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)/.exec(capturedAt)?.[1] ?? 'unknown';
}

function ref(name: string, s: z.infer<typeof sourceSchema>): PriceSourceRef {
  return {
    name: `${name} (${s.repository} @ ${s.commit.slice(0, 7)})`,
    capturedAt: captureDate(s.captured_at),
    live: false,
    url: `https://github.com/${s.repository}/blob/${s.commit}/${s.path.split(' ')[0]}`,
  };
}

function shapeWithGpu(vcpu: number, memoryGiB: number, gpus: number | null, gpuName: string | undefined): InstanceShape {
  const model = gpuName ? gpuModelFromName(gpuName) : undefined;
  return {
    vcpu,
    memoryGiB,
    gpus,
    ...(model ? { gpuModel: model.label, gpuModelId: model.id, gpuMemoryGiB: model.memoryGiB } : gpuName ? { gpuModel: gpuName } : {}),
  };
}

const RESERVED_KEY = /^yrTerm([13])(Standard|Convertible)\.(noUpfront|partialUpfront|allUpfront)$/;

/**
 * The snapshot gives each RI as one effective hourly rate. All upfront pays it all at the start; partial upfront
 * is split half upfront, half hourly (AWS prices partial upfront at about half the term's cost up front).
 */
export function splitEffectiveRate(effectiveHourly: number, term: 1 | 3, payment: PaymentOption): { upfront: number; hourly: number } {
  const total = effectiveHourly * termHours(term);
  if (payment === 'allUpfront') return { upfront: total, hourly: 0 };
  if (payment === 'partialUpfront') return { upfront: total / 2, hourly: effectiveHourly / 2 };
  return { upfront: 0, hourly: effectiveHourly };
}

function awsCommitments(reserved: Record<string, number>, source: PriceSourceRef): CommitmentPrice[] {
  const out: CommitmentPrice[] = [];
  for (const [key, effectiveHourly] of Object.entries(reserved)) {
    const m = RESERVED_KEY.exec(key);
    if (!m) continue;
    const term = m[1] === '3' ? 3 : 1;
    const offering = m[2] === 'Standard' ? 'standard' : 'convertible';
    const payment = m[3] as PaymentOption;
    const { upfront, hourly } = splitEffectiveRate(effectiveHourly, term, payment);
    const derivation = payment === 'partialUpfront'
      ? 'The source gives an effective hourly rate; the upfront / hourly split assumes half the term cost is paid up front.'
      : undefined;
    out.push({ kind: 'reservedInstance', offering, term, payment, upfront, hourly, effectiveHourly, source, ...(derivation ? { derivation } : {}) });
  }
  // Savings Plans have rates of their own; the source carries none, so none are made up from RI rates here.
  return out;
}

const GCP_NON_GPU_KEYS = new Set(['cpu', 'ram', 'local-ssd', 'regions']);

/** Reads and validates the snapshot file's JSON. Throws FinOpsError('invalidInput') naming the first bad field. */
export function parseSnapshot(raw: unknown): Snapshot {
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FinOpsError('input', `The price snapshot is malformed at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}.`, {
      fix: 'Reinstall the extension; the shipped resources/pricing snapshot was changed.',
    });
  }
  const s = parsed.data;
  const awsSnap = ref('ec2instances.info snapshot of the AWS Price List and spot price history', s.sources.aws_ec2instances_info_snapshot);
  const awsKarpenter = ref('AWS Price List on-demand prices generated by Karpenter', s.sources.aws_karpenter_generated_ondemand);
  const gcpSrc = ref('Google Cloud Billing Catalog SKUs compiled by google-cloud-pricing-cost-calculator', s.sources.gcp_cyclenerd);
  const azureSrc = ref('Azure Retail Prices compiled by the SkyPilot catalog (v6)', s.sources.azure_skypilot_catalog);
  const entries: CatalogueEntry[] = [];

  for (const [instanceType, t] of Object.entries(s.aws)) {
    // The source labels Trainium chips "AWS Inferentia"; trn1 types carry Trainium.
    const gpuName = instanceType.startsWith('trn') ? 'AWS Trainium' : t.gpu_model;
    const karpenter = Object.entries(t).find(([k]) => k.startsWith('karpenter_ondemand_us_east_1'))?.[1];
    const regions: Record<string, RegionPrices> = {};
    for (const [region, r] of Object.entries(t.regions)) {
      if (r.ondemand == null) continue; // listed without a price: not sold there
      const useKarpenter = region === 'us-east-1' && typeof karpenter === 'number' && karpenter > 0;
      const spot: SpotPrice | undefined = r.spot_avg != null
        ? { hourly: r.spot_avg, ...(r.spot_min != null ? { min: r.spot_min } : {}), ...(r.spot_max != null ? { max: r.spot_max } : {}), source: awsSnap }
        : undefined;
      const commitments = awsCommitments(r.reserved, awsSnap);
      regions[region] = {
        onDemand: { hourly: useKarpenter ? karpenter : r.ondemand, source: useKarpenter ? awsKarpenter : awsSnap },
        ...(spot ? { spot } : {}),
        commitments,
        notes: [],
      };
    }
    entries.push({ provider: 'aws', instanceType, shape: shapeWithGpu(t.vcpu, t.memory_gib, t.gpus ?? 0, gpuName), regions, notes: ['Linux, shared tenancy.'] });
  }

  for (const [instanceType, t] of Object.entries(s.gcp)) {
    const gpuEntry = Object.entries(t).find(([k, v]) => !GCP_NON_GPU_KEYS.has(k) && typeof v === 'number');
    const gpus = gpuEntry ? (gpuEntry[1] as number) : 0;
    const regions: Record<string, RegionPrices> = {};
    for (const [region, r] of Object.entries(t.regions)) {
      if (r.ondemand == null) continue;
      const commitments: CommitmentPrice[] = [];
      for (const [term, hourly] of [[1, r.cud_1y_hourly], [3, r.cud_3y_hourly]] as const) {
        if (hourly == null) continue;
        commitments.push({ kind: 'committedUse', term, payment: 'noUpfront', upfront: 0, hourly, effectiveHourly: hourly, source: gcpSrc });
      }
      regions[region] = {
        onDemand: { hourly: r.ondemand, source: gcpSrc },
        ...(r.spot != null ? { spot: { hourly: r.spot, source: gcpSrc } } : {}),
        commitments,
        notes: [],
      };
    }
    const notes: string[] = gpus === 0 && instanceType.startsWith('n1-')
      ? ['N1 prices exclude attached GPUs (T4, V100 …), which are billed separately.', 'On-demand here is before sustained-use discounts.']
      : ['The machine price includes its GPUs.'];
    notes.push('Priced from the region\'s SKUs: Google Cloud does not offer every machine type in every region or zone.');
    entries.push({ provider: 'gcp', instanceType, shape: shapeWithGpu(t.cpu, t.ram, gpus, gpuEntry?.[0]), regions, notes });
  }

  for (const [instanceType, t] of Object.entries(s.azure)) {
    // Fractional-GPU sizes (A10 v4, confidential H100) have no count in the source; take the model from the name.
    const fromName = /_(A10|A100|H100|V100|T4)_/i.exec(instanceType)?.[1];
    const gpuName = t.gpu ?? fromName;
    const nvl = /^Standard_NC\d+a[a-z]*_H100_v5$/.test(instanceType) ? 'H100 NVL' : undefined;
    // The source lists 12 GPUs for ND96isr_H100_v5; the size has 8 (Azure ND H100 v5 documentation).
    const gpus = instanceType === 'Standard_ND96isr_H100_v5' ? 8 : t.gpu_count ?? (gpuName ? null : 0);
    const regions: Record<string, RegionPrices> = {};
    for (const [region, r] of Object.entries(t.regions)) {
      if (r.ondemand == null) continue;
      // H100 rows have SpotPrice == Price in the source: spot was not captured.
      const spotCaptured = r.spot != null && r.spot < r.ondemand;
      regions[region] = {
        onDemand: { hourly: r.ondemand, source: azureSrc },
        ...(spotCaptured && r.spot != null ? { spot: { hourly: r.spot, source: azureSrc } } : {}),
        commitments: [],
        notes: [],
      };
    }
    entries.push({ provider: 'azure', instanceType, shape: shapeWithGpu(t.vcpu, t.memory_gib, gpus, nvl ?? gpuName ?? undefined), regions, notes: ['Linux, pay-as-you-go.'] });
  }

  // Types listed without a price anywhere are left out: there is nothing to estimate with.
  return { entries: entries.filter((e) => Object.keys(e.regions).length > 0), sources: [awsSnap, awsKarpenter, gcpSrc, azureSrc] };
}
