import { FinOpsError, isCancelled, isFinOpsError } from '../core/errors';

/**
 * Spot-training checkpoints in a bucket (S3, Cloud Storage, Azure Blob) or a local folder, as the shipped Python
 * package `mlfinops_checkpoint` writes them (docs/spot-bootstrap.md):
 *
 *   <uri>/manifest.json                              {"format":"mlfinops-checkpoint/1","latest","checkpoints":[…]}
 *   <uri>/checkpoints/step-000000001500-<id>.ckpt    one object per checkpoint
 *
 * The manifest is the only thing trusted as "latest"; objects it does not list are left-overs of an upload cut
 * short (shown, marked, deletable).
 */
export const CHECKPOINT_FORMAT = 'mlfinops-checkpoint/1';
const MANIFEST = 'manifest.json';
const PREFIX = 'checkpoints/';

export interface ManifestEntry { key: string; step: number; size: number; sha256: string; savedAt: string }
export interface CheckpointManifest { format: typeof CHECKPOINT_FORMAT; latest: string; checkpoints: ManifestEntry[] }

export interface CheckpointInfo {
  /** Key relative to the checkpoint URI (`checkpoints/step-…ckpt`). */
  key: string;
  /** The training step, from the manifest or the object's name. */
  step: number;
  sizeBytes: number;
  /** When it was saved (the manifest's time, else the object's last-modified), ISO 8601. */
  savedAt?: string;
  /** The manifest's latest: what a restart resumes from. */
  latest: boolean;
  /** False for an object the manifest does not list (an upload cut short or one not yet published). */
  published: boolean;
}

/** One object as a store lists it. */
export interface StoredObject { key: string; size: number; lastModified?: string }

/** What each storage service provides, on keys relative to the checkpoint URI. */
export interface ObjectBackend {
  get(key: string, signal?: AbortSignal): Promise<Buffer | undefined>;
  put(key: string, body: Buffer, signal?: AbortSignal): Promise<void>;
  list(prefix: string, signal?: AbortSignal): Promise<StoredObject[]>;
  delete(key: string, signal?: AbortSignal): Promise<void>;
}

/** The checkpoints of one spot job, whatever the store. */
export interface ObjectStore {
  readonly uri: string;
  /** The published manifest, or undefined when nothing was saved yet. */
  readManifest(signal?: AbortSignal): Promise<CheckpointManifest | undefined>;
  /** Every checkpoint, newest (highest step) first, published or not. */
  listCheckpoints(signal?: AbortSignal): Promise<CheckpointInfo[]>;
  /** Deletes one checkpoint: first from the manifest (so it is never resumed from), then the object. */
  deleteCheckpoint(key: string, signal?: AbortSignal): Promise<void>;
  /**
   * Makes a published checkpoint the one the next start resumes from: first in the manifest and its latest. Later
   * checkpoints are unpublished (listed, never resumed from; the trainer's next save deletes them).
   */
  publishLatest(key: string, signal?: AbortSignal): Promise<void>;
}

/** Endpoint overrides (tests, sovereign clouds, S3-compatible stores); empty means the cloud's own. */
export interface ObjectStoreOptions {
  s3Endpoint?: string;
  gcsEndpoint?: string;
  azureBlobEndpoint?: string;
  /** Azure: a connection string (Azurite, account keys); otherwise DefaultAzureCredential. */
  azureConnectionString?: string;
  /** GCS: where access tokens come from (tests pass a fixed one); default: `googleAccessToken`, else ADC. */
  gcsAccessToken?: () => Promise<string>;
  /** GCS: an OAuth 2.0 access token to use as such (GOOGLE_OAUTH_ACCESS_TOKEN). */
  googleAccessToken?: string;
  region?: string;
  /** S3: a shared-config profile (SSO, assume-role); empty = the SDK's default chain. */
  awsProfile?: string;
}

export type CheckpointLocation =
  | { kind: 's3'; bucket: string; prefix: string }
  | { kind: 'gcs'; bucket: string; prefix: string }
  | { kind: 'azure'; account: string; container: string; prefix: string }
  | { kind: 'local'; path: string };

/** Reads a checkpoint URI: s3://bucket/prefix, gs://bucket/prefix, azure://account/container/prefix or a path. */
export function parseCheckpointUri(uri: string): CheckpointLocation {
  const bad = (shape: string) => new FinOpsError('input', `The checkpoint location "${uri}" is incomplete.`, { fix: `Write it as ${shape}.` });
  const prefixOf = (parts: string[]) => { const p = parts.join('/').replace(/^\/+|\/+$/g, ''); return p ? `${p}/` : ''; };
  const m = /^([a-z0-9]+):\/\/(.*)$/.exec(uri.trim());
  if (!m) {
    if (!uri.trim()) throw bad('s3://bucket/prefix, gs://bucket/prefix, azure://account/container/prefix or a local folder');
    return { kind: 'local', path: uri };
  }
  const rest = m[2] ?? '';
  const parts = rest.split('/').filter((p) => p !== '');
  const [bucketOrAccount = '', container = ''] = parts;
  switch (m[1]) {
    case 's3':
      if (!bucketOrAccount) throw bad('s3://bucket/prefix');
      return { kind: 's3', bucket: bucketOrAccount, prefix: prefixOf(parts.slice(1)) };
    case 'gs':
      if (!bucketOrAccount) throw bad('gs://bucket/prefix');
      return { kind: 'gcs', bucket: bucketOrAccount, prefix: prefixOf(parts.slice(1)) };
    case 'azure':
      if (!bucketOrAccount || !container) throw bad('azure://account/container/prefix');
      return { kind: 'azure', account: bucketOrAccount, container, prefix: prefixOf(parts.slice(2)) };
    case 'file':
      return { kind: 'local', path: rest };
    default:
      throw new FinOpsError('input', `The checkpoint location "${uri}" uses an unsupported scheme "${m[1]}://".`, { fix: 'Use s3://, gs://, azure://account/container/ or a local folder.' });
  }
}

/** The step a checkpoint object's name carries (`step-000000001500-…`), or NaN. */
function stepOf(key: string): number {
  const m = /step-(\d+)-[^/]*$/.exec(key);
  return m ? Number(m[1]) : Number.NaN;
}

function validManifest(doc: unknown, uri: string): CheckpointManifest {
  const d = doc as Partial<CheckpointManifest> | null;
  const ok = !!d && d.format === CHECKPOINT_FORMAT && typeof d.latest === 'string' && Array.isArray(d.checkpoints)
    && d.checkpoints.every((e) => !!e && typeof e.key === 'string' && typeof e.step === 'number' && typeof e.size === 'number');
  if (!ok) throw new FinOpsError('input', `${uri}/${MANIFEST} is not an ML FinOps checkpoint manifest.`, { fix: 'Point the job at a location only mlfinops_checkpoint writes to.' });
  return d as CheckpointManifest;
}

/** An ObjectStore over any backend: the manifest and listing logic every store shares. */
export function checkpointStore(uri: string, backend: ObjectBackend): ObjectStore {
  const trimmed = uri.replace(/\/+$/, '');
  const readManifest = async (signal?: AbortSignal) => {
    const body = await backend.get(MANIFEST, signal);
    if (!body) return undefined;
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      doc = null;
    }
    return validManifest(doc, trimmed);
  };
  return {
    uri: trimmed,
    readManifest,
    async listCheckpoints(signal) {
      const [manifest, objects] = await Promise.all([readManifest(signal), backend.list(PREFIX, signal)]);
      const published = new Map((manifest?.checkpoints ?? []).map((e) => [e.key, e]));
      const present = new Set(objects.map((o) => o.key));
      const out: CheckpointInfo[] = objects.map((o) => {
        const e = published.get(o.key);
        return {
          key: o.key, step: e?.step ?? stepOf(o.key), sizeBytes: e?.size ?? o.size, savedAt: e?.savedAt ?? o.lastModified,
          latest: manifest?.latest === o.key, published: !!e,
        };
      });
      // a published entry whose object is gone is still worth showing: a restart would fail on it
      for (const e of published.values()) {
        if (!present.has(e.key)) out.push({ key: e.key, step: e.step, sizeBytes: 0, savedAt: e.savedAt, latest: manifest?.latest === e.key, published: true });
      }
      return out.sort((a, b) => (b.step - a.step) || a.key.localeCompare(b.key));
    },
    async deleteCheckpoint(key, signal) {
      if (!key.startsWith(PREFIX) || key.includes('..')) {
        throw new FinOpsError('input', `"${key}" is not a checkpoint of ${trimmed}.`, { fix: 'Choose a checkpoint from the list.' });
      }
      const manifest = await readManifest(signal);
      if (manifest?.checkpoints.some((e) => e.key === key)) {
        const checkpoints = manifest.checkpoints.filter((e) => e.key !== key);
        const next = { ...manifest, checkpoints, latest: manifest.latest === key ? (checkpoints[0]?.key ?? '') : manifest.latest };
        await backend.put(MANIFEST, Buffer.from(JSON.stringify(next, null, 1)), signal);
      }
      await backend.delete(key, signal);
    },
    async publishLatest(key, signal) {
      const manifest = await readManifest(signal);
      if (!manifest?.checkpoints.some((e) => e.key === key)) {
        throw new FinOpsError('input', `"${key}" is not a published checkpoint of ${trimmed} (an upload cut short is never resumed from).`, { fix: 'Choose a checkpoint the manifest lists.' });
      }
      const chosen = manifest.checkpoints.find((e) => e.key === key)!;
      // the trainer resumes from the manifest's first readable entry: the later ones are unpublished (their objects
      // stay until the trainer's next save removes them)
      const checkpoints = [chosen, ...manifest.checkpoints.filter((e) => e.key !== key && e.step < chosen.step)];
      if (manifest.latest === key && manifest.checkpoints[0]?.key === key) return;
      await backend.put(MANIFEST, Buffer.from(JSON.stringify({ ...manifest, latest: key, checkpoints }, null, 1)), signal);
    },
  };
}

/** The ObjectStore for a checkpoint URI; the cloud's SDK is loaded only when a store of that cloud is opened. */
export async function openObjectStore(uri: string, options: ObjectStoreOptions = {}): Promise<ObjectStore> {
  const where = parseCheckpointUri(uri);
  let backend: ObjectBackend;
  switch (where.kind) {
    case 's3': backend = await (await import('./objectStore/s3')).s3Backend(where, options); break;
    case 'gcs': backend = (await import('./objectStore/gcs')).gcsBackend(where, options); break;
    case 'azure': backend = await (await import('./objectStore/azureBlob')).azureBlobBackend(where, options); break;
    case 'local': backend = (await import('./objectStore/local')).localBackend(where.path); break;
  }
  return checkpointStore(uri, guarded(uri, backend));
}

/** Every backend failure becomes a FinOpsError that names the location. */
function guarded(uri: string, backend: ObjectBackend): ObjectBackend {
  const wrap = <A extends unknown[], R>(what: string, f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    try {
      return await f(...a);
    } catch (e) {
      throw storeError(e, uri, what);
    }
  };
  return { get: wrap('read', backend.get), put: wrap('write', backend.put), list: wrap('list', backend.list), delete: wrap('delete', backend.delete) };
}

/** A storage failure in the product's terms. Exported for the backends' tests. */
export function storeError(e: unknown, uri: string, what: string): unknown {
  if (isFinOpsError(e) || isCancelled(e)) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as { name?: string; code?: string; statusCode?: number; status?: number; message?: string; cause?: { code?: string }; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode ?? err.statusCode ?? err.status;
  const code = err.code ?? err.cause?.code ?? '';
  const name = err.name ?? '';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH/.test(code) || name === 'TimeoutError' || (name === 'TypeError' && /fetch failed/.test(err.message ?? ''))) {
    return new FinOpsError('unavailable', `The checkpoint store of ${uri} cannot be reached (${code || name}).`, { fix: 'Check the network and the endpoint setting, then retry.', cause: e });
  }
  if (name === 'NoSuchBucket' || code === 'ContainerNotFound' || code === 'NoSuchBucket' || (status === 404 && what === 'list')) {
    return new FinOpsError('input', `The bucket or container of ${uri} does not exist.`, { fix: 'Create it, or correct the job\'s checkpointUri.', cause: e });
  }
  if (status === 401 || status === 403 || name === 'AccessDenied' || code === 'AuthorizationFailure' || code === 'AuthenticationFailed') {
    return new FinOpsError('permission', `Access to ${uri} was refused (${what}).`, { fix: `Allow ${what} on the bucket for your credentials, or sign in again.`, cause: e });
  }
  if (status === 429 || status === 503 || name === 'SlowDown') {
    return new FinOpsError('throttled', `The checkpoint store of ${uri} asks to slow down.`, { fix: 'Wait a minute, then retry.', cause: e });
  }
  return new FinOpsError('internal', `Could not ${what} checkpoints in ${uri}: ${err.message ?? String(e)}`, { fix: 'Retry; if it persists, see the log.', cause: e });
}
