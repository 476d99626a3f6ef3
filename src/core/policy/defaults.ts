import type { TagPolicy } from './model';

/** The e-mail pattern of the default `Owner` rule. */
const emailPattern = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';

/** Values a tag may hold that mean "not filled in yet"; quick fixes write `TODO` (`todo` on GCP) when the policy has no example. */
export const defaultPlaceholders: readonly string[] = ['TODO', 'TBD', 'CHANGEME', ''];

/**
 * The policy FinOps teams start from, used when the workspace has no `.finops.yaml`:
 * five required keys, three optional ones, `Environment` from a fixed list and `Owner` an e-mail address.
 * GCP label values cannot hold "@" or ".", so the e-mail rule applies to AWS and Azure only.
 */
export function defaultPolicy(): TagPolicy {
  return {
    source: { kind: 'default' },
    required: ['Environment', 'Team', 'Project', 'CostCenter', 'Owner'],
    optional: ['Experiment', 'Model', 'Stage'],
    rules: {
      Environment: { allowed: ['dev', 'staging', 'production'] },
      Owner: { pattern: emailPattern, providers: ['aws', 'azure'], example: 'owner@example.com' },
    },
    exclude: [],
    include: [],
    excludeResources: [],
    excludePaths: [],
    severity: 'warning',
    severities: { 'cannot-verify': 'info', 'syntax-error': 'error', 'invalid-policy': 'error', 'file-skipped': 'info' },
    gcpLabelKeys: {},
    placeholders: [...defaultPlaceholders],
  };
}
