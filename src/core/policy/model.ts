import type { Budget, ShowbackSettings } from '../budgets/schema';

/** The team tag policy, normalised from `.finops.yaml`, an AWS Organizations tag policy, or the defaults. */

export type Severity = 'error' | 'warning' | 'info';
export type Cloud = 'aws' | 'gcp' | 'azure';

export const findingCodes = [
  'missing-tag',
  'invalid-tag-value',
  'placeholder-tag-value',
  'invalid-label-key',
  'invalid-label-value',
  'asg-tag-conflict',
  'cannot-verify',
  'syntax-error',
  'file-skipped',
  'invalid-policy',
] as const;
export type FindingCode = (typeof findingCodes)[number];

export interface TagRule {
  /** Allowed values (exact, or with one `*` wildcard as in AWS tag policies). */
  allowed?: string[];
  /** A regular expression the value must match. */
  pattern?: string;
  /** Compare allowed values ignoring case. */
  ignoreCase?: boolean;
  /** Clouds the rule applies to (all when absent). */
  providers?: Cloud[];
  /** A placeholder value for quick fixes. */
  example?: string;
  /** Why the rule exists, appended to findings. */
  description?: string;
  /** Overrides the policy severity for findings about this key. */
  severity?: Severity;
}

export interface TagPolicy {
  /** Where the policy came from, for messages ("default policy", ".finops.yaml"). */
  source: { kind: 'default' | 'yaml' | 'awsOrganizations'; file?: string };
  required: string[];
  optional: string[];
  rules: Record<string, TagRule>;
  /** Resource types not checked (exact or glob with `*`). */
  exclude: string[];
  /** When non-empty, only these resource types are checked (exact or glob). */
  include: string[];
  /** Resource addresses not checked (`aws_instance.legacy`, `module.*`, `MyStack::Bucket`). */
  excludeResources: string[];
  /** File globs (relative to the workspace folder) never checked. */
  excludePaths: string[];
  severity: Severity;
  /** Severity per finding code, overriding `severity`. */
  severities: Partial<Record<FindingCode, Severity>>;
  /** Policy key → accepted GCP label keys, in order of preference (first one is used by quick fixes). */
  gcpLabelKeys: Record<string, string[]>;
  /** Tag keys that group resources in the Resources view, outermost first (absent: the user setting). */
  hierarchy?: string[];
  /**
   * Values that stand for "not filled in yet" (`TODO`, `TBD`, `CHANGEME`, empty): a tag holding one is still a finding,
   * so a quick fix's placeholder never satisfies the policy. Compared ignoring case and surrounding blanks; `*` is a
   * wildcard.
   */
  placeholders: string[];
  /** Show the informational "cannot verify" hint. Absent: the user setting decides. */
  reportUnknown?: boolean;
}

export interface PolicyProblem {
  message: string;
  severity: Severity;
  /** The top-level key of the policy the problem is about ("tags", "hierarchy"), when it is about one. */
  section?: string;
  /** 1-based line and column of the offending text, when it came from a file. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface LoadedPolicy {
  policy: TagPolicy;
  problems: PolicyProblem[];
  /** The valid budgets of the `budgets:` section (absent or empty: none). */
  budgets?: Budget[];
  /** The `showback:` section, defaults filled in (absent: the defaults). */
  showback?: ShowbackSettings;
}

/**
 * A policy map's own entry for a key written by a user (never an `Object.prototype` member such as
 * `constructor`, whatever prototype the map has).
 */
export function own<T>(record: Readonly<Partial<Record<string, T>>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
