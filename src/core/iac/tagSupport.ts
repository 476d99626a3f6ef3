import awsTags from '../../../resources/tag-support/aws_tags_resources.json';
import azurermTags from '../../../resources/tag-support/azurerm_tags_resources.json';
import googleLabels from '../../../resources/tag-support/google_labels_resources.json';
import type { Cloud } from '../policy/model';

/**
 * Terraform resource types that take tags (aws, azurerm: `tags`) or labels (google: `labels`, with the
 * provider's `default_labels`). Lists ship in resources/tag-support with their sources and licences.
 */
const aws = new Set<string>(awsTags.resources);
const google = new Set<string>(googleLabels.resources);
const azurerm = new Set<string>(azurermTags.resources);

interface Taggable {
  cloud: Cloud;
  /** The attribute that holds the tags. */
  attribute: 'tags' | 'labels' | 'resource_labels';
  /** Attributes that name the instance type / machine type / VM size, the first one set wins. */
  sizeAttributes: readonly string[];
  /** Attributes that name the region (else the provider's `region`), the first one set wins. */
  regionAttributes: readonly string[];
}

/**
 * Where each cloud's resources say their size and region: `instance_type` (aws_instance, launch templates,
 * SageMaker), `instance_class` (RDS), `node_type` (ElastiCache, Redshift); `machine_type` (Compute Engine);
 * `size` (azurerm_*_virtual_machine), `vm_size` (azurerm_virtual_machine, AKS node pools).
 */
const details: Record<Cloud, Pick<Taggable, 'sizeAttributes' | 'regionAttributes'>> = {
  aws: { sizeAttributes: ['instance_type', 'instance_class', 'node_type'], regionAttributes: ['region'] },
  gcp: { sizeAttributes: ['machine_type'], regionAttributes: ['location', 'region'] },
  azure: { sizeAttributes: ['size', 'vm_size'], regionAttributes: ['location'] },
};

/** Google types whose user labels live under another attribute name. */
const googleLabelAttribute: Record<string, Taggable['attribute']> = {
  google_container_cluster: 'resource_labels',
};

export function terraformTaggable(type: string): Taggable | undefined {
  // autoscaling groups take `tag {}` blocks (and the legacy `tags` list of provider < 5), not a tags map
  if (aws.has(type) || type === 'aws_autoscaling_group') return { cloud: 'aws', attribute: 'tags', ...details.aws };
  if (google.has(type)) return { cloud: 'gcp', attribute: googleLabelAttribute[type] ?? 'labels', ...details.gcp };
  if (azurerm.has(type)) return { cloud: 'azure', attribute: 'tags', ...details.azure };
  return undefined;
}

