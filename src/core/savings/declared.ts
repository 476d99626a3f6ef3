import { defaultRegions, type PriceCatalogue } from '../pricing/catalogue';
import type { CloudProvider, InstancePrices, PriceSourceRef } from '../pricing/model';
import { cents } from './estimate';

/**
 * Machines declared in Terraform, priced before they exist: the figure the code lens over a resource shows first
 * (on-demand for a month of the baseline hours) and the estimate the Resources view gives the same resource. Both
 * come from `estimateDeclared`, so the two never disagree.
 */

const COMPUTE_TYPES = /^(aws_(instance|launch_template|spot_instance_request|sagemaker_[a-z_]+)|google_compute_(instance|instance_template|region_instance_template)|google_(notebooks|workbench)_instance|azurerm_(linux_|windows_)?virtual_machine)$/;

/** A Terraform resource type that runs machines of an instance type (what code lenses and estimates price). */
export function isComputeType(type: string): boolean {
  return COMPUTE_TYPES.test(type);
}

/** The type a declared size is priced as: SageMaker `ml.g5.xlarge` as EC2 `g5.xlarge`; a GCP machine-type path as its name. */
export function priceAs(provider: CloudProvider, size: string, resourceType: string): { priceAs: string; sagemaker: boolean } {
  const sagemaker = resourceType.startsWith('aws_sagemaker_') || size.startsWith('ml.');
  // GCP machine types may be written as a URL path (zones/us-central1-a/machineTypes/a2-highgpu-1g)
  const name = provider === 'gcp' ? (size.split('/').pop() ?? size) : size;
  return { priceAs: sagemaker ? name.replace(/^ml\./, '') : name, sagemaker };
}

/** The region a declared machine is priced in: its own, else on AWS the `aws.region` setting, else the cloud's default. */
export function pricingRegion(provider: CloudProvider, region: string | undefined, awsRegion: string): string {
  return region ?? (provider === 'aws' ? awsRegion : defaultRegions[provider]);
}

/** On-demand cost of one machine over the month's baseline hours (`savings.hoursPerMonth`, 730 by default), in cents. */
export function monthlyOnDemand(prices: InstancePrices, hoursPerMonth: number): number {
  return cents(prices.onDemand.hourly * hoursPerMonth);
}

/** How many machines a declaration stands for: a known count, 'unknown' (`count = var.n` without a value), or one. */
export type Instances = number | 'unknown' | undefined;

/**
 * A per-machine monthly figure for every machine a declaration stands for: × the count when it is known (`count = 6`
 * → six machines), the figure itself for one machine or an unknown count (then `perInstance` says so). The tree's
 * estimate and the code lens both scale their figures with this one function.
 */
export function forInstances(perMachine: number, instances: Instances): { amount: number; perInstance: boolean; count: number | undefined } {
  if (instances === 'unknown') return { amount: perMachine, perInstance: true, count: undefined };
  const count = instances ?? 1;
  return { amount: cents(perMachine * count), perInstance: false, count };
}

/**
 * How a figure says what it covers: `times` before it ("6 × "), `covers` after it (" for 6 machines", or " per
 * instance" when the count is unknown); both empty for one machine.
 */
export function instancesText(instances: Instances): { times: string; covers: string } {
  if (instances === 'unknown') return { times: '', covers: ' per instance' };
  if (instances === undefined || instances === 1) return { times: '', covers: '' };
  const n = instances.toLocaleString('en-US');
  return { times: `${n} × `, covers: ` for ${n} machine${instances === 1 ? '' : 's'}` };
}

/** What a declared machine would cost a month, and on what the figure rests. */
export interface DeclaredEstimate {
  /** On-demand, one machine, `hoursPerMonth` hours (USD). */
  monthly: number;
  /** On-demand for every machine the declaration stands for (`monthly` × the count; `monthly` when it is unknown). */
  total: number;
  /** How many machines `total` is for; undefined when the count is unknown (`total` is then per instance). */
  count: number | undefined;
  hourly: number;
  hoursPerMonth: number;
  instanceType: string;
  region: string;
  source: PriceSourceRef;
  /** GPUs of the machine, when it has whole ones. */
  gpus?: number;
}

/**
 * The monthly estimate of a declared machine from a price catalogue, or undefined when it cannot be priced (no
 * size, a type that is not a machine, a type or region the catalogue does not have).
 */
export function estimateDeclared(
  catalogue: PriceCatalogue,
  machine: { provider: CloudProvider; type: string; size?: string; region?: string; instances?: Instances },
  baseline: { hoursPerMonth: number; awsRegion: string },
): DeclaredEstimate | undefined {
  if (!machine.size || !isComputeType(machine.type)) return undefined;
  const { priceAs: type } = priceAs(machine.provider, machine.size, machine.type);
  let prices: InstancePrices;
  try {
    prices = catalogue.prices(type, pricingRegion(machine.provider, machine.region, baseline.awsRegion));
  } catch {
    return undefined;
  }
  const monthly = monthlyOnDemand(prices, baseline.hoursPerMonth);
  const all = forInstances(monthly, machine.instances);
  return {
    monthly,
    total: all.amount,
    count: all.count,
    hourly: prices.onDemand.hourly,
    hoursPerMonth: baseline.hoursPerMonth,
    instanceType: prices.instanceType,
    region: prices.region,
    source: prices.onDemand.source,
    ...(prices.shape.gpus ? { gpus: prices.shape.gpus } : {}),
  };
}
