import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonOrText, withBody } from './http';

/**
 * Compute Engine v1 (REST, the only transport @google-cloud/compute uses) on 127.0.0.1, for spot jobs: instance
 * templates, regional managed instance groups and their operations, as documented
 * (https://cloud.google.com/compute/docs/reference/rest/v1):
 *  - instanceTemplates.insert / get / delete     POST|GET|DELETE /compute/v1/projects/{p}/global/instanceTemplates[/{name}]
 *  - regionInstanceGroupManagers.insert / get / delete / listManagedInstances (POST …/listManagedInstances) / listErrors
 *                                                /compute/v1/projects/{p}/regions/{r}/instanceGroupManagers[/{name}[/…]]
 *  - globalOperations / regionOperations get and wait   …/operations/{op}[/wait]
 *  - globalOperations.aggregatedList             GET /compute/v1/projects/{p}/aggregated/operations?filter=operationType="…"
 *  - instances.getSerialPortOutput               GET /compute/v1/projects/{p}/zones/{z}/instances/{name}/serialPort?port=1
 *  - Cloud Storage buckets.get                    GET /storage/v1/b/{bucket}   (the checkpoint bucket check)
 * Inserts and deletes answer an Operation (PENDING) at once and take effect when it is DONE, `operationPolls` polls
 * later, as Compute Engine does. Request bodies are checked against the documented constraints (names, Spot
 * scheduling, labels, boot disk, metadata sizes, a template in use cannot be deleted …) and refused with Compute
 * Engine's 400 / 404 / 409 error shapes. A group creates its VMs from its template: each starts CREATING and runs
 * `bootPolls` listManagedInstances calls later, unless `noCapacity` is set (then it stays CREATING with the
 * error in lastAttempt and in listErrors). `preempt()` plays a Spot preemption: a `compute.instances.preempted`
 * zone operation, and the group recreating the VM.
 */
export interface ComputeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body: unknown;
}

export interface FakeOperation {
  kind: 'compute#operation';
  id: string;
  name: string;
  operationType: string;
  targetLink: string;
  status: 'PENDING' | 'RUNNING' | 'DONE';
  progress: number;
  insertTime: string;
  startTime?: string;
  endTime?: string;
  selfLink: string;
  region?: string;
  zone?: string;
  error?: { errors: { code: string; message: string }[] };
}

export interface FakeManagedInstance {
  id: string;
  name: string;
  zone: string;
  machineType: string;
  currentAction: string;
  instanceStatus?: string;
  pollsToRun: number;
  lastAttempt?: { errors: { errors: { code: string; message: string }[] } };
}

export interface FakeGroup {
  project: string;
  region: string;
  resource: Record<string, unknown>;
  instances: FakeManagedInstance[];
  errors: { timestamp: string; error: { code: string; message: string }; instanceActionDetails: { action: string; instance: string } }[];
}

interface Canned { status: number; body: unknown; method?: string; path?: RegExp }

export interface GcpComputeFake {
  endpoint: string;
  requests: ComputeRequest[];
  templates: Map<string, Record<string, unknown>>;
  groups: Map<string, FakeGroup>;
  operations: Map<string, FakeOperation>;
  /** Buckets buckets.get knows (others are 404). */
  buckets: Set<string>;
  /** What each VM (by name) printed to its serial port 1. */
  serialOutput: Map<string, string>;
  /** Polls of an operation before it is DONE. */
  operationPolls: number;
  /** listManagedInstances calls before a new VM is RUNNING. */
  bootPolls: number;
  /** When set, the groups cannot create VMs: this error is in lastAttempt and listErrors. */
  noCapacity?: { code: string; message: string };
  /** The next matching request is answered with this status and body. */
  fail(status: number, body: unknown, match?: { method?: string; path?: RegExp }): void;
  /** The next matching insert's operation ends DONE with these errors (and creates nothing). */
  failOperation(path: RegExp, errors: { code: string; message: string }[]): void;
  /** A Spot preemption of a group's VM: the preempted zone operation, then the group recreates it. */
  preempt(instanceName: string): void;
  reset(): void;
  stop(): Promise<void>;
}

const NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const SCOPE_URL = /^https:\/\/www\.googleapis\.com\/auth\/[\w.-]+$/;
const GPU_FAMILIES = /^(a2|a3|a4|g2|g4)-/;
const BASE = 'https://www.googleapis.com/compute/v1';

function gceError(status: number, reason: string, message: string) {
  const statusName = { 400: 'INVALID_ARGUMENT', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS', 429: 'RESOURCE_EXHAUSTED' }[status] ?? 'UNKNOWN';
  return { error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: statusName } };
}

/** The problems of an instance template body, in Compute Engine's words; empty when valid. */
function templateProblems(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  const name = body.name;
  if (typeof name !== 'string' || !NAME.test(name)) out.push(`Invalid value for field 'resource.name': '${String(name)}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
  const p = body.properties as Record<string, unknown> | undefined;
  if (!p) return [...out, "Required field 'resource.properties' not specified"];
  const mt = p.machineType;
  if (typeof mt !== 'string' || !/^[a-z0-9]+-[a-z0-9-]+$/.test(mt)) out.push(`Invalid value for field 'resource.properties.machineType': '${String(mt)}'. Instance templates take a machine type name, not a URL.`);
  const s = (p.scheduling ?? {}) as Record<string, unknown>;
  if (s.provisioningModel !== undefined && !['STANDARD', 'SPOT', 'FLEX_START', 'RESERVATION_BOUND'].includes(String(s.provisioningModel))) out.push(`Invalid value for field 'resource.properties.scheduling.provisioningModel': '${String(s.provisioningModel)}'.`);
  if (s.provisioningModel === 'SPOT') {
    if (s.automaticRestart !== false) out.push("Invalid value for field 'resource.properties.scheduling.automaticRestart': 'true'. Spot VMs cannot be restarted automatically.");
    if (s.onHostMaintenance !== 'TERMINATE') out.push("Invalid value for field 'resource.properties.scheduling.onHostMaintenance': Spot VMs need TERMINATE.");
    if (s.instanceTerminationAction !== undefined && !['STOP', 'DELETE'].includes(String(s.instanceTerminationAction))) out.push(`Invalid value for field 'resource.properties.scheduling.instanceTerminationAction': '${String(s.instanceTerminationAction)}'.`);
  } else if (s.instanceTerminationAction !== undefined) {
    out.push("Invalid value for field 'resource.properties.scheduling.instanceTerminationAction': only Spot VMs have a termination action.");
  }
  if (typeof mt === 'string' && GPU_FAMILIES.test(mt) && s.onHostMaintenance !== 'TERMINATE') out.push(`Instances with guest accelerators do not support live migration (${mt}): set onHostMaintenance TERMINATE.`);
  const labels = (p.labels ?? {}) as Record<string, unknown>;
  if (Object.keys(labels).length > 64) out.push('Too many labels: at most 64.');
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) out.push(`Invalid value for field 'resource.properties.labels': '${k}'. Label keys start with a lowercase letter and hold lowercase letters, digits, '_' and '-'.`);
    if (typeof v !== 'string' || !LABEL_VALUE.test(v)) out.push(`Invalid value for field 'resource.properties.labels.${k}': '${String(v)}'.`);
  }
  const disks = (p.disks ?? []) as Record<string, unknown>[];
  const boot = disks.filter((d) => d.boot === true);
  if (boot.length !== 1) out.push('An instance template needs exactly one boot disk.');
  for (const d of boot) {
    const init = (d.initializeParams ?? {}) as Record<string, unknown>;
    if (typeof init.sourceImage !== 'string' || !/^(https:\/\/www\.googleapis\.com\/compute\/v1\/)?(projects\/[^/]+\/)?global\/images\/(family\/)?[a-z][-a-z0-9]*$/.test(init.sourceImage)) out.push(`Invalid value for field 'resource.properties.disks[0].initializeParams.sourceImage': '${String(init.sourceImage)}'.`);
    if (init.diskSizeGb !== undefined && !/^\d+$/.test(String(init.diskSizeGb))) out.push("Invalid value for field 'resource.properties.disks[0].initializeParams.diskSizeGb'.");
  }
  const nics = (p.networkInterfaces ?? []) as Record<string, unknown>[];
  if (nics.length === 0) out.push('An instance template needs a network interface.');
  const items = ((p.metadata as { items?: { key?: string; value?: string }[] } | undefined)?.items ?? []);
  const keys = new Set<string>();
  let total = 0;
  for (const it of items) {
    if (!it.key || !/^[a-zA-Z0-9_-]{1,128}$/.test(it.key)) out.push(`Invalid metadata key '${String(it.key)}'.`);
    if (it.key && keys.has(it.key)) out.push(`Duplicate metadata key '${it.key}'.`);
    if (it.key) keys.add(it.key);
    const size = Buffer.byteLength(it.value ?? '');
    if (size > 256 * 1024) out.push(`Metadata value of '${String(it.key)}' is over 256 KB.`);
    total += size + Buffer.byteLength(it.key ?? '');
  }
  if (total > 512 * 1024) out.push('Metadata is over 512 KB in total.');
  for (const sa of (p.serviceAccounts ?? []) as { email?: string; scopes?: string[] }[]) {
    if (!sa.email) out.push("Required field 'resource.properties.serviceAccounts[0].email' not specified");
    for (const sc of sa.scopes ?? []) if (!SCOPE_URL.test(sc)) out.push(`Invalid scope '${sc}'.`);
  }
  return out;
}

export async function startGcpComputeFake(options: { token?: string } = {}): Promise<GcpComputeFake> {
  const token = options.token ?? 'fake-token';
  const requests: ComputeRequest[] = [];
  const canned: Canned[] = [];
  const failingOps: { path: RegExp; errors: { code: string; message: string }[] }[] = [];
  /** What a DONE operation does (create or delete its target). */
  const effects = new Map<string, () => void>();
  const pollsLeft = new Map<string, number>();
  let seq = 0;
  let origin = '';

  const state = {
    templates: new Map<string, Record<string, unknown>>(),
    groups: new Map<string, FakeGroup>(),
    operations: new Map<string, FakeOperation>(),
    buckets: new Set<string>(),
    serialOutput: new Map<string, string>(),
    operationPolls: 2,
    bootPolls: 1,
    noCapacity: undefined as { code: string; message: string } | undefined,
  };

  const newId = () => String(1000000000000000000n + BigInt(++seq) * 7919n);
  const now = () => new Date().toISOString();

  function operation(project: string, scope: { region?: string; zone?: string }, type: string, targetLink: string, path: string, effect: () => void): FakeOperation {
    const name = `operation-${Date.now()}-${randomBytes(6).toString('hex')}`;
    const where = scope.region ? `regions/${scope.region}` : scope.zone ? `zones/${scope.zone}` : 'global';
    const op: FakeOperation = {
      kind: 'compute#operation', id: newId(), name, operationType: type, targetLink, status: 'PENDING', progress: 0, insertTime: now(),
      selfLink: `${BASE}/projects/${project}/${where}/operations/${name}`,
      ...(scope.region ? { region: `${BASE}/projects/${project}/regions/${scope.region}` } : {}),
      ...(scope.zone ? { zone: `${BASE}/projects/${project}/zones/${scope.zone}` } : {}),
    };
    const f = failingOps.findIndex((x) => x.path.test(path));
    if (f >= 0) {
      const [x] = failingOps.splice(f, 1);
      effects.set(name, () => { op.error = { errors: x!.errors }; });
    } else {
      effects.set(name, effect);
    }
    pollsLeft.set(name, state.operationPolls);
    state.operations.set(name, op);
    return op;
  }

  function advance(op: FakeOperation): void {
    if (op.status === 'DONE') return;
    const left = (pollsLeft.get(op.name) ?? 0) - 1;
    pollsLeft.set(op.name, left);
    if (left > 0) {
      op.status = 'RUNNING';
      op.startTime ??= now();
      op.progress = 50;
      return;
    }
    op.status = 'DONE';
    op.progress = 100;
    op.startTime ??= now();
    op.endTime = now();
    effects.get(op.name)?.();
  }

  function createInstance(group: FakeGroup, index: number): FakeManagedInstance {
    const dp = group.resource.distributionPolicy as { zones?: { zone: string }[] } | undefined;
    const zones = dp?.zones?.map((z) => z.zone.split('/').pop()!) ?? [`${group.region}-a`];
    const zone = zones[index % zones.length]!;
    const flex = group.resource.instanceFlexibilityPolicy as { instanceSelections?: Record<string, { machineTypes: string[]; rank?: number }> } | undefined;
    const selections = Object.values(flex?.instanceSelections ?? {}).sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
    const templateName = String(group.resource.instanceTemplate).split('/').pop()!;
    const template = state.templates.get(templateName);
    const machineType = selections[0]?.machineTypes[0] ?? String((template?.properties as { machineType?: string } | undefined)?.machineType ?? '');
    const name = `${String(group.resource.baseInstanceName)}-${randomBytes(2).toString('hex')}`;
    const mi: FakeManagedInstance = { id: newId(), name, zone, machineType, currentAction: 'CREATING', pollsToRun: state.bootPolls };
    return mi;
  }

  function instanceUrl(group: FakeGroup, mi: FakeManagedInstance): string {
    return `${BASE}/projects/${group.project}/zones/${mi.zone}/instances/${mi.name}`;
  }

  /** One step of every group's VMs (called on each listManagedInstances). */
  function step(group: FakeGroup): void {
    for (const mi of group.instances) {
      if (mi.currentAction === 'NONE') continue;
      if (state.noCapacity) {
        mi.lastAttempt = { errors: { errors: [state.noCapacity] } };
        if (!group.errors.some((e) => e.instanceActionDetails.instance === instanceUrl(group, mi))) {
          group.errors.push({ timestamp: now(), error: state.noCapacity, instanceActionDetails: { action: mi.currentAction, instance: instanceUrl(group, mi) } });
        }
        continue;
      }
      if (--mi.pollsToRun <= 0) {
        mi.currentAction = 'NONE';
        mi.instanceStatus = 'RUNNING';
        delete mi.lastAttempt;
      } else {
        mi.instanceStatus = mi.currentAction === 'RECREATING' ? 'STOPPING' : 'PROVISIONING';
      }
    }
  }

  const server: Server = createServer((req, res) => {
    withBody(req, (raw) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = decodeURIComponent(url.pathname);
      const body = jsonOrText(raw);
      requests.push({ method: req.method ?? '', path, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, body });
      const send = (status: number, obj: unknown) => { res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }); res.end(JSON.stringify(obj)); };
      const c = canned.findIndex((x) => (!x.method || x.method === req.method) && (!x.path || x.path.test(path)));
      if (c >= 0) {
        const [x] = canned.splice(c, 1);
        return send(x!.status, x!.body);
      }
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: { code: 401, message: 'Request is missing required authentication credential.', errors: [{ reason: 'required', domain: 'global', message: 'Login Required.' }], status: 'UNAUTHENTICATED' } });
      let m: RegExpExecArray | null;

      // ---- Cloud Storage: buckets.get ----
      if ((m = /^\/storage\/v1\/b\/([^/]+)$/.exec(path)) && req.method === 'GET') {
        if (!state.buckets.has(m[1]!)) return send(404, gceError(404, 'notFound', 'The specified bucket does not exist.'));
        return send(200, { kind: 'storage#bucket', id: m[1], name: m[1], location: 'US-CENTRAL1', storageClass: 'STANDARD' });
      }

      // ---- instance templates (global) ----
      if ((m = /^\/compute\/v1\/projects\/([^/]+)\/global\/instanceTemplates$/.exec(path)) && req.method === 'POST') {
        const project = m[1]!;
        const t = (body ?? {}) as Record<string, unknown>;
        const problems = templateProblems(t);
        if (problems.length) return send(400, gceError(400, 'invalid', problems.join(' ')));
        const name = String(t.name);
        if (state.templates.has(name)) return send(409, gceError(409, 'alreadyExists', `The resource 'projects/${project}/global/instanceTemplates/${name}' already exists`));
        const selfLink = `${BASE}/projects/${project}/global/instanceTemplates/${name}`;
        return send(200, operation(project, {}, 'insert', selfLink, path, () => {
          state.templates.set(name, { ...t, kind: 'compute#instanceTemplate', id: newId(), selfLink, creationTimestamp: now() });
        }));
      }
      if ((m = /^\/compute\/v1\/projects\/([^/]+)\/global\/instanceTemplates\/([^/]+)$/.exec(path))) {
        const [, project, name] = m as unknown as [string, string, string];
        const t = state.templates.get(name);
        const notFound = () => send(404, gceError(404, 'notFound', `The resource 'projects/${project}/global/instanceTemplates/${name}' was not found`));
        if (req.method === 'GET') return t ? send(200, t) : notFound();
        if (req.method === 'DELETE') {
          if (!t) return notFound();
          const user = [...state.groups.values()].find((g) => String(g.resource.instanceTemplate).endsWith(`/instanceTemplates/${name}`));
          if (user) return send(400, gceError(400, 'resourceInUseByAnotherResource', `The instance_template resource 'projects/${project}/global/instanceTemplates/${name}' is already being used by 'projects/${project}/regions/${user.region}/instanceGroupManagers/${String(user.resource.name)}'`));
          return send(200, operation(project, {}, 'delete', String(t.selfLink), path, () => { state.templates.delete(name); }));
        }
      }

      // ---- regional managed instance groups ----
      if ((m = /^\/compute\/v1\/projects\/([^/]+)\/regions\/([^/]+)\/instanceGroupManagers$/.exec(path)) && req.method === 'POST') {
        const [, project, region] = m as unknown as [string, string, string];
        const g = (body ?? {}) as Record<string, unknown>;
        const problems: string[] = [];
        if (typeof g.name !== 'string' || !NAME.test(g.name)) problems.push(`Invalid value for field 'resource.name': '${String(g.name)}'.`);
        if (typeof g.baseInstanceName !== 'string' || !/^[a-z](?:[-a-z0-9]{0,57})?$/.test(g.baseInstanceName)) problems.push(`Invalid value for field 'resource.baseInstanceName': '${String(g.baseInstanceName)}'.`);
        if (typeof g.targetSize !== 'number' || !Number.isInteger(g.targetSize) || g.targetSize < 0) problems.push(`Invalid value for field 'resource.targetSize': '${String(g.targetSize)}'.`);
        const dp = g.distributionPolicy as { zones?: { zone?: string }[]; targetShape?: string } | undefined;
        for (const z of dp?.zones ?? []) {
          const zone = String(z.zone ?? '').split('/').pop()!;
          if (!/^(https:\/\/www\.googleapis\.com\/compute\/v1\/)?(projects\/[^/]+\/)?zones\/[a-z0-9-]+$/.test(String(z.zone)) || !zone.startsWith(`${region}-`)) problems.push(`Invalid value for field 'resource.distributionPolicy.zones[].zone': '${String(z.zone)}'. The zone must be in region ${region}.`);
        }
        if (dp?.targetShape !== undefined && !['EVEN', 'BALANCED', 'ANY', 'ANY_SINGLE_ZONE'].includes(dp.targetShape)) problems.push(`Invalid value for field 'resource.distributionPolicy.targetShape': '${dp.targetShape}'.`);
        const flex = g.instanceFlexibilityPolicy as { instanceSelections?: Record<string, { machineTypes?: string[]; rank?: number }> } | undefined;
        for (const [k, sel] of Object.entries(flex?.instanceSelections ?? {})) {
          if (!sel.machineTypes?.length || sel.machineTypes.some((t) => !/^[a-z0-9]+-[a-z0-9-]+$/.test(t))) problems.push(`Invalid value for field 'resource.instanceFlexibilityPolicy.instanceSelections[${k}].machineTypes'.`);
        }
        if (problems.length) return send(400, gceError(400, 'invalid', problems.join(' ')));
        const tm = /^(?:https:\/\/www\.googleapis\.com\/compute\/v1\/)?(?:projects\/([^/]+)\/)?global\/instanceTemplates\/([^/]+)$/.exec(String(g.instanceTemplate ?? ''));
        if (!tm || !state.templates.has(tm[2]!) || (tm[1] && tm[1] !== project)) return send(404, gceError(404, 'notFound', `The resource '${String(g.instanceTemplate)}' was not found`));
        const key = `${project}/${region}/${String(g.name)}`;
        if (state.groups.has(key)) return send(409, gceError(409, 'alreadyExists', `The resource 'projects/${project}/regions/${region}/instanceGroupManagers/${String(g.name)}' already exists`));
        const selfLink = `${BASE}/projects/${project}/regions/${region}/instanceGroupManagers/${String(g.name)}`;
        return send(200, operation(project, { region }, 'compute.regionInstanceGroupManagers.insert', selfLink, path, () => {
          const group: FakeGroup = { project, region, resource: { ...g, kind: 'compute#instanceGroupManager', id: newId(), selfLink, region: `${BASE}/projects/${project}/regions/${region}`, creationTimestamp: now() }, instances: [], errors: [] };
          for (let i = 0; i < Number(g.targetSize); i++) group.instances.push(createInstance(group, i));
          state.groups.set(key, group);
        }));
      }
      if ((m = /^\/compute\/v1\/projects\/([^/]+)\/regions\/([^/]+)\/instanceGroupManagers\/([^/]+)(?:\/(listManagedInstances|listErrors))?$/.exec(path))) {
        const [, project, region, name, sub] = m as unknown as [string, string, string, string, string | undefined];
        const group = state.groups.get(`${project}/${region}/${name}`);
        if (!group) return send(404, gceError(404, 'notFound', `The resource 'projects/${project}/regions/${region}/instanceGroupManagers/${name}' was not found`));
        if (!sub && req.method === 'GET') {
          const acting = (a: string) => group.instances.filter((i) => i.currentAction === a).length;
          return send(200, { ...group.resource, targetSize: group.instances.length, currentActions: { none: acting('NONE'), creating: acting('CREATING'), recreating: acting('RECREATING'), deleting: 0 }, status: { isStable: group.instances.every((i) => i.currentAction === 'NONE') } });
        }
        if (!sub && req.method === 'DELETE') {
          return send(200, operation(project, { region }, 'compute.regionInstanceGroupManagers.delete', String(group.resource.selfLink), path, () => { state.groups.delete(`${project}/${region}/${name}`); }));
        }
        if (sub === 'listManagedInstances' && req.method === 'POST') {
          step(group);
          const max = Number(url.searchParams.get('maxResults') ?? '500') || 500;
          const offset = Number(url.searchParams.get('pageToken') ?? '0');
          const slice = group.instances.slice(offset, offset + max);
          return send(200, {
            managedInstances: slice.map((mi) => ({
              id: mi.id, name: mi.name, instance: instanceUrl(group, mi), currentAction: mi.currentAction,
              ...(mi.instanceStatus ? { instanceStatus: mi.instanceStatus } : {}),
              ...(mi.lastAttempt ? { lastAttempt: mi.lastAttempt } : {}),
              ...(group.resource.instanceFlexibilityPolicy ? { propertiesFromFlexibilityPolicy: { machineType: mi.machineType } } : {}),
              version: { instanceTemplate: group.resource.instanceTemplate },
            })),
            ...(offset + slice.length < group.instances.length ? { nextPageToken: String(offset + slice.length) } : {}),
          });
        }
        if (sub === 'listErrors' && req.method === 'GET') {
          return send(200, { items: [...group.errors].reverse() });
        }
      }

      // ---- instances.getSerialPortOutput ----
      if ((m = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/instances\/([^/]+)\/serialPort$/.exec(path)) && req.method === 'GET') {
        const [, project, zone, name] = m as unknown as [string, string, string, string];
        const group = [...state.groups.values()].find((g) => g.project === project && g.instances.some((i) => i.name === name && i.zone === zone));
        if (!group) return send(404, gceError(404, 'notFound', `The resource 'projects/${project}/zones/${zone}/instances/${name}' was not found`));
        const port = Number(url.searchParams.get('port') ?? '1');
        if (port < 1 || port > 4) return send(400, gceError(400, 'invalid', `Invalid value for field 'port': '${port}'. Must be between 1 and 4.`));
        const contents = state.serialOutput.get(name) ?? '';
        return send(200, { kind: 'compute#serialPortOutput', contents, start: '0', next: String(Buffer.byteLength(contents)), selfLink: `${BASE}/projects/${project}/zones/${zone}/instances/${name}/serialPort` });
      }

      // ---- operations ----
      if ((m = /^\/compute\/v1\/projects\/([^/]+)\/(global|regions\/[^/]+|zones\/[^/]+)\/operations\/([^/]+?)(\/wait)?$/.exec(path))) {
        const op = state.operations.get(m[3]!);
        if (!op || !op.selfLink.endsWith(`/${m[2]}/operations/${m[3]}`)) return send(404, gceError(404, 'notFound', `The resource 'projects/${m[1]}/${m[2]}/operations/${m[3]}' was not found`));
        if ((m[4] && req.method === 'POST') || (!m[4] && req.method === 'GET')) {
          advance(op);
          return send(200, op);
        }
      }
      if ((m = /^\/compute\/v1\/projects\/([^/]+)\/aggregated\/operations$/.exec(path)) && req.method === 'GET') {
        const filter = url.searchParams.get('filter') ?? '';
        const f = /^operationType\s*=\s*"?([\w.]+)"?$/.exec(filter.trim());
        if (filter && !f) return send(400, gceError(400, 'invalid', `Invalid value for field 'filter': '${filter}'.`));
        const items: Record<string, { operations: FakeOperation[] }> = {};
        for (const op of state.operations.values()) {
          if (f && op.operationType !== f[1]) continue;
          const scope = op.zone ? `zones/${op.zone.split('/').pop()}` : op.region ? `regions/${op.region.split('/').pop()}` : 'global';
          (items[scope] ??= { operations: [] }).operations.push(op);
        }
        return send(200, { kind: 'compute#operationAggregatedList', id: `projects/${m[1]}/aggregated/operations`, items });
      }
      send(404, gceError(404, 'notFound', `fake: no route for ${req.method} ${path}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    endpoint: origin,
    requests,
    fail: (status: number, b: unknown, match: { method?: string; path?: RegExp } = {}) => { canned.push({ status, body: b, ...match }); },
    failOperation: (path: RegExp, errors: { code: string; message: string }[]) => { failingOps.push({ path, errors }); },
    preempt: (instanceName: string) => {
      for (const group of state.groups.values()) {
        const mi = group.instances.find((i) => i.name === instanceName);
        if (!mi) continue;
        const link = instanceUrl(group, mi);
        const op = operation(group.project, { zone: mi.zone }, 'compute.instances.preempted', link, '', () => undefined);
        op.status = 'DONE';
        op.progress = 100;
        op.endTime = now();
        mi.currentAction = 'RECREATING';
        mi.instanceStatus = 'STOPPING';
        mi.pollsToRun = state.bootPolls + 1;
        return;
      }
      throw new Error(`fake: no managed instance ${instanceName}`);
    },
    reset: () => {
      requests.length = 0; canned.length = 0; failingOps.length = 0; effects.clear(); pollsLeft.clear();
      state.templates.clear(); state.groups.clear(); state.operations.clear(); state.buckets.clear(); state.serialOutput.clear();
      state.operationPolls = 2; state.bootPolls = 1; state.noCapacity = undefined;
    },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
}

export { gceError };
