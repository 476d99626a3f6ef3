import { FinOpsError } from '../errors';

/**
 * Which running VM a shutdown schedule is for, from the id the tree, the savings report or the command line gives:
 * an EC2 instance id or ARN, a Compute Engine instance name (`projects/P/zones/Z/instances/N`, as Cloud Asset
 * Inventory or the API write it) or an Azure VM resource id.
 */
export type VmRef =
  | { provider: 'aws'; instanceId: string; region?: string; account?: string }
  | { provider: 'gcp'; project: string; zone: string; region: string; instance: string }
  | { provider: 'azure'; subscriptionId: string; resourceGroup: string; vm: string; id: string };

const ID_FIX = 'Give an EC2 instance id (i-0abc…) or ARN, a Compute Engine instance (projects/P/zones/Z/instances/NAME) or an Azure VM id (/subscriptions/…/resourceGroups/…/providers/Microsoft.Compute/virtualMachines/NAME).';

export function parseVmRef(text: string): VmRef {
  const id = text.trim();
  let m = /^(i-[0-9a-f]{8,17})$/.exec(id);
  if (m) return { provider: 'aws', instanceId: m[1]! };
  m = /^arn:aws[\w-]*:ec2:([a-z0-9-]+):(\d{12})?:instance\/(i-[0-9a-f]{8,17})$/.exec(id);
  if (m) return { provider: 'aws', instanceId: m[3]!, region: m[1]!, ...(m[2] ? { account: m[2] } : {}) };
  m = /^(?:\/\/compute\.googleapis\.com\/|https:\/\/(?:www|compute)\.googleapis\.com\/compute\/v1\/)?projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/zones\/([a-z]+-[a-z]+\d+-[a-z])\/instances\/([a-z]([-a-z0-9]{0,61}[a-z0-9])?)$/.exec(id);
  if (m) return { provider: 'gcp', project: m[1]!, zone: m[2]!, region: m[2]!.replace(/-[a-z]$/, ''), instance: m[3]! };
  m = /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([\w.()-]{1,90})\/providers\/Microsoft\.Compute\/virtualMachines\/([\w.-]{1,64})$/i.exec(id);
  if (m) return { provider: 'azure', subscriptionId: m[1]!, resourceGroup: m[2]!, vm: m[3]!, id };
  if (/^i-/.test(id)) throw new FinOpsError('input', `"${id}" is not an EC2 instance id.`, { fix: 'An instance id is i- followed by 8 or 17 hexadecimal digits.' });
  throw new FinOpsError('input', `"${id}" names no virtual machine ML FinOps can schedule.`, { fix: ID_FIX });
}

/** The id as people read it: the instance id, the Compute Engine name, the VM name with its resource group. */
export function vmLabel(ref: VmRef): string {
  if (ref.provider === 'aws') return ref.instanceId;
  if (ref.provider === 'gcp') return `${ref.instance} (${ref.project}, ${ref.zone})`;
  return `${ref.vm} (resource group ${ref.resourceGroup})`;
}
