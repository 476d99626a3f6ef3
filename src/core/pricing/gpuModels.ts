/**
 * Accelerator models the catalogue names, with the memory of one device and the architecture: two models of the
 * same architecture differ only in memory, so a workload that fits in the smaller one's memory runs on it
 * unchanged ("a smaller GPU").
 *
 * `memoryGiB` is the datasheet figure (what the clouds advertise); `usableGiB` is what a CUDA program can hold:
 * the `memory.total` nvidia-smi reports on the clouds' instances, ECC and the driver's reservation taken off (the
 * A10G and the L4, sold as "24 GB", hold 22.35 GiB). Sizing always uses `usableGiB`.
 */
export interface GpuModel {
  id: string;
  label: string;
  architecture: string;
  memoryGiB: number;
  usableGiB: number;
}

const models: GpuModel[] = [
  { id: 'k80', label: 'NVIDIA K80', architecture: 'Kepler', memoryGiB: 12, usableGiB: 11.17 },
  { id: 't4', label: 'NVIDIA T4', architecture: 'Turing', memoryGiB: 16, usableGiB: 15 },
  { id: 'v100', label: 'NVIDIA V100 16 GB', architecture: 'Volta', memoryGiB: 16, usableGiB: 15.78 },
  { id: 'v100-32gb', label: 'NVIDIA V100 32 GB', architecture: 'Volta', memoryGiB: 32, usableGiB: 31.75 },
  { id: 'a10', label: 'NVIDIA A10', architecture: 'Ampere-GA102', memoryGiB: 24, usableGiB: 22.35 },
  { id: 'a10g', label: 'NVIDIA A10G', architecture: 'Ampere-GA102G', memoryGiB: 24, usableGiB: 22.35 },
  { id: 'a100', label: 'NVIDIA A100 40 GB', architecture: 'Ampere-GA100', memoryGiB: 40, usableGiB: 39.59 },
  { id: 'a100-80gb', label: 'NVIDIA A100 80 GB', architecture: 'Ampere-GA100', memoryGiB: 80, usableGiB: 79.15 },
  { id: 'l4', label: 'NVIDIA L4', architecture: 'Ada', memoryGiB: 24, usableGiB: 22.35 },
  { id: 'l40s', label: 'NVIDIA L40S', architecture: 'Ada-AD102', memoryGiB: 48, usableGiB: 44.99 },
  { id: 'h100', label: 'NVIDIA H100 80 GB', architecture: 'Hopper', memoryGiB: 80, usableGiB: 79.65 },
  { id: 'h100-mega', label: 'NVIDIA H100 80 GB Mega', architecture: 'Hopper', memoryGiB: 80, usableGiB: 79.65 },
  { id: 'h100-nvl', label: 'NVIDIA H100 NVL 94 GB', architecture: 'Hopper', memoryGiB: 94, usableGiB: 93.58 },
  { id: 'h200', label: 'NVIDIA H200 141 GB', architecture: 'Hopper-H200', memoryGiB: 141, usableGiB: 140.4 },
  { id: 'b200', label: 'NVIDIA B200 180 GB', architecture: 'Blackwell', memoryGiB: 180, usableGiB: 179 },
  { id: 'inferentia2', label: 'AWS Inferentia2', architecture: 'Inferentia2', memoryGiB: 32, usableGiB: 32 },
  { id: 'trainium', label: 'AWS Trainium', architecture: 'Trainium', memoryGiB: 32, usableGiB: 32 },
];

const byId = new Map(models.map((m) => [m.id, m]));

/** Maps the names the price sources use ("NVIDIA Tesla V100", "a100-80gb", "A100-80GB", "h100-80gb-mega") to a model. */
export function gpuModelFromName(name: string): GpuModel | undefined {
  const n = name.toLowerCase().replace(/nvidia|tesla|tensor core|gpu/g, '').replace(/\s+/g, ' ').trim();
  const pick = (id: string) => byId.get(id);
  if (/inferentia ?2/.test(n)) return pick('inferentia2');
  if (/trainium/.test(n)) return pick('trainium');
  if (/h200/.test(n)) return pick('h200');
  if (/b200/.test(n)) return pick('b200');
  if (/h100/.test(n)) return /mega/.test(n) ? pick('h100-mega') : /nvl|94/.test(n) ? pick('h100-nvl') : pick('h100');
  if (/a100/.test(n)) return /80/.test(n) ? pick('a100-80gb') : pick('a100');
  if (/a10g/.test(n)) return pick('a10g');
  if (/\ba10\b/.test(n)) return pick('a10');
  if (/v100/.test(n)) return /32/.test(n) ? pick('v100-32gb') : pick('v100');
  if (/l40s/.test(n)) return pick('l40s');
  if (/\bt4\b/.test(n)) return pick('t4');
  if (/\bl4\b/.test(n)) return pick('l4');
  if (/k80/.test(n)) return pick('k80');
  return undefined;
}

export function gpuModelById(id: string): GpuModel | undefined {
  return byId.get(id);
}

/** What a typed GPU name asks for: the models it names, and a note when one stands in for another. */
export interface GpuQuery {
  /** The name as the user wrote it, trimmed. */
  text: string;
  modelIds: string[];
  note?: string;
}

/**
 * Reads a GPU name as people write it: "H100", "h100 sxm", "A100 80GB", "a100-80g", "L4", "T4", "V100", "A10G",
 * "nvidia l40s". A name without a memory size means every memory size of that GPU ("A100" → 40 and 80 GB;
 * "V100" → 16 and 32 GB; "H100" → SXM, Mega and NVL). "A10G" (AWS) and "A10" (Azure) are the same GA102 chip, so
 * each finds the other too. Returns undefined when the text names no GPU the catalogue knows.
 */
export function parseGpuQuery(input: string): GpuQuery | undefined {
  const text = input.trim();
  const n = text.toLowerCase().replace(/nvidia|tesla|tensor ?core|\bgpus?\b/g, ' ').replace(/[\s_]+/g, ' ').trim();
  if (!n || n.length > 40) return undefined;
  const memory = /(?<![a-z\d])(\d{2,3}) ?(gb|gib|g)\b/;
  const mem = memory.exec(n)?.[1];
  const q = n.replace(memory, '').replace(/[-\s]+/g, '');
  const with80 = (small: string, big: string): string[] => (mem === undefined ? [small, big] : Number(mem) >= 64 ? [big] : [small]);
  let ids: string[] | undefined;
  let note: string | undefined;
  if (/^h100(sxm|pcie)?$/.test(q)) ids = mem === '94' ? ['h100-nvl'] : ['h100', 'h100-mega', 'h100-nvl'];
  else if (/^h100mega$/.test(q)) ids = ['h100-mega'];
  else if (/^h100nvl$/.test(q)) ids = ['h100-nvl'];
  else if (/^h200$/.test(q)) ids = ['h200'];
  else if (/^b200$/.test(q)) ids = ['b200'];
  else if (/^a100(sxm4?|pcie)?$/.test(q)) ids = with80('a100', 'a100-80gb');
  else if (/^a10g$/.test(q)) { ids = ['a10g', 'a10']; note = 'Azure sells the A10, the same GA102 chip and 24 GB as the A10G.'; }
  else if (/^a10$/.test(q)) { ids = ['a10', 'a10g']; note = 'AWS sells the A10G, the same GA102 chip and 24 GB as the A10.'; }
  else if (/^v100(sxm2?|pcie)?$/.test(q)) ids = mem === undefined ? ['v100', 'v100-32gb'] : Number(mem) >= 32 ? ['v100-32gb'] : ['v100'];
  else if (/^l40s$/.test(q)) ids = ['l40s'];
  else if (/^l4$/.test(q)) ids = ['l4'];
  else if (/^t4$/.test(q)) ids = ['t4'];
  else if (/^k80$/.test(q)) ids = ['k80'];
  else if (/^(inferentia2?|inf2)$/.test(q)) ids = ['inferentia2'];
  else if (/^(trainium1?|trn1?)$/.test(q)) ids = ['trainium'];
  if (!ids) return undefined;
  return { text, modelIds: ids, ...(note ? { note } : {}) };
}

/** The GPU names a search understands, for hints and errors. */
export const gpuSearchExamples = ['H100', 'H200', 'A100 80GB', 'A100', 'L40S', 'L4', 'A10G', 'T4', 'V100'];
