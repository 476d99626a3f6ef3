import { z } from 'zod';

/**
 * What a Terraform state file (format version 4, the local backend's `terraform.tfstate` or the output of
 * `terraform state pull`) says was deployed for each resource address: the cloud's id of each instance. This is
 * how a declaration in code is tied to the running machine whose metrics size it.
 */

const stateSchema = z.object({
  version: z.number(),
  resources: z.array(z.object({
    mode: z.string(),
    type: z.string(),
    name: z.string(),
    module: z.string().optional(),
    instances: z.array(z.object({
      index_key: z.union([z.string(), z.number()]).optional(),
      attributes: z.record(z.string(), z.unknown()).optional(),
    })).default([]),
  })).default([]),
});

export interface DeployedInstance {
  /** `aws_instance.trainer`, `module.gpu.aws_instance.this`. */
  address: string;
  /** The cloud id: `i-0abc…`, a GCP self link / id, an Azure resource id. */
  id: string;
  /** The type / size the state records (what was last applied). */
  size?: string;
}

/**
 * Managed resources of a state with exactly one instance (a `count` / `for_each` resource has several machines,
 * which one declaration cannot be tied to). Throws an Error naming the problem when the text is not a v4 state.
 */
export function parseTerraformState(text: string): Map<string, DeployedInstance> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`);
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) throw new Error('not a Terraform state (expected {"version": 4, "resources": […]})');
  if (parsed.data.version !== 4) throw new Error(`state format version ${parsed.data.version} is not read (only version 4, Terraform 0.12 and later)`);
  const out = new Map<string, DeployedInstance>();
  for (const r of parsed.data.resources) {
    if (r.mode !== 'managed' || r.instances.length !== 1) continue;
    const attrs = r.instances[0]?.attributes ?? {};
    if (r.instances[0]?.index_key !== undefined) continue;
    const id = attrs.id;
    if (typeof id !== 'string' || !id) continue;
    const address = `${r.module ? `${r.module}.` : ''}${r.type}.${r.name}`;
    const size = [attrs.instance_type, attrs.machine_type, attrs.size, attrs.vm_size].find((v): v is string => typeof v === 'string' && v !== '');
    out.set(address, { address, id, ...(size ? { size } : {}) });
  }
  return out;
}

/** Cloud id or ARN → the address of the Terraform resource instance that created it, and the state file it is in. */
export type TerraformStateIndex = ReadonlyMap<string, { address: string; file: string }>;

/**
 * Adds every managed resource instance of a state (count and for_each ones too) to an index by its cloud ids —
 * `id`, `arn` and `self_link` — each to its address (`module.train.aws_instance.gpu[0]`), so a running resource can be
 * traced to its declaration. A text that is not a version 4 state adds nothing.
 */
export function indexStateIds(text: string, file: string, into = new Map<string, { address: string; file: string }>()): Map<string, { address: string; file: string }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return into;
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success || parsed.data.version !== 4) return into;
  for (const r of parsed.data.resources) {
    if (r.mode !== 'managed') continue;
    const base = `${r.module ? `${r.module}.` : ''}${r.type}.${r.name}`;
    for (const inst of r.instances) {
      const key = inst.index_key;
      const address = key === undefined ? base : `${base}[${typeof key === 'number' ? key : JSON.stringify(key)}]`;
      for (const field of ['id', 'arn', 'self_link']) {
        const v = inst.attributes?.[field];
        if (typeof v === 'string' && v) into.set(v, { address, file });
      }
    }
  }
  return into;
}
