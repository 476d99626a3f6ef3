import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonOrText, withBody } from './http';

/**
 * Labels and tags on running resources, with the documented request and response shapes, checking what is sent:
 *
 * Compute Engine v1 (https://cloud.google.com/compute/docs/reference/rest/v1/instances/setLabels)
 *  - instances.get          GET  /compute/v1/projects/{p}/zones/{z}/instances/{name}  → labels and labelFingerprint
 *  - instances.setLabels    POST /compute/v1/projects/{p}/zones/{z}/instances/{name}/setLabels
 *    body {labels: {…the whole set…}, labelFingerprint}: a fingerprint other than the current one is refused with 412
 *    conditionNotMet (someone changed the labels); keys must start with a lowercase letter and hold lowercase
 *    letters, digits, "_" and "-" (≤ 63 characters), values the same characters (may be empty), at most 64 labels,
 *    else 400 invalid. A success replaces the labels, changes the fingerprint and answers a zone Operation (RUNNING).
 *  - zoneOperations.wait    POST /compute/v1/projects/{p}/zones/{z}/operations/{op}/wait → DONE
 *
 * Azure Resource Manager (https://learn.microsoft.com/rest/api/resources/tags/update-at-scope)
 *  - Tags - Get At Scope     GET   {scope}/providers/Microsoft.Resources/tags/default?api-version=2021-04-01
 *  - Tags - Update At Scope  PATCH {scope}/providers/Microsoft.Resources/tags/default?api-version=2021-04-01
 *    body {operation: Merge | Replace | Delete, properties: {tags}}; Merge adds and replaces, keeps the rest. Tag
 *    names ≤ 512 characters without < > % & \ ? /, values ≤ 256, at most 50 tags. Answers the TagsResource
 *    {id, name: "default", type: "Microsoft.Resources/tags", properties: {tags}}.
 *
 * Every request is recorded. `deny` makes the next calls on a resource answer 403 (the documented error bodies).
 */
export interface TagCall { method: string; path: string; query: Record<string, string>; authorization?: string; body: unknown }
export interface FakeVm { labels: Record<string, string>; fingerprint: string }

export interface ResourceTagFakes {
  endpoint: string;
  requests: TagCall[];
  /** Compute Engine VMs by `project/zone/name`. */
  vms: Map<string, FakeVm>;
  /** Azure resources (ids lower-cased) and their tags. */
  azure: Map<string, Record<string, string>>;
  /** Resources (a VM key or an Azure id, lower-cased) whose changes are refused with 403. */
  denied: Set<string>;
  /** Someone else sets these labels (a new fingerprint) just before the next setLabels on the VM arrives. */
  race(key: string, labels: Record<string, string>): void;
  stop(): Promise<void>;
}

const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startResourceTagFakes(): Promise<ResourceTagFakes> {
  const requests: TagCall[] = [];
  const vms = new Map<string, FakeVm>();
  const azure = new Map<string, Record<string, string>>();
  const denied = new Set<string>();
  const races = new Map<string, Record<string, string>>();
  let ops = 0;
  const fingerprint = () => randomBytes(6).toString('base64');
  const gcpError = (res: ServerResponse, code: number, reason: string, message: string) => send(res, code, { error: { code, message, errors: [{ domain: 'global', reason, message }] } });

  function gcp(req: IncomingMessage, res: ServerResponse, path: string, body: unknown): void {
    let m = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/operations\/([^/]+)\/wait$/.exec(path);
    if (m && req.method === 'POST') return send(res, 200, { kind: 'compute#operation', name: m[3], status: 'DONE', progress: 100, operationType: 'setLabels' });
    m = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/instances\/([^/]+)(\/setLabels)?$/.exec(path);
    if (!m) return gcpError(res, 404, 'notFound', `no route ${req.method} ${path}`);
    const [, project, zone, name, set] = m;
    const key = `${project}/${zone}/${name}`;
    const vm = vms.get(key);
    if (!vm) return gcpError(res, 404, 'notFound', `The resource 'projects/${project}/zones/${zone}/instances/${name}' was not found`);
    if (!set && req.method === 'GET') {
      return send(res, 200, { kind: 'compute#instance', name, status: 'RUNNING', zone: `https://www.googleapis.com/compute/v1/projects/${project}/zones/${zone}`, machineType: `https://www.googleapis.com/compute/v1/projects/${project}/zones/${zone}/machineTypes/g2-standard-4`, labels: vm.labels, labelFingerprint: vm.fingerprint });
    }
    if (!set || req.method !== 'POST') return gcpError(res, 405, 'methodNotAllowed', `${req.method} not allowed`);
    const racer = races.get(key);
    if (racer) { races.delete(key); vm.labels = racer; vm.fingerprint = fingerprint(); }
    if (denied.has(key)) return gcpError(res, 403, 'forbidden', `Required 'compute.instances.setLabels' permission for 'projects/${project}/zones/${zone}/instances/${name}'`);
    const b = (body ?? {}) as { labels?: unknown; labelFingerprint?: unknown };
    if (typeof b.labelFingerprint !== 'string') return gcpError(res, 400, 'required', 'Required field \'labelFingerprint\' not specified');
    if (b.labelFingerprint !== vm.fingerprint) return gcpError(res, 412, 'conditionNotMet', 'Labels fingerprint either invalid or resource labels have changed');
    const labels = (b.labels ?? {}) as Record<string, unknown>;
    if (typeof labels !== 'object' || Array.isArray(labels)) return gcpError(res, 400, 'invalid', 'Invalid value for field \'labels\'');
    if (Object.keys(labels).length > 64) return gcpError(res, 400, 'invalid', 'Resource cannot have more than 64 labels');
    for (const [k, v] of Object.entries(labels)) {
      if (!LABEL_KEY.test(k)) return gcpError(res, 400, 'invalid', `Invalid value for field 'labels': '${k}'. Label keys must start with a lowercase character and contain only hyphens (-), underscores (_), lowercase characters, and numbers.`);
      if (typeof v !== 'string' || !LABEL_VALUE.test(v)) return gcpError(res, 400, 'invalid', `Invalid value for field 'labels': '${String(v)}'. Label values can only contain hyphens (-), underscores (_), lowercase characters, and numbers.`);
    }
    vm.labels = labels as Record<string, string>;
    vm.fingerprint = fingerprint();
    return send(res, 200, { kind: 'compute#operation', name: `operation-${++ops}`, operationType: 'setLabels', status: 'RUNNING', zone: `https://www.googleapis.com/compute/v1/projects/${project}/zones/${zone}`, targetLink: path.replace(/\/setLabels$/, '') });
  }

  function arm(req: IncomingMessage, res: ServerResponse, path: string, query: Record<string, string>, body: unknown): void {
    const armError = (status: number, code: string, message: string) => send(res, status, { error: { code, message } });
    const m = /^(\/subscriptions\/[^/]+(?:\/.+)?)\/providers\/Microsoft\.Resources\/tags\/default$/i.exec(path);
    if (!m) return armError(404, 'NotFound', `no route ${req.method} ${path}`);
    if (query['api-version'] !== '2021-04-01') return armError(400, 'InvalidApiVersionParameter', `The api-version '${query['api-version'] ?? ''}' is invalid.`);
    const scope = m[1]!;
    const tags = azure.get(scope.toLowerCase());
    if (!tags) return armError(404, 'ResourceNotFound', `The Resource '${scope}' was not found.`);
    const answer = () => send(res, 200, { id: `${scope}/providers/Microsoft.Resources/tags/default`, name: 'default', type: 'Microsoft.Resources/tags', properties: { tags } });
    if (req.method === 'GET') return answer();
    if (req.method !== 'PATCH') return armError(405, 'MethodNotAllowed', `${req.method} is not allowed`);
    if (denied.has(scope.toLowerCase())) return armError(403, 'AuthorizationFailed', `The client does not have authorization to perform action 'Microsoft.Resources/tags/write' over scope '${scope}'.`);
    const b = (body ?? {}) as { operation?: unknown; properties?: { tags?: unknown } };
    if (b.operation !== 'Merge' && b.operation !== 'Replace' && b.operation !== 'Delete') return armError(400, 'InvalidRequestContent', `operation must be Merge, Replace or Delete (got ${String(b.operation)})`);
    const given = b.properties?.tags;
    if (!given || typeof given !== 'object' || Array.isArray(given)) return armError(400, 'InvalidRequestContent', 'properties.tags is required');
    for (const [k, v] of Object.entries(given)) {
      if (k.length > 512 || /[<>%&\\?/]/.test(k)) return armError(400, 'InvalidTagNameCharacters', `The tag names '${k}' have reserved characters '<,>,%,&,\\,?,/' or control characters.`);
      if (typeof v !== 'string' || v.length > 256) return armError(400, 'InvalidTagValueLength', `The tag value '${String(v)}' is longer than 256 characters or not a string.`);
    }
    const next = b.operation === 'Replace' ? { ...(given as Record<string, string>) } : b.operation === 'Delete' ? Object.fromEntries(Object.entries(tags).filter(([k]) => !(k in given))) : { ...tags, ...(given as Record<string, string>) };
    if (Object.keys(next).length > 50) return armError(400, 'TooManyTags', 'A resource can have at most 50 tags.');
    for (const k of Object.keys(tags)) delete tags[k];
    Object.assign(tags, next);
    return answer();
  }

  const server: Server = createServer((req, res) => withBody(req, (raw) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const body = jsonOrText(raw);
    requests.push({ method: req.method ?? '', path: url.pathname, query, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body });
    if (!req.headers.authorization?.startsWith('Bearer ')) return send(res, 401, { error: { code: 401, message: 'no bearer token' } });
    if (url.pathname.startsWith('/compute/v1/')) return gcp(req, res, url.pathname, body);
    return arm(req, res, url.pathname, query, body);
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint, requests, vms, azure, denied,
    race(key, labels) { races.set(key, labels); },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
