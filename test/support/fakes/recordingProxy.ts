import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { forward, withBody } from './http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 in front of a real emulator (moto): forwards every request unchanged and records it,
 * so tests can count requests (a cache hit must make none) and assert what was sent. `inject` answers the next
 * requests with a canned response instead (throttling, access denied, expired token) without touching the target.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The AWS JSON-protocol operation (from X-Amz-Target) or query-protocol Action, when there is one. */
  operation?: string;
  at: number;
}

export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** Only requests whose operation matches are answered with this response. */
  operation?: string;
}

export interface RecordingProxy {
  endpoint: string;
  requests: RecordedRequest[];
  /** Requests recorded for one operation ("GetCostAndUsage", "DescribeInstances"). */
  of(operation: string): RecordedRequest[];
  inject(...responses: CannedResponse[]): void;
  /** Runs before a request is forwarded (after it is recorded): a test's engine behind the emulator, for one. */
  beforeForward?: (request: RecordedRequest) => Promise<void>;
  clear(): void;
  stop(): Promise<void>;
}

function operationOf(headers: IncomingHttpHeaders, body: string): string | undefined {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop();
  const action = /(?:^|&)Action=([^&]+)/.exec(body);
  return action ? decodeURIComponent(action[1]!) : undefined;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const canned: CannedResponse[] = [];
  const server: Server = createServer((req, res) => {
    withBody(req, (body) => void (async () => {
      const text = body.toString('utf8');
      const operation = operationOf(req.headers, text);
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text, operation, at: Date.now() };
      requests.push(recorded);
      await proxy.beforeForward?.(recorded);
      const i = canned.findIndex((c) => c.operation === undefined || c.operation === operation);
      if (i >= 0) {
        const [c] = canned.splice(i, 1);
        res.writeHead(c!.status, { 'content-type': 'application/x-amz-json-1.1', ...c!.headers });
        res.end(c!.body);
        return;
      }
      forward(upstream, req, res, body);
    })().catch((e: unknown) => { res.writeHead(500); res.end(String(e)); }));
  });
  const proxy: RecordingProxy = {
    endpoint: '',
    requests,
    of: (operation) => requests.filter((r) => r.operation === operation),
    inject: (...responses) => { canned.push(...responses); },
    clear: () => { requests.length = 0; canned.length = 0; proxy.beforeForward = undefined; },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  proxy.endpoint = `http://127.0.0.1:${port}`;
  return proxy;
}
