// @ts-check
/**
 * Rebuilds resources/pricing/gpu_ml_instance_prices.json from the two public, dated, licensed captures it cites:
 *
 *   node scripts/buildPriceSnapshot.mjs <gpu_instances_raw.json> <pricing.yml>
 *
 * - AWS: tsaol/aws-gpu data/gpu_instances_raw.json @ 2d0108c7bd261c8e40493fbd35135437bd6c9099 (2025-11-30; an
 *   ec2instances.info capture of the AWS Price List and spot history, MIT): Linux on-demand, spot min/avg/max and
 *   every RI rate, for every AWS Region that prices the type (Local and Wavelength Zones left out).
 * - Google Cloud: Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml @ fd66b26ff84fee5cdd94f341ea89206e76c06b99
 *   (generated 2026-07-30 from the Cloud Billing Catalog, Apache-2.0): on-demand, Spot and 1/3-year CUDs per region.
 * - Azure rows and the Karpenter us-east-1 on-demand figures are kept from the current file (their sources are
 *   unchanged; no licensed capture covers more Azure regions).
 *
 * The types are the GPU / ML families the catalogue carries; values are copied, never computed, except GCP CUD
 * hourly rates (monthly ÷ 730, as the source defines its months). Run it again with the same inputs to check the
 * committed file: the output is byte-for-byte the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const [awsPath, gcpPath] = process.argv.slice(2);
if (!awsPath || !gcpPath) {
  console.error('Usage: node scripts/buildPriceSnapshot.mjs <gpu_instances_raw.json> <pricing.yml>');
  process.exit(2);
}
const target = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'resources', 'pricing', 'gpu_ml_instance_prices.json');
const current = JSON.parse(fs.readFileSync(target, 'utf8'));

/** AWS types: the catalogue's families, and the GPU sizes ML teams use beside them (L40S, A100 80 GB, V100 32 GB, H200, B200). */
const AWS_TYPES = /^(p3|p3dn|p4d|p4de|p5|p5en|p6-b200|g4dn|g5|g6|g6e|trn1|trn1n|inf2)\.[a-z0-9]+$/;
/** Regions proper (us-east-1, eu-west-1, us-gov-west-1), not Local Zones (us-east-1-atl-1) or Wavelength Zones. */
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** @param {unknown} v */
const num = (v) => {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
};

/** @param {Record<string, any>} o */
function sortKeys(o) {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

/** @param {string} type @param {string[]} regions */
function regionOrder(type, regions) {
  const first = type.includes('-') ? ['us-central1', 'us-east4', 'europe-west4'] : ['us-east-1', 'us-west-2', 'eu-west-1'];
  return [...regions].sort((a, b) => {
    const ia = first.indexOf(a);
    const ib = first.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a.localeCompare(b);
  });
}

// ---- AWS
const raw = JSON.parse(fs.readFileSync(awsPath, 'utf8'));
/** @type {Record<string, any>} */
const aws = {};
for (const t of raw) {
  const type = String(t.instance_type);
  if (!AWS_TYPES.test(type)) continue;
  const old = current.aws[type];
  /** @type {Record<string, any>} */
  const regions = {};
  const names = Object.keys(t.pricing ?? {}).filter((r) => AWS_REGION.test(r));
  for (const region of regionOrder(type, names)) {
    const l = t.pricing[region]?.linux;
    const ondemand = num(l?.ondemand);
    if (!ondemand) continue;
    /** @type {Record<string, number>} */
    const reserved = {};
    for (const [k, v] of Object.entries(l.reserved ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      const n = num(v);
      if (n !== null) reserved[k] = n;
    }
    regions[region] = { ondemand, spot_min: num(l.spot_min), spot_avg: num(l.spot_avg), spot_max: num(l.spot_max), reserved };
  }
  if (Object.keys(regions).length === 0) continue;
  const gpus = Number(t.GPU) || 0;
  const perGpu = gpus ? Math.round(Number(t.GPU_memory) / gpus) : 0;
  const sized = /A100|V100/.test(t.GPU_model ?? '') && perGpu >= 32 ? `${t.GPU_model} ${perGpu} GB` : t.GPU_model;
  aws[type] = {
    gpu_model: old?.gpu_model ?? sized,
    gpus,
    vcpu: Number(t.vCPU),
    memory_gib: Number(t.memory),
    regions,
    ...Object.fromEntries(Object.entries(old ?? {}).filter(([k]) => k.startsWith('karpenter_'))),
  };
}

// ---- Google Cloud
const yml = parse(fs.readFileSync(gcpPath, 'utf8'));
/** @type {Record<string, any>} */
const gcp = {};
for (const type of Object.keys(current.gcp)) {
  const t = yml.compute.instance[type];
  if (!t) throw new Error(`${type} is not in ${gcpPath}`);
  const { cost, ...shape } = t;
  /** @type {Record<string, any>} */
  const regions = {};
  for (const region of regionOrder(type, Object.keys(cost ?? {}))) {
    const c = cost[region];
    const ondemand = num(c.hour);
    if (!ondemand) continue;
    const m1 = num(c.month_1y);
    const m3 = num(c.month_3y);
    regions[region] = {
      ondemand,
      spot: num(c.hour_spot),
      cud_1y_hourly: m1 === null ? null : Math.round((m1 / 730) * 1e6) / 1e6,
      cud_3y_hourly: m3 === null ? null : Math.round((m3 / 730) * 1e6) / 1e6,
      month: num(c.month),
      month_1y: m1,
      month_3y: m3,
    };
  }
  gcp[type] = { ...sortKeys(shape), regions };
}

const out = {
  ...current,
  description: 'Hourly USD prices for GPU/ML instance types (Linux) from public, dated, third-party snapshots of the clouds\' price APIs, every region each source prices. Not live prices; see each source\'s captured_at. Built by scripts/buildPriceSnapshot.mjs.',
  aws: sortKeys(aws),
  gcp,
};
fs.writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
const count = (/** @type {Record<string, { regions: object }>} */ o) => new Set(Object.values(o).flatMap((t) => Object.keys(t.regions))).size;
console.log(`AWS: ${Object.keys(aws).length} types in ${count(aws)} regions; Google Cloud: ${Object.keys(gcp).length} types in ${count(gcp)} regions; Azure kept: ${Object.keys(current.azure).length} types in ${count(current.azure)} regions.`);
