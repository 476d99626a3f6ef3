import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonOrText, withBody } from './http';

/**
 * Two small fakes for VM shutdown schedules, with the documented request and response shapes, checking what is sent:
 *
 * Compute Engine v1 (https://cloud.google.com/compute/docs/reference/rest/v1)
 *  - instances.get                      GET  /compute/v1/projects/{p}/zones/{z}/instances/{name}
 *  - resourcePolicies.insert / get / delete   POST|GET|DELETE /compute/v1/projects/{p}/regions/{r}/resourcePolicies[/{name}]
 *    (the body: name, description, instanceSchedulePolicy {vmStartSchedule {schedule}, vmStopSchedule {schedule},
 *    timeZone}; cron checked as five fields, the zone as an IANA zone; a policy in use cannot be deleted)
 *  - instances.addResourcePolicies / removeResourcePolicies   POST …/instances/{name}/addResourcePolicies {resourcePolicies: [url]}
 *    (one instance schedule per VM, in the VM's region)
 *  - zoneOperations / regionOperations wait   POST …/operations/{op}/wait
 *  Every change answers an Operation (RUNNING), DONE when waited for.
 *
 * Azure Resource Manager
 *  - Virtual Machines Get / Instance View   GET {vmId}?api-version=… , GET {vmId}/instanceView?api-version=…
 *  - DevTest Labs Schedules Get / Create Or Update / Delete (api-version 2018-09-15)
 *    GET|PUT|DELETE /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.DevTestLab/schedules/{name}
 *    (a VM's auto-shutdown is named shutdown-computevm-{vm}; taskType ComputeVmShutdownTask, dailyRecurrence.time
 *    HHmm, a Windows timeZoneId, targetResourceId an existing VM, location; the answer adds provisioningState,
 *    createdDate and uniqueIdentifier).
 */
export interface RecordedCall { method: string; path: string; query: Record<string, string>; authorization?: string; body: unknown }

export interface GcpVm { project: string; zone: string; name: string; status: string; machineType: string; labels?: Record<string, string>; resourcePolicies: string[] }
export interface AzureVm { id: string; name: string; location: string; vmSize: string; power: 'running' | 'deallocated'; tags?: Record<string, string> }

export interface VmScheduleFakes {
  endpoint: string;
  requests: RecordedCall[];
  gcpVms: Map<string, GcpVm>;
  gcpPolicies: Map<string, Record<string, unknown>>;
  azureVms: Map<string, AzureVm>;
  azureSchedules: Map<string, Record<string, unknown>>;
  stop(): Promise<void>;
}

const WINDOWS_ZONES = new Set(['UTC', 'W. Europe Standard Time', 'GMT Standard Time', 'Pacific Standard Time', 'Eastern Standard Time', 'Tokyo Standard Time', 'Romance Standard Time', 'India Standard Time']);
const CRON = /^(\*|[0-9,\-/]+) (\*|[0-9,\-/]+) (\*|[0-9,\-/]+) (\*|[0-9,\-/]+) (\*|[0-6,\-/]+)$/;
const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

function validZone(zone: unknown): boolean {
  if (typeof zone !== 'string') return false;
  try { new Intl.DateTimeFormat('en-US', { timeZone: zone }); return true; } catch { return false; }
}

export async function startVmScheduleFakes(): Promise<VmScheduleFakes> {
  const requests: RecordedCall[] = [];
  const gcpVms = new Map<string, GcpVm>();
  const gcpPolicies = new Map<string, Record<string, unknown>>();
  const azureVms = new Map<string, AzureVm>();
  const azureSchedules = new Map<string, Record<string, unknown>>();
  let ops = 0;
  let endpoint = '';

  const gcpError = (res: ServerResponse, code: number, reason: string, message: string) => send(res, code, { error: { code, message, errors: [{ reason, message }] } });
  const operation = (res: ServerResponse, scope: string, type: string, target: string) => send(res, 200, {
    kind: 'compute#operation', name: `operation-${++ops}`, operationType: type, status: 'RUNNING', targetLink: target,
    ...(scope.startsWith('zones/') ? { zone: `${endpoint}/compute/v1/projects/x/${scope}` } : { region: `${endpoint}/compute/v1/projects/x/${scope}` }),
  });

  function gcp(req: IncomingMessage, res: ServerResponse, path: string, body: unknown): void {
    let m = /^\/compute\/v1\/projects\/([^/]+)\/(zones|regions)\/([^/]+)\/operations\/([^/]+)\/wait$/.exec(path);
    if (m && req.method === 'POST') return send(res, 200, { kind: 'compute#operation', name: m[4], status: 'DONE', progress: 100 });
    m = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/instances\/([^/]+)(\/(addResourcePolicies|removeResourcePolicies))?$/.exec(path);
    if (m) {
      const vm = gcpVms.get(`${m[1]}/${m[2]}/${m[3]}`);
      if (!vm) return gcpError(res, 404, 'notFound', `The resource 'projects/${m[1]}/zones/${m[2]}/instances/${m[3]}' was not found`);
      if (!m[4] && req.method === 'GET') return send(res, 200, { kind: 'compute#instance', name: vm.name, status: vm.status, machineType: `${endpoint}/compute/v1/projects/${vm.project}/zones/${vm.zone}/machineTypes/${vm.machineType}`, labels: vm.labels ?? {}, ...(vm.resourcePolicies.length ? { resourcePolicies: vm.resourcePolicies } : {}) });
      const list = (body as { resourcePolicies?: unknown } | null)?.resourcePolicies;
      if (req.method !== 'POST' || !Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string')) return gcpError(res, 400, 'invalid', 'resourcePolicies must be a non-empty list of policy URLs');
      const region = vm.zone.replace(/-[a-z]$/, '');
      for (const url of list as string[]) {
        const p = /projects\/([^/]+)\/regions\/([^/]+)\/resourcePolicies\/([^/]+)$/.exec(url);
        if (!p || !gcpPolicies.has(`${p[1]}/${p[2]}/${p[3]}`)) return gcpError(res, 404, 'notFound', `The resource '${url}' was not found`);
        if (p[2] !== region) return gcpError(res, 400, 'invalid', `Resource policy ${p[3]} is in ${p[2]}, not the instance's region ${region}`);
        if (m[5] === 'addResourcePolicies') {
          const hasSchedule = vm.resourcePolicies.some((u) => { const q = /projects\/([^/]+)\/regions\/([^/]+)\/resourcePolicies\/([^/]+)$/.exec(u); return !!q && !!gcpPolicies.get(`${q[1]}/${q[2]}/${q[3]}`)?.instanceSchedulePolicy; });
          if (hasSchedule) return gcpError(res, 400, 'invalid', 'An instance can have only one instance schedule policy');
          vm.resourcePolicies.push(`https://www.googleapis.com/compute/v1/projects/${p[1]}/regions/${p[2]}/resourcePolicies/${p[3]}`);
        } else {
          vm.resourcePolicies = vm.resourcePolicies.filter((u) => !u.endsWith(`/projects/${p[1]}/regions/${p[2]}/resourcePolicies/${p[3]}`));
        }
      }
      return operation(res, `zones/${vm.zone}`, m[5] === 'addResourcePolicies' ? 'addResourcePolicies' : 'removeResourcePolicies', path);
    }
    m = /^\/compute\/v1\/projects\/([^/]+)\/regions\/([^/]+)\/resourcePolicies(\/([^/]+))?$/.exec(path);
    if (m) {
      const [, project, region, , name] = m;
      if (req.method === 'POST' && !name) {
        const b = (body ?? {}) as { name?: unknown; instanceSchedulePolicy?: { vmStartSchedule?: { schedule?: unknown }; vmStopSchedule?: { schedule?: unknown }; timeZone?: unknown } };
        if (typeof b.name !== 'string' || !NAME.test(b.name)) return gcpError(res, 400, 'invalid', `Invalid value for field 'resource.name': '${String(b.name)}'`);
        const isp = b.instanceSchedulePolicy;
        if (!isp || typeof isp.vmStartSchedule?.schedule !== 'string' || typeof isp.vmStopSchedule?.schedule !== 'string' || !CRON.test(isp.vmStartSchedule.schedule) || !CRON.test(isp.vmStopSchedule.schedule)) {
          return gcpError(res, 400, 'invalid', 'instanceSchedulePolicy needs vmStartSchedule.schedule and vmStopSchedule.schedule in cron format');
        }
        if (!validZone(isp.timeZone)) return gcpError(res, 400, 'invalid', `Invalid time zone '${String(isp.timeZone)}'`);
        const key = `${project}/${region}/${b.name}`;
        if (gcpPolicies.has(key)) return gcpError(res, 409, 'alreadyExists', `The resource 'projects/${project}/regions/${region}/resourcePolicies/${b.name}' already exists`);
        gcpPolicies.set(key, { ...b, kind: 'compute#resourcePolicy', region: `${endpoint}/compute/v1/projects/${project}/regions/${region}`, selfLink: `${endpoint}/compute/v1/projects/${project}/regions/${region}/resourcePolicies/${b.name}`, status: 'READY' });
        return operation(res, `regions/${region}`, 'insert', path);
      }
      const key = `${project}/${region}/${name}`;
      const policy = gcpPolicies.get(key);
      if (!policy) return gcpError(res, 404, 'notFound', `The resource 'projects/${project}/regions/${region}/resourcePolicies/${name}' was not found`);
      if (req.method === 'GET') return send(res, 200, policy);
      if (req.method === 'DELETE') {
        const user = [...gcpVms.values()].find((v) => v.resourcePolicies.some((u) => u.endsWith(`/regions/${region}/resourcePolicies/${name}`)));
        if (user) return gcpError(res, 400, 'resourceInUseByAnotherResource', `The resource_policy resource '${name}' is already being used by '${user.name}'`);
        gcpPolicies.delete(key);
        return operation(res, `regions/${region}`, 'delete', path);
      }
    }
    return gcpError(res, 404, 'notFound', `no route ${req.method} ${path}`);
  }

  const armError = (res: ServerResponse, status: number, code: string, message: string) => send(res, status, { error: { code, message } });

  function azure(req: IncomingMessage, res: ServerResponse, path: string, query: Record<string, string>, body: unknown): void {
    let m = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+)(\/instanceView)?$/i.exec(path);
    if (m) {
      if (!query['api-version']) return armError(res, 400, 'MissingApiVersionParameter', 'The api-version query parameter is required');
      const vm = azureVms.get(m[1]!.toLowerCase());
      if (!vm) return armError(res, 404, 'ResourceNotFound', `The Resource '${m[1]}' was not found.`);
      const statuses = [{ code: 'ProvisioningState/succeeded' }, { code: `PowerState/${vm.power}`, displayStatus: vm.power === 'running' ? 'VM running' : 'VM deallocated' }];
      if (m[2]) return send(res, 200, { statuses });
      return send(res, 200, { id: vm.id, name: vm.name, type: 'Microsoft.Compute/virtualMachines', location: vm.location, tags: vm.tags ?? {}, properties: { hardwareProfile: { vmSize: vm.vmSize }, provisioningState: 'Succeeded' } });
    }
    m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DevTestLab\/schedules\/([^/]+)$/i.exec(path);
    if (m) {
      if (query['api-version'] !== '2018-09-15') return armError(res, 400, 'InvalidApiVersionParameter', `The api-version '${query['api-version'] ?? ''}' is invalid for DevTest Labs schedules here.`);
      const key = path.toLowerCase();
      const have = azureSchedules.get(key);
      if (req.method === 'GET') return have ? send(res, 200, have) : armError(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.DevTestLab/schedules/${m[3]}' under resource group '${m[2]}' was not found.`);
      if (req.method === 'DELETE') { azureSchedules.delete(key); return send(res, have ? 200 : 204, undefined); }
      if (req.method === 'PUT') {
        const b = (body ?? {}) as { location?: unknown; tags?: unknown; properties?: Record<string, unknown> };
        const p = b.properties ?? {};
        const target = typeof p.targetResourceId === 'string' ? azureVms.get(p.targetResourceId.toLowerCase()) : undefined;
        const time = (p.dailyRecurrence as { time?: unknown } | undefined)?.time;
        const problems = [
          typeof b.location === 'string' ? '' : 'location is required',
          p.taskType === 'ComputeVmShutdownTask' ? '' : `taskType must be ComputeVmShutdownTask (got ${String(p.taskType)})`,
          p.status === 'Enabled' || p.status === 'Disabled' ? '' : 'status must be Enabled or Disabled',
          typeof time === 'string' && /^([01]\d|2[0-3])[0-5]\d$/.test(time) ? '' : `dailyRecurrence.time must be HHmm (got ${String(time)})`,
          typeof p.timeZoneId === 'string' && WINDOWS_ZONES.has(p.timeZoneId) ? '' : `timeZoneId must be a Windows time zone id (got ${String(p.timeZoneId)})`,
          target ? '' : `targetResourceId ${String(p.targetResourceId)} is not a VM`,
          target && m[3]!.toLowerCase() !== `shutdown-computevm-${target.name}`.toLowerCase() ? `a VM's auto-shutdown schedule is named shutdown-computevm-${target.name}` : '',
        ].filter(Boolean);
        if (problems.length) return armError(res, 400, 'InvalidProperty', problems.join('; '));
        const stored = {
          id: path, name: m[3], type: 'microsoft.devtestlab/schedules', location: b.location, ...(b.tags ? { tags: b.tags } : {}),
          properties: { ...p, provisioningState: 'Succeeded', createdDate: new Date().toISOString(), uniqueIdentifier: `u-${azureSchedules.size + 1}` },
        };
        azureSchedules.set(key, stored);
        return send(res, have ? 200 : 201, stored);
      }
    }
    return armError(res, 404, 'NotFound', `no route ${req.method} ${path}`);
  }

  const server: Server = createServer((req, res) => withBody(req, (raw) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const body = jsonOrText(raw);
    requests.push({ method: req.method ?? '', path: url.pathname, query, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body });
    if (!req.headers.authorization?.startsWith('Bearer ')) return send(res, 401, { error: { code: 401, message: 'no bearer token' } });
    if (url.pathname.startsWith('/compute/v1/')) return gcp(req, res, url.pathname, body);
    return azure(req, res, url.pathname, query, body);
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint, requests, gcpVms, gcpPolicies, azureVms, azureSchedules,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
