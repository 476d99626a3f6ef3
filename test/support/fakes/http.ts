import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * What the HTTP fakes share: reading a request's body, and passing a request on to the real emulator (moto)
 * behind the fake.
 */

/** Calls `handle` with the request's whole body once it has arrived. */
export function withBody(req: IncomingMessage, handle: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => handle(Buffer.concat(chunks)));
}

/** A body as JSON, or as text when it is not JSON (null when empty). */
export function jsonOrText(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** Sends the request on to `upstream` and streams its answer back (502 when the upstream cannot be reached). */
export function forward(upstream: URL, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const out = httpRequest({
    host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
    headers: { ...req.headers, host: upstream.host },
  }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  out.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
  out.end(body);
}
