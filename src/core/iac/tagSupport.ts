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

export interface Taggable {
  cloud: Cloud;
  /** The attribute that holds the tags. */
  attribute: 'tags' | 'labels' | 'resource_labels';
}

/** Google types whose user labels live under another attribute name. */
const googleLabelAttribute: Record<string, Taggable['attribute']> = {
  google_container_cluster: 'resource_labels',
};

export function terraformTaggable(type: string): Taggable | undefined {
  // autoscaling groups take `tag {}` blocks (and the legacy `tags` list of provider < 5), not a tags map
  if (aws.has(type) || type === 'aws_autoscaling_group') return { cloud: 'aws', attribute: 'tags' };
  if (google.has(type)) return { cloud: 'gcp', attribute: googleLabelAttribute[type] ?? 'labels' };
  if (azurerm.has(type)) return { cloud: 'azure', attribute: 'tags' };
  return undefined;
}

export const taggableTypeCounts = { aws: aws.size, google: google.size, azurerm: azurerm.size };
