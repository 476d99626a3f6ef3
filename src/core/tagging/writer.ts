import type { Cloud } from '../policy/model';
import type { Resource } from '../sources';
import type { TagOutcome } from './plan';

/** Tags to add (or overwrite) on one resource; keys not named are kept. */
export interface TagWrite {
  id: string;
  tags: Readonly<Record<string, string>>;
}

/**
 * Writes tags on running resources of one cloud (src/providers/<cloud>/tagging.ts). Every resource gets an outcome: a
 * failure of one (denied, gone, throttled past the retries) never hides what happened to the others. A failure that
 * stops everything (signed out) is thrown as a FinOpsError.
 */
export interface TagWriter {
  readonly cloud: Cloud;
  /** "AWS Resource Groups Tagging API (profile "ml")", for messages. */
  readonly label: string;
  write(items: readonly TagWrite[], signal?: AbortSignal): Promise<TagOutcome[]>;
  /** The resources' current tags, for clouds whose inventory is not read here (ids it cannot find are left out). */
  read?(ids: readonly string[], signal?: AbortSignal): Promise<Resource[]>;
}
