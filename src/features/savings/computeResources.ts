import * as nodePath from 'node:path';
import type { Range } from '../../core/iac/model';
import { IacWorkspace } from '../../core/iac/workspace';
import { loadDefaultPolicy } from '../../core/policy/load';
import type { CloudProvider } from '../../core/pricing/model';
import { isComputeType, priceAs } from '../../core/savings/declared';

export { isComputeType };

/**
 * Terraform compute resources of one file with their instance type and region, read with the project's
 * Terraform analysis (so `var.instance_type` with a default, locals, and the provider's region resolve).
 * The file's folder siblings are given too: variables and providers usually live in other files.
 */
export interface ComputeResource {
  /** `aws_instance.trainer` */
  address: string;
  type: string;
  provider: CloudProvider;
  /** Instance type / machine type / VM size as written (`p3.2xlarge`, `ml.g5.xlarge`). */
  size: string;
  /** The type to price (`ml.g5.xlarge` → `g5.xlarge`). */
  priceAs: string;
  region?: string;
  range: Range;
  /** Priced as the EC2 type of the same name (SageMaker ml.* types cost more). */
  sagemaker: boolean;
  /** `count` / `for_each`: how many machines the block declares ('unknown' when not known statically; absent: one). */
  instances?: number | 'unknown';
}

const CLOUD: Record<string, CloudProvider> = { aws: 'aws', gcp: 'gcp', google: 'gcp', azure: 'azure', azurerm: 'azure' };

export function findComputeResources(path: string, text: string, siblings: ReadonlyArray<{ path: string; text: string }> = []): ComputeResource[] {
  const ws = new IacWorkspace({ policy: loadDefaultPolicy().policy, reportUnknown: false, details: true });
  if (!ws.upsert(path, text)) return [];
  const dir = nodePath.dirname(path);
  for (const s of siblings) if (s.path !== path && nodePath.dirname(s.path) === dir) ws.upsert(s.path, s.text);
  const { resources } = ws.analyze([path]);
  const out: ComputeResource[] = [];
  for (const r of resources) {
    if (r.file !== path || !r.size || !isComputeType(r.type)) continue;
    const provider = CLOUD[r.cloud] ?? CLOUD[r.type.split('_')[0] ?? ''];
    if (!provider) continue;
    const priced = priceAs(provider, r.size, r.type);
    const sagemaker = priced.sagemaker;
    out.push({
      address: r.address, type: r.type, provider, size: r.size, priceAs: priced.priceAs,
      ...(r.region ? { region: r.region } : {}), range: r.range, sagemaker,
      ...(r.instances !== undefined ? { instances: r.instances } : {}),
    });
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line);
}
