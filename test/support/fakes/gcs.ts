import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withBody } from './http';

/**
 * Cloud Storage's JSON API on 127.0.0.1 (no emulator installs here), as documented:
 *  - objects.get    GET    /storage/v1/b/{bucket}/o/{object}            (metadata; `?alt=media` for the bytes)
 *  - objects.insert POST   /upload/storage/v1/b/{bucket}/o?uploadType=media&name={object}   (body = the bytes)
 *  - objects.list   GET    /storage/v1/b/{bucket}/o?prefix=&pageToken=&maxResults=   ({kind, items, nextPageToken})
 *  - objects.delete DELETE /storage/v1/b/{bucket}/o/{object}            (204)
 * Object names are URL-encoded in the path. Every request needs `Authorization: Bearer <token>` (401 otherwise); an
 * unknown bucket is 404 on every call. Lists are `pageSize` items a page, so paging is exercised.
 */
export interface GcsFake {
  endpoint: string;
  token: string;
  buckets: Map<string, Map<string, { data: Buffer; updated: string }>>;
  pageSize: number;
  requests: { method: string; path: string }[];
  stop(): Promise<void>;
}

export async function startGcsFake(buckets: string[], token = 'test-token'): Promise<GcsFake> {
  const store = new Map(buckets.map((b) => [b, new Map<string, { data: Buffer; updated: string }>()]));
  const requests: { method: string; path: string }[] = [];
  const fake = { pageSize: 2 };
  const json = (res: ServerResponse, status: number, doc: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(doc));
  };
  const error = (res: ServerResponse, status: number, message: string) => json(res, status, { error: { code: status, message, errors: [{ message, reason: status === 404 ? 'notFound' : 'required' }] } });
  const resource = (bucket: string, name: string, o: { data: Buffer; updated: string }) => ({ kind: 'storage#object', bucket, name, size: String(o.data.length), updated: o.updated, id: `${bucket}/${name}` });
  const server = createServer((req, res) => withBody(req, (body) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', path: url.pathname });
    if (req.headers.authorization !== `Bearer ${token}`) return error(res, 401, 'Anonymous caller does not have storage.objects.get access.');
    const m = /^\/(upload\/)?storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
    if (!m) return error(res, 404, 'Not Found');
    const bucket = decodeURIComponent(m[2] ?? '');
    const objects = store.get(bucket);
    if (!objects) return error(res, 404, 'The specified bucket does not exist.');
    if (m[1]) {
      const name = url.searchParams.get('name');
      if (req.method !== 'POST' || url.searchParams.get('uploadType') !== 'media' || !name) return error(res, 400, 'uploadType=media and name are required');
      const o = { data: body, updated: new Date().toISOString() };
      objects.set(name, o);
      return json(res, 200, resource(bucket, name, o));
    }
    if (m[3] === undefined) {
      if (req.method !== 'GET') return error(res, 405, 'Method not allowed');
      const prefix = url.searchParams.get('prefix') ?? '';
      const names = [...objects.keys()].filter((n) => n.startsWith(prefix)).sort();
      const start = Number(url.searchParams.get('pageToken') ?? 0);
      const page = names.slice(start, start + fake.pageSize);
      const next = start + fake.pageSize < names.length ? String(start + fake.pageSize) : undefined;
      return json(res, 200, { kind: 'storage#objects', items: page.map((n) => resource(bucket, n, objects.get(n)!)), ...(next ? { nextPageToken: next } : {}) });
    }
    const name = decodeURIComponent(m[3]);
    const o = objects.get(name);
    if (req.method === 'DELETE') {
      if (!o) return error(res, 404, `No such object: ${bucket}/${name}`);
      objects.delete(name);
      res.writeHead(204);
      return res.end();
    }
    if (!o) return error(res, 404, `No such object: ${bucket}/${name}`);
    if (url.searchParams.get('alt') === 'media') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': o.data.length });
      return res.end(o.data);
    }
    return json(res, 200, resource(bucket, name, o));
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    buckets: store,
    get pageSize() { return fake.pageSize; },
    set pageSize(n: number) { fake.pageSize = n; },
    requests,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
