import type { CommitmentPrice, InstancePrices, PriceSourceRef } from '../../../src/core/pricing/model';
import type { MetricPoint } from '../../../src/core/sources';

export const lessonSource: PriceSourceRef = { name: 'Course lesson example prices', capturedAt: '2024-01-01', live: false };

export function commitment(term: 1 | 3, effectiveHourly: number, payment: CommitmentPrice['payment'] = 'noUpfront', kind: CommitmentPrice['kind'] = 'reservedInstance'): CommitmentPrice {
  const hours = term * 8760;
  const upfront = payment === 'allUpfront' ? effectiveHourly * hours : payment === 'partialUpfront' ? (effectiveHourly * hours) / 2 : 0;
  const hourly = payment === 'allUpfront' ? 0 : payment === 'partialUpfront' ? effectiveHourly / 2 : effectiveHourly;
  return { kind, offering: 'standard', term, payment, upfront, hourly, effectiveHourly, source: lessonSource };
}

/** The lesson's p3.2xlarge: $3.06/h on-demand, 1-yr RI $2.08/h, 3-yr RI $1.37/h. */
export function lessonP3(): InstancePrices {
  return {
    provider: 'aws', region: 'us-east-1', instanceType: 'p3.2xlarge', currency: 'USD',
    shape: { vcpu: 8, memoryGiB: 61, gpus: 1, gpuModel: 'NVIDIA V100 16 GB', gpuModelId: 'v100', gpuMemoryGiB: 16 },
    onDemand: { hourly: 3.06, source: lessonSource },
    commitments: [commitment(1, 2.08), commitment(3, 1.37)],
    notes: [],
  };
}

/** `hours` hourly points from `start`, values from `value(i)`. */
export function hourly(hours: number, value: (i: number, t: Date) => number, start = Date.UTC(2026, 1, 2)): MetricPoint[] {
  return Array.from({ length: hours }, (_, i) => {
    const t = new Date(start + i * 3_600_000);
    return { timestamp: t.toISOString(), value: value(i, t) };
  });
}
