import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withBody } from './http';

/**
 * The three clouds' instance metadata services on 127.0.0.1, as far as an interruption notice goes, with their
 * documented shapes and rules:
 *  - AWS IMDSv2: `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` (1–21600) gives a token that
 *    expires after that many seconds; `GET /latest/meta-data/…` without a valid token is 401.
 *    `spot/instance-action` is 404 until an interruption, then `{"action":"terminate","time":"…"}`;
 *    `events/recommendations/rebalance` is 404 until a recommendation, then `{"noticeTime":"…"}`.
 *  - GCE: `GET /computeMetadata/v1/instance/preempted` needs `Metadata-Flavor: Google` (else 403), answers `FALSE` /
 *    `TRUE` with an ETag; `wait_for_change=true&last_etag=E` holds the request until the value's ETag differs from
 *    E or `timeout_sec` passes.
 *  - Azure IMDS: `GET /metadata/scheduledevents?api-version=…` needs `Metadata: true` (else 400) and answers
 *    `{"DocumentIncarnation","Events":[…]}`; `POST` with `{"StartRequests":[{"EventId"}]}` approves events;
 *    `GET /metadata/instance/compute/name?…&format=text` is the VM's name.
 */
export type Notice = 'aws-interruption' | 'aws-rebalance' | 'gcp-preempted' | 'azure-preempt' | 'azure-preempt-other-vm';

export interface MetadataRequest { method: string; path: string; query: Record<string, string>; headers: IncomingMessage['headers']; body: string; at: number }

export interface InstanceMetadataFake {
  endpoint: string;
  requests: MetadataRequest[];
  /** Tokens handed out by PUT /latest/api/token. */
  tokensIssued: number;
  /** EventIds approved through Azure's POST StartRequests. */
  approved: string[];
  /** Raises a notice now (or after `ms`). */
  raise(notice: Notice, ms?: number): void;
  stop(): Promise<void>;
}

export const AZURE_VM_NAME = 'trainer_0';

export async function startInstanceMetadata(): Promise<InstanceMetadataFake> {
  const requests: MetadataRequest[] = [];
  const tokens = new Map<string, number>(); // token → expiry (ms)
  const approved: string[] = [];
  let tokenCount = 0;
  let awsAction: string | undefined;
  let awsRebalance: string | undefined;
  let preempted = false;
  let gceEtag = 'etag-0';
  const gceWaiters = new Set<() => void>();
  let azureIncarnation = 1;
  const azureEvents: unknown[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const raiseNow = (notice: Notice) => {
    const when = new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z');
    if (notice === 'aws-interruption') awsAction = JSON.stringify({ action: 'terminate', time: when });
    if (notice === 'aws-rebalance') awsRebalance = JSON.stringify({ noticeTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    if (notice === 'gcp-preempted') {
      preempted = true;
      gceEtag = 'etag-1';
      for (const w of gceWaiters) w();
    }
    if (notice === 'azure-preempt' || notice === 'azure-preempt-other-vm') {
      azureIncarnation++;
      azureEvents.push({
        EventId: `evt-${azureIncarnation}`, EventType: 'Preempt', ResourceType: 'VirtualMachine',
        Resources: [notice === 'azure-preempt' ? AZURE_VM_NAME : 'trainer_9'], EventStatus: 'Scheduled',
        NotBefore: new Date(Date.now() + 30_000).toUTCString(), Description: 'Virtual machine is being preempted.',
        EventSource: 'Platform', DurationInSeconds: -1,
      });
    }
  };

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };

  const server = createServer((req, res) => withBody(req, (buf) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query, headers: req.headers, body: buf.toString('utf8'), at: Date.now() });
    const p = url.pathname;
    // ---- AWS IMDSv2
    if (p === '/latest/api/token') {
      if (req.method !== 'PUT') return send(res, 405, '');
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return send(res, 400, '');
      const token = `tok-${++tokenCount}-${Math.random().toString(36).slice(2)}`;
      tokens.set(token, Date.now() + ttl * 1000);
      return send(res, 200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    if (p.startsWith('/latest/meta-data/')) {
      const token = req.headers['x-aws-ec2-metadata-token'];
      const expiry = typeof token === 'string' ? tokens.get(token) : undefined;
      if (expiry === undefined || expiry < Date.now()) return send(res, 401, '');
      if (p === '/latest/meta-data/spot/instance-action') return awsAction ? send(res, 200, awsAction, { 'content-type': 'application/json' }) : send(res, 404, 'Not Found');
      if (p === '/latest/meta-data/events/recommendations/rebalance') return awsRebalance ? send(res, 200, awsRebalance, { 'content-type': 'application/json' }) : send(res, 404, 'Not Found');
      return send(res, 404, 'Not Found');
    }
    // ---- GCE metadata server
    if (p === '/computeMetadata/v1/instance/preempted') {
      if (req.headers['metadata-flavor'] !== 'Google') return send(res, 403, 'Missing Metadata-Flavor:Google header.');
      const answer = () => send(res, 200, preempted ? 'TRUE' : 'FALSE', { etag: gceEtag, 'metadata-flavor': 'Google' });
      if (query.wait_for_change !== 'true' || query.last_etag !== gceEtag) return answer();
      const timeout = setTimeout(done, Math.min(Number(query.timeout_sec) || 300, 3600) * 1000);
      function done() { clearTimeout(timeout); gceWaiters.delete(done); if (!res.writableEnded) answer(); }
      gceWaiters.add(done);
      res.on('close', () => { clearTimeout(timeout); gceWaiters.delete(done); });
      return;
    }
    // ---- Azure IMDS
    if (p.startsWith('/metadata/')) {
      if (req.headers.metadata !== 'true') return send(res, 400, JSON.stringify({ error: 'Bad request. Required metadata header not specified' }));
      if (!query['api-version']) return send(res, 400, JSON.stringify({ error: 'Bad request. api-version was not specified in the request' }));
      if (p === '/metadata/instance/compute/name') return send(res, 200, AZURE_VM_NAME);
      if (p === '/metadata/scheduledevents') {
        if (req.method === 'POST') {
          try {
            const body = JSON.parse(buf.toString('utf8')) as { StartRequests?: { EventId?: string }[] };
            for (const r of body.StartRequests ?? []) if (r.EventId) approved.push(r.EventId);
          } catch {
            return send(res, 400, '');
          }
          return send(res, 200, '');
        }
        return send(res, 200, JSON.stringify({ DocumentIncarnation: azureIncarnation, Events: azureEvents }), { 'content-type': 'application/json' });
      }
    }
    send(res, 404, 'Not Found');
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    get tokensIssued() { return tokenCount; },
    approved,
    raise(notice, ms = 0) {
      if (ms <= 0) return raiseNow(notice);
      const t = setTimeout(() => { timers.delete(t); raiseNow(notice); }, ms);
      timers.add(t);
    },
    stop: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      for (const w of [...gceWaiters]) w();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
