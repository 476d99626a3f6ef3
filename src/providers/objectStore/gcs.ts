import { gcpAccessToken } from '../gcp/config';
import type { ObjectBackend, ObjectStoreOptions, StoredObject } from '../objectStore';

/**
 * Cloud Storage through its JSON API (objects.get alt=media, objects.insert uploadType=media, objects.list,
 * objects.delete) over HTTPS with a bearer token from `options.gcsAccessToken`.
 */
export function gcsBackend(where: { bucket: string; prefix: string }, options: ObjectStoreOptions): ObjectBackend {
  const endpoint = (options.gcsEndpoint || 'https://storage.googleapis.com').replace(/\/+$/, '');
  const { bucket, prefix } = where;
  const token = options.gcsAccessToken ?? gcpAccessToken({ accessToken: options.googleAccessToken });
  const call = async (method: string, url: string, body?: Buffer, signal?: AbortSignal): Promise<Response | undefined> => {
    const r = await fetch(url, { method, signal, body: body ? new Uint8Array(body) : undefined, headers: { authorization: `Bearer ${await token()}`, ...(body ? { 'content-type': 'application/octet-stream' } : {}) } });
    if (r.status === 404 && method !== 'POST' && !/\/o\?/.test(url)) return undefined;
    if (!r.ok) {
      const text = await r.text();
      throw Object.assign(new Error(`Cloud Storage ${method}: HTTP ${r.status} ${text.slice(0, 300)}`), { status: r.status });
    }
    return r;
  };
  const object = (key: string) => `${endpoint}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(prefix + key)}`;
  return {
    async get(key, signal) {
      const r = await call('GET', `${object(key)}?alt=media`, undefined, signal);
      return r ? Buffer.from(await r.arrayBuffer()) : undefined;
    },
    async put(key, body, signal) {
      await call('POST', `${endpoint}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=media&name=${encodeURIComponent(prefix + key)}`, body, signal);
    },
    async list(sub, signal) {
      const out: StoredObject[] = [];
      let page: string | undefined;
      do {
        const q = new URLSearchParams({ prefix: prefix + sub, ...(page ? { pageToken: page } : {}) });
        const r = await call('GET', `${endpoint}/storage/v1/b/${encodeURIComponent(bucket)}/o?${q}`, undefined, signal);
        const doc = (await r!.json()) as { items?: { name: string; size?: string; updated?: string }[]; nextPageToken?: string };
        for (const i of doc.items ?? []) out.push({ key: i.name.slice(prefix.length), size: Number(i.size ?? 0), lastModified: i.updated });
        page = doc.nextPageToken;
      } while (page);
      return out;
    },
    async delete(key, signal) {
      await call('DELETE', object(key), undefined, signal);
    },
  };
}
