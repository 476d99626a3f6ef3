import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { jsonOrText, withBody } from './http';
import { makeSelfSignedCert } from './selfSignedCert';

/**
 * Azure Resource Manager's Microsoft.Compute scale sets on 127.0.0.1 over HTTPS (a throw-away certificate: the Azure
 * SDK sends bearer tokens over TLS only), as documented
 * (https://learn.microsoft.com/rest/api/compute/virtual-machine-scale-sets):
 *  - Virtual Machine Scale Sets - Create Or Update   PUT    /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}?api-version=
 *  - Get / Delete                                     GET | DELETE (same path)
 *  - Virtual Machine Scale Set VMs - List             GET    …/virtualMachineScaleSets/{name}/virtualMachines?$expand=instanceView
 *  - the long-running operations' status              GET    /subscriptions/{s}/providers/Microsoft.Compute/locations/{loc}/operations/{id}
 *  - Blob service Get Container Properties            HEAD   /{account}/{container}?restype=container   (path-style, as Azurite)
 *  - Virtual Machine Scale Set VMs - Retrieve Boot Diagnostics Data   POST …/virtualMachines/{instanceId}/retrieveBootDiagnosticsData
 *    (409 unless boot diagnostics are on), and the signed serial log link it answers
 * PUT answers 201 with an Azure-AsyncOperation header (provisioningState Creating) and DELETE 202 with
 * Azure-AsyncOperation and Location; the operation is InProgress for `operationPolls` polls, then Succeeded (the
 * change takes effect) or Failed with its error. The request body is checked against the documented constraints
 * (Spot needs an eviction policy, maxPrice is -1 or above 0 with at most five decimals, Linux needs an SSH key at
 * /home/<user>/.ssh/authorized_keys or a password, customData is base64 under 64 KB, tags limits, a subnet on every
 * NIC …) and refused as ARM does (400 InvalidParameter / 404 ResourceGroupNotFound). The scale set's VMs start
 * Creating and succeed `bootPolls` lists later; `noCapacity` makes the create operation fail as Azure does when it
 * has no Spot capacity; `evict()` takes a Spot VM back (evictionPolicy Delete: it is gone) and, with Try & Restore
 * on, the scale set creates a new VM (the next instance id) two lists later.
 */
export interface ArmRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body: unknown;
}

export interface FakeScaleSetVm {
  instanceId: string;
  name: string;
  zone?: string;
  provisioningState: string;
  polls: number;
}

export interface FakeScaleSet {
  subscription: string;
  resourceGroup: string;
  name: string;
  body: Record<string, unknown>;
  provisioningState: string;
  vms: FakeScaleSetVm[];
  nextInstance: number;
  /** Evicted VMs waiting to be restored (Try & Restore), each with the VM lists left before it is. */
  restores: number[];
}

interface Canned { status: number; body: unknown; method?: string; path?: RegExp; headers?: Record<string, string> }

export interface AzureComputeFake {
  endpoint: string;
  ca: string;
  requests: ArmRequest[];
  /** Resource groups that exist, as "subscription/resourceGroup" (lowercase). */
  resourceGroups: Set<string>;
  /** Blob containers that exist, as "account/container", served path-style at /{account}/{container}?restype=container. */
  containers: Set<string>;
  /** What each VM (by name) wrote to its serial console, served by the boot diagnostics link. */
  serialOutput: Map<string, string>;
  scaleSets: Map<string, FakeScaleSet>;
  operationPolls: number;
  bootPolls: number;
  /** When set, creating a scale set fails with this error (in the long-running operation). */
  noCapacity?: { code: string; message: string };
  fail(status: number, body: unknown, match?: { method?: string; path?: RegExp; headers?: Record<string, string> }): void;
  evict(vmName: string): void;
  reset(): void;
  stop(): Promise<void>;
}

const RESERVED_USERS = new Set(['administrator', 'admin', 'user', 'user1', 'test', 'user2', 'test1', 'user3', 'admin1', '1', '123', 'a', 'actuser', 'adm', 'admin2', 'aspnet', 'backup', 'console', 'david', 'guest', 'john', 'owner', 'root', 'server', 'sql', 'support', 'support_388945a0', 'sys', 'test2', 'test3', 'user4', 'user5']);

function armError(status: number, code: string, message: string) {
  return { status, body: { error: { code, message } } };
}

/** The problems of a scale set body, in ARM's words; empty when valid. */
function scaleSetProblems(b: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof b.location !== 'string' || !b.location) out.push("The 'location' property is required.");
  const sku = (b.sku ?? {}) as { name?: string; capacity?: number };
  if (!sku.name || !/^Standard_[A-Za-z0-9_]+$/.test(sku.name)) out.push(`The value '${String(sku.name)}' of parameter 'sku.name' is not valid.`);
  if (typeof sku.capacity !== 'number' || !Number.isInteger(sku.capacity) || sku.capacity < 0 || sku.capacity > 1000) out.push(`The value '${String(sku.capacity)}' of parameter 'sku.capacity' is not valid.`);
  const tags = (b.tags ?? {}) as Record<string, unknown>;
  if (Object.keys(tags).length > 50) out.push('Resources can have at most 50 tags.');
  for (const [k, v] of Object.entries(tags)) {
    if (k.length > 512 || /[<>%&\\?/]/.test(k)) out.push(`The tag name '${k}' has invalid characters or is longer than 512 characters.`);
    if (typeof v !== 'string' || v.length > 256) out.push(`The value of tag '${k}' is not a string of at most 256 characters.`);
  }
  const p = (b.properties ?? {}) as Record<string, unknown>;
  if (p.orchestrationMode !== undefined && !['Uniform', 'Flexible'].includes(String(p.orchestrationMode))) out.push(`The value '${String(p.orchestrationMode)}' of parameter 'orchestrationMode' is not valid.`);
  const vm = (p.virtualMachineProfile ?? {}) as Record<string, unknown>;
  const priority = vm.priority ?? 'Regular';
  if (!['Regular', 'Low', 'Spot'].includes(String(priority))) out.push(`The value '${String(priority)}' of parameter 'priority' is not valid.`);
  if (priority === 'Spot' || priority === 'Low') {
    if (!['Deallocate', 'Delete'].includes(String(vm.evictionPolicy))) out.push("Eviction policy must be specified for Spot virtual machines: 'Deallocate' or 'Delete'.");
    const max = (vm.billingProfile as { maxPrice?: number } | undefined)?.maxPrice;
    if (max !== undefined && !(max === -1 || (typeof max === 'number' && max > 0 && Math.abs(max * 1e5 - Math.round(max * 1e5)) < 1e-6))) out.push(`The value '${String(max)}' of parameter 'billingProfile.maxPrice' is not valid: -1, or a price above 0 with at most five decimals.`);
  } else if (vm.evictionPolicy !== undefined || vm.billingProfile !== undefined) {
    out.push('Eviction policy and billing profile can be set only for Spot virtual machines.');
  }
  const os = (vm.osProfile ?? {}) as Record<string, unknown>;
  if (typeof os.computerNamePrefix !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9-]{0,57}$/.test(os.computerNamePrefix)) out.push(`The value '${String(os.computerNamePrefix)}' of parameter 'osProfile.computerNamePrefix' is not valid (1-58 letters, digits and '-').`);
  const user = String(os.adminUsername ?? '');
  if (!/^[a-z_][a-z0-9_-]{0,31}$/i.test(user) || RESERVED_USERS.has(user.toLowerCase())) out.push(`The admin user name '${user}' is not allowed.`);
  if (os.customData !== undefined) {
    const cd = String(os.customData);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(cd) || cd.length % 4 !== 0) out.push("The value of parameter 'osProfile.customData' is not valid base64.");
    else if (Buffer.from(cd, 'base64').length > 65535) out.push("Custom data in 'osProfile.customData' is over 64 KB.");
  }
  const linux = os.linuxConfiguration as { disablePasswordAuthentication?: boolean; ssh?: { publicKeys?: { path?: string; keyData?: string }[] } } | undefined;
  const keys = linux?.ssh?.publicKeys ?? [];
  if (linux?.disablePasswordAuthentication && keys.length === 0) out.push('Authentication using either SSH or by user name and password must be enabled in Linux profile.');
  for (const k of keys) {
    if (k.path !== `/home/${user}/.ssh/authorized_keys`) out.push(`The SSH public key path must be /home/${user}/.ssh/authorized_keys (got ${String(k.path)}).`);
    if (!/^(ssh-rsa|ssh-ed25519) [A-Za-z0-9+/]+=*( .*)?$/.test(String(k.keyData ?? ''))) out.push('The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.');
  }
  if (!linux && !os.adminPassword) out.push('Required parameter \'adminPassword\' is missing (null).');
  const storage = (vm.storageProfile ?? {}) as { imageReference?: Record<string, unknown>; osDisk?: Record<string, unknown> };
  const img = storage.imageReference ?? {};
  if (!img.id && !(img.publisher && img.offer && img.sku)) out.push("The image reference needs an 'id' or publisher, offer and sku.");
  if (storage.osDisk && storage.osDisk.createOption !== 'FromImage') out.push("The value of parameter 'osDisk.createOption' must be FromImage for a scale set.");
  const nics = ((vm.networkProfile as { networkInterfaceConfigurations?: { name?: string; properties?: { primary?: boolean; ipConfigurations?: { name?: string; properties?: { subnet?: { id?: string } } }[] } }[] } | undefined)?.networkInterfaceConfigurations) ?? [];
  if (p.orchestrationMode !== 'Flexible' && nics.length === 0) out.push('A scale set needs a network interface configuration.');
  for (const n of nics) {
    if (!n.name) out.push("The network interface configuration needs a 'name'.");
    for (const ip of n.properties?.ipConfigurations ?? []) {
      if (!/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i.test(String(ip.properties?.subnet?.id ?? ''))) out.push(`Subnet '${String(ip.properties?.subnet?.id)}' is not a subnet resource id.`);
    }
  }
  return out;
}

export async function startAzureComputeFake(): Promise<AzureComputeFake> {
  const { key, cert } = makeSelfSignedCert();
  const requests: ArmRequest[] = [];
  const canned: Canned[] = [];
  const ops = new Map<string, { polls: number; status: string; error?: { code: string; message: string }; effect: () => void }>();
  let origin = '';
  const state = {
    resourceGroups: new Set<string>(),
    containers: new Set<string>(),
    serialOutput: new Map<string, string>(),
    scaleSets: new Map<string, FakeScaleSet>(),
    operationPolls: 2,
    bootPolls: 1,
    noCapacity: undefined as { code: string; message: string } | undefined,
  };

  function operation(sub: string, location: string, effect: () => void, error?: { code: string; message: string }): string {
    const id = randomBytes(8).toString('hex');
    ops.set(id, { polls: state.operationPolls, status: 'InProgress', ...(error ? { error } : {}), effect });
    return `${origin}/subscriptions/${sub}/providers/Microsoft.Compute/locations/${location}/operations/${id}?api-version=2026-03-01`;
  }

  function view(s: FakeScaleSet): Record<string, unknown> {
    const props = (s.body.properties ?? {}) as Record<string, unknown>;
    return {
      ...s.body,
      id: `/subscriptions/${s.subscription}/resourceGroups/${s.resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${s.name}`,
      name: s.name, type: 'Microsoft.Compute/virtualMachineScaleSets',
      properties: { ...props, provisioningState: s.provisioningState, uniqueId: `${s.name}-uid`, timeCreated: (s.body as { timeCreated?: string }).timeCreated },
    };
  }

  const server: Server = createServer({ key, cert }, (req, res) => {
    withBody(req, (raw) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const body = jsonOrText(raw);
      requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, body });
      const send = (status: number, obj: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomBytes(8).toString('hex'), ...headers });
        res.end(obj === undefined ? '' : JSON.stringify(obj));
      };
      const c = canned.findIndex((x) => (!x.method || x.method === req.method) && (!x.path || x.path.test(url.pathname)));
      if (c >= 0) {
        const [x] = canned.splice(c, 1);
        return send(x!.status, x!.body, x!.headers);
      }
      const log = /^\/bootdiag\/(.+)\.serialconsole\.log$/.exec(url.pathname);
      if (log && req.method === 'GET' && url.searchParams.get('sig')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(state.serialOutput.get(log[1]!) ?? '');
      }
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return send(401, { error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." } });
      let m: RegExpExecArray | null;
      // Blob service: Get Container Properties (HEAD, x-ms-version required)
      if ((m = /^\/([a-z0-9]{3,24})\/([a-z0-9-]{3,63})$/.exec(url.pathname)) && url.searchParams.get('restype') === 'container' && (req.method === 'HEAD' || req.method === 'GET')) {
        if (!req.headers['x-ms-version']) return send(400, undefined, { 'x-ms-error-code': 'MissingRequiredHeader' });
        return state.containers.has(`${m[1]}/${m[2]}`) ? send(200, undefined, { etag: '"0x1"' }) : send(404, undefined, { 'x-ms-error-code': 'ContainerNotFound' });
      }
      if (!url.searchParams.get('api-version')) return send(400, { error: { code: 'MissingApiVersionParameter', message: 'The api-version query parameter (?api-version=) is required for all requests.' } });

      if ((m = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Compute\/locations\/([^/]+)\/operations\/([^/]+)$/i.exec(url.pathname)) && req.method === 'GET') {
        const op = ops.get(m[3]!);
        if (!op) return send(404, { error: { code: 'NotFound', message: 'The operation was not found.' } });
        if (op.status === 'InProgress' && --op.polls <= 0) {
          op.status = op.error ? 'Failed' : 'Succeeded';
          op.effect();
        }
        return send(200, { name: m[3], status: op.status, startTime: new Date().toISOString(), ...(op.error ? { error: op.error } : {}) }, op.status === 'InProgress' ? { 'retry-after': '0' } : {});
      }

      // Virtual Machine Scale Set VMs - Retrieve Boot Diagnostics Data (POST), and the signed log link it returns
      if ((m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/([^/]+)\/virtualMachines\/(\d+)\/retrieveBootDiagnosticsData$/i.exec(url.pathname)) && req.method === 'POST') {
        const set = state.scaleSets.get(`${m[1]}/${m[2]}/${m[3]}`.toLowerCase());
        const vm = set?.vms.find((v) => v.instanceId === m![4]);
        if (!set || !vm) return send(404, { error: { code: 'ResourceNotFound', message: `The VM instance ${m[4]} of ${m[3]} was not found.` } });
        const diag = ((set.body.properties as { virtualMachineProfile?: { diagnosticsProfile?: { bootDiagnostics?: { enabled?: boolean } } } }).virtualMachineProfile?.diagnosticsProfile?.bootDiagnostics?.enabled);
        if (!diag) return send(409, { error: { code: 'OperationNotAllowed', message: 'Boot diagnostics are not enabled for this virtual machine.' } });
        return send(200, { consoleScreenshotBlobUri: `${origin}/bootdiag/${vm.name}.bmp?sig=x`, serialConsoleLogBlobUri: `${origin}/bootdiag/${vm.name}.serialconsole.log?sv=2023-11-03&sig=x` });
      }
      m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/([^/]+)(\/virtualMachines)?$/i.exec(url.pathname);
      if (m) {
        const [, sub, rg, name, vms] = m as unknown as [string, string, string, string, string | undefined];
        if (!state.resourceGroups.has(`${sub}/${rg}`.toLowerCase())) return send(404, { error: { code: 'ResourceGroupNotFound', message: `Resource group '${rg}' could not be found.` } });
        const key = `${sub}/${rg}/${name}`.toLowerCase();
        const set = state.scaleSets.get(key);
        const notFound = () => send(404, { error: { code: 'ResourceNotFound', message: `The Resource 'Microsoft.Compute/virtualMachineScaleSets/${name}' under resource group '${rg}' was not found.` } });
        if (vms && req.method === 'GET') {
          if (!set) return notFound();
          const expand = url.searchParams.get('$expand') === 'instanceView';
          for (const vm of set.vms) if (vm.provisioningState === 'Creating' && --vm.polls <= 0) vm.provisioningState = 'Succeeded';
          set.restores = set.restores.map((n) => n - 1);
          while (set.restores[0] !== undefined && set.restores[0] <= 0) {
            set.restores.shift();
            const id = String(set.nextInstance++);
            set.vms.push({ instanceId: id, name: `${name}_${id}`, provisioningState: 'Creating', polls: state.bootPolls });
          }
          const props = (set.body.properties ?? {}) as { virtualMachineProfile?: Record<string, unknown> };
          return send(200, {
            value: set.vms.map((vm) => ({
              id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}/virtualMachines/${vm.instanceId}`,
              name: vm.name, instanceId: vm.instanceId, type: 'Microsoft.Compute/virtualMachineScaleSets/virtualMachines',
              location: set.body.location, sku: { name: (set.body.sku as { name: string }).name, tier: 'Standard' }, ...(vm.zone ? { zones: [vm.zone] } : {}),
              tags: set.body.tags,
              properties: {
                provisioningState: vm.provisioningState, latestModelApplied: true, vmId: `${vm.name}-id`,
                priority: props.virtualMachineProfile?.priority, evictionPolicy: props.virtualMachineProfile?.evictionPolicy,
                ...(expand ? { instanceView: { statuses: [
                  { code: `ProvisioningState/${vm.provisioningState.toLowerCase()}`, level: 'Info', displayStatus: `Provisioning ${vm.provisioningState.toLowerCase()}` },
                  ...(vm.provisioningState === 'Succeeded' ? [{ code: 'PowerState/running', level: 'Info', displayStatus: 'VM running' }] : [{ code: 'PowerState/starting', level: 'Info', displayStatus: 'VM starting' }]),
                ] } } : {}),
              },
            })),
          });
        }
        if (!vms && req.method === 'GET') return set ? send(200, view(set)) : notFound();
        if (!vms && req.method === 'PUT') {
          const b = (body ?? {}) as Record<string, unknown>;
          if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(name)) return send(400, { error: { code: 'InvalidParameter', message: `The scale set name '${name}' is not valid.` } });
          const problems = scaleSetProblems(b);
          if (problems.length) return send(400, { error: { code: 'InvalidParameter', message: problems.join(' '), details: problems.map((p) => ({ code: 'InvalidParameter', message: p })) } });
          if (set) return send(409, { error: { code: 'Conflict', message: `The scale set ${name} exists; this fake creates only.` } });
          const created: FakeScaleSet = { subscription: sub, resourceGroup: rg, name, body: { ...b, timeCreated: new Date().toISOString() }, provisioningState: 'Creating', vms: [], nextInstance: 0, restores: [] };
          state.scaleSets.set(key, created);
          const location = String(b.location);
          const capacity = (b.sku as { capacity: number }).capacity;
          const zones = (b.zones as string[] | undefined) ?? [];
          const asyncOp = operation(sub, location, () => {
            created.provisioningState = 'Succeeded';
            for (let i = 0; i < capacity; i++) {
              const id = String(created.nextInstance++);
              created.vms.push({ instanceId: id, name: `${name}_${id}`, ...(zones.length ? { zone: zones[i % zones.length]! } : {}), provisioningState: 'Creating', polls: state.bootPolls });
            }
          }, state.noCapacity);
          if (state.noCapacity) {
            // a failed create leaves the scale set behind in Failed state, as ARM does
            const op = [...ops.values()].at(-1)!;
            op.effect = () => { created.provisioningState = 'Failed'; };
          }
          return send(201, view(created), { 'azure-asyncoperation': asyncOp });
        }
        if (!vms && req.method === 'DELETE') {
          if (!set) return send(204, undefined);
          set.provisioningState = 'Deleting';
          const asyncOp = operation(sub, String(set.body.location), () => { state.scaleSets.delete(key); });
          return send(202, undefined, { 'azure-asyncoperation': asyncOp, location: asyncOp });
        }
      }
      send(404, { error: { code: 'NotFound', message: `fake: no route for ${req.method} ${url.pathname}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    endpoint: origin,
    ca: cert,
    requests,
    fail: (status: number, b: unknown, match: { method?: string; path?: RegExp; headers?: Record<string, string> } = {}) => { canned.push({ status, body: b, ...match }); },
    evict: (vmName: string) => {
      for (const s of state.scaleSets.values()) {
        const i = s.vms.findIndex((v) => v.name === vmName);
        if (i >= 0) {
          s.vms.splice(i, 1);
          const restore = ((s.body.properties as { spotRestorePolicy?: { enabled?: boolean } } | undefined)?.spotRestorePolicy)?.enabled;
          if (restore) s.restores.push(2);
          return;
        }
      }
      throw new Error(`fake: no VM ${vmName}`);
    },
    reset: () => {
      requests.length = 0; canned.length = 0; ops.clear();
      state.resourceGroups.clear(); state.containers.clear(); state.serialOutput.clear(); state.scaleSets.clear(); state.operationPolls = 2; state.bootPolls = 1; state.noCapacity = undefined;
    },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
}

export { armError };
