/**
 * Accelerator models the catalogue names, with the memory of one device (vendor datasheets) and the
 * architecture: two models of the same architecture differ only in memory, so a workload that fits in the
 * smaller one's memory runs on it unchanged ("a smaller GPU").
 */
interface GpuModel {
  id: string;
  label: string;
  architecture: string;
  memoryGiB: number;
}

const models: GpuModel[] = [
  { id: 'k80', label: 'NVIDIA K80', architecture: 'Kepler', memoryGiB: 12 },
  { id: 't4', label: 'NVIDIA T4', architecture: 'Turing', memoryGiB: 16 },
  { id: 'v100', label: 'NVIDIA V100 16 GB', architecture: 'Volta', memoryGiB: 16 },
  { id: 'v100-32gb', label: 'NVIDIA V100 32 GB', architecture: 'Volta', memoryGiB: 32 },
  { id: 'a10', label: 'NVIDIA A10', architecture: 'Ampere-GA102', memoryGiB: 24 },
  { id: 'a10g', label: 'NVIDIA A10G', architecture: 'Ampere-GA102G', memoryGiB: 24 },
  { id: 'a100', label: 'NVIDIA A100 40 GB', architecture: 'Ampere-GA100', memoryGiB: 40 },
  { id: 'a100-80gb', label: 'NVIDIA A100 80 GB', architecture: 'Ampere-GA100', memoryGiB: 80 },
  { id: 'l4', label: 'NVIDIA L4', architecture: 'Ada', memoryGiB: 24 },
  { id: 'h100', label: 'NVIDIA H100 80 GB', architecture: 'Hopper', memoryGiB: 80 },
  { id: 'h100-mega', label: 'NVIDIA H100 80 GB Mega', architecture: 'Hopper', memoryGiB: 80 },
  { id: 'h100-nvl', label: 'NVIDIA H100 NVL 94 GB', architecture: 'Hopper', memoryGiB: 94 },
  { id: 'inferentia2', label: 'AWS Inferentia2', architecture: 'Inferentia2', memoryGiB: 32 },
  { id: 'trainium', label: 'AWS Trainium', architecture: 'Trainium', memoryGiB: 32 },
];

const byId = new Map(models.map((m) => [m.id, m]));

/** Maps the names the price sources use ("NVIDIA Tesla V100", "a100-80gb", "A100-80GB", "h100-80gb-mega") to a model. */
export function gpuModelFromName(name: string): GpuModel | undefined {
  const n = name.toLowerCase().replace(/nvidia|tesla|tensor core|gpu/g, '').replace(/\s+/g, ' ').trim();
  const pick = (id: string) => byId.get(id);
  if (/inferentia ?2/.test(n)) return pick('inferentia2');
  if (/trainium/.test(n)) return pick('trainium');
  if (/h100/.test(n)) return /mega/.test(n) ? pick('h100-mega') : /nvl|94/.test(n) ? pick('h100-nvl') : pick('h100');
  if (/a100/.test(n)) return /80/.test(n) ? pick('a100-80gb') : pick('a100');
  if (/a10g/.test(n)) return pick('a10g');
  if (/\ba10\b/.test(n)) return pick('a10');
  if (/v100/.test(n)) return /32/.test(n) ? pick('v100-32gb') : pick('v100');
  if (/\bt4\b/.test(n)) return pick('t4');
  if (/\bl4\b/.test(n)) return pick('l4');
  if (/k80/.test(n)) return pick('k80');
  return undefined;
}

export function gpuModelById(id: string): GpuModel | undefined {
  return byId.get(id);
}
