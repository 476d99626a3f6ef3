import type { Resource } from '../sources';
import { tagValue } from '../allocation/hierarchy';
import type { TerraformStateIndex } from '../iac/terraformState';
import type { IacLocation, TagTarget } from './plan';

/**
 * Which workspace declaration a running resource comes from, so its tags are fixed in the code (the next
 * `terraform apply` or stack update would otherwise revert a change made in the cloud). The links, strongest first:
 * the resource is itself a declaration (the tree's "Infrastructure as code" rows); a Terraform state file names its
 * id or ARN; CloudFormation's own `aws:cloudformation:logical-id` tag; the same `Name` tag on a resource of the same
 * kind.
 */

/** Terraform resource types and CloudFormation types by the kind the clouds report (`ec2:instance`). */
const KINDS: Record<string, string[]> = {
  'ec2:instance': ['aws_instance', 'AWS::EC2::Instance'],
  'ec2:volume': ['aws_ebs_volume', 'AWS::EC2::Volume'],
  s3: ['aws_s3_bucket', 'AWS::S3::Bucket'],
  'sagemaker:notebook-instance': ['aws_sagemaker_notebook_instance', 'AWS::SageMaker::NotebookInstance'],
  'sagemaker:endpoint': ['aws_sagemaker_endpoint', 'AWS::SageMaker::Endpoint'],
};

/** `module.train.aws_instance.gpu[0]` → `module.train.aws_instance.gpu` (declarations have no index). */
function withoutIndex(address: string): string {
  return address.replace(/\[[^\]]*\]$/, '');
}

function location(d: Resource, how: string): IacLocation | undefined {
  return d.declaredIn ? { address: d.id, file: d.declaredIn.file, range: d.declaredIn.range, how } : undefined;
}

/** The short id inside an ARN or a resource path (`i-0abc`, `my-bucket`). */
function shortId(id: string): string {
  return id.split(/[/:]/).filter(Boolean).pop() ?? id;
}

/**
 * The declaration of a resource among the workspace's declared resources (IaC source resources, with `declaredIn`),
 * or undefined when it is not declared there (it is then tagged in the cloud).
 */
export function linkToIac(target: TagTarget, declared: readonly Resource[], state: TerraformStateIndex = new Map()): IacLocation | undefined {
  if (target.declaredIn) return { address: target.id, file: target.declaredIn.file, range: target.declaredIn.range, how: 'declared in the workspace' };
  const byAddress = (address: string) => declared.find((d) => d.id === address || d.id.startsWith(`${address} (`));
  const fromState = state.get(target.id) ?? state.get(shortId(target.id));
  if (fromState) {
    const d = byAddress(withoutIndex(fromState.address));
    const found = d && location(d, `Terraform state ${fromState.file}`);
    if (found) return found;
  }
  const logicalId = target.tags['aws:cloudformation:logical-id'];
  if (logicalId) {
    const d = declared.find((x) => x.id === logicalId && x.type.startsWith('AWS::'));
    const found = d && location(d, `its aws:cloudformation:logical-id tag${target.tags['aws:cloudformation:stack-name'] ? ` (stack ${target.tags['aws:cloudformation:stack-name']})` : ''}`);
    if (found) return found;
  }
  const name = tagValue(target.tags, 'Name');
  const kinds = target.type ? KINDS[target.type] : undefined;
  if (name && kinds) {
    const matches = declared.filter((d) => kinds.includes(d.type) && d.tags.Name === name);
    const d = matches.length === 1 ? matches[0] : undefined;
    const found = d && location(d, `the same Name tag "${name}"`);
    if (found) return found;
  }
  return undefined;
}
