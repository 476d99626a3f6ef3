/**
 * Published dense FP16 / BF16 tensor throughput of one accelerator, in TFLOPS (without structured sparsity), from the
 * vendors' datasheets. A migration maps a GPU the target cloud does not sell to the nearest one by memory and by this
 * figure. Keyed by the canonical ids of src/core/pricing/gpuModels.ts.
 */
interface Throughput {
  tflops: number;
  /** Where the figure comes from. */
  source: string;
}

const table: Record<string, Throughput | undefined> = {
  t4: { tflops: 65, source: 'NVIDIA T4 datasheet (FP16 mixed precision)' },
  v100: { tflops: 125, source: 'NVIDIA V100 SXM2 datasheet (tensor performance)' },
  'v100-32gb': { tflops: 125, source: 'NVIDIA V100 SXM2 datasheet (tensor performance)' },
  a10: { tflops: 125, source: 'NVIDIA A10 datasheet (FP16 / BF16 tensor, dense)' },
  // NVIDIA publishes no A10G datasheet; AWS describes it as an A10-class Ampere GPU.
  a10g: { tflops: 125, source: 'taken as the NVIDIA A10 datasheet figure (no A10G datasheet is published)' },
  a100: { tflops: 312, source: 'NVIDIA A100 datasheet (BF16 / FP16 tensor, dense)' },
  'a100-80gb': { tflops: 312, source: 'NVIDIA A100 datasheet (BF16 / FP16 tensor, dense)' },
  l4: { tflops: 121, source: 'NVIDIA L4 datasheet (FP16 / BF16 tensor, dense; 242 with sparsity)' },
  h100: { tflops: 989, source: 'NVIDIA H100 SXM datasheet (BF16 / FP16 tensor, dense; 1,979 with sparsity)' },
  'h100-mega': { tflops: 989, source: 'NVIDIA H100 SXM datasheet (BF16 / FP16 tensor, dense)' },
  'h100-nvl': { tflops: 835, source: 'NVIDIA H100 NVL datasheet (BF16 / FP16 tensor, dense; 1,671 with sparsity)' },
  inferentia2: { tflops: 190, source: 'AWS Neuron documentation, Inferentia2 (FP16 / BF16 per chip)' },
  trainium: { tflops: 190, source: 'AWS Neuron documentation, Trainium (FP16 / BF16 per chip)' },
};

/** The dense FP16/BF16 TFLOPS of one accelerator, or undefined when none is published (K80). */
export function fp16Tflops(gpuModelId: string | undefined): Throughput | undefined {
  return gpuModelId === undefined ? undefined : table[gpuModelId];
}
