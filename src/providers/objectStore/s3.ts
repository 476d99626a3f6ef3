import type { ObjectBackend, ObjectStoreOptions, StoredObject } from '../objectStore';

/** S3 (or an S3-compatible endpoint) through @aws-sdk/client-s3, with the SDK's own credential chain. */
export async function s3Backend(where: { bucket: string; prefix: string }, options: ObjectStoreOptions): Promise<ObjectBackend> {
  const { S3Client, GetObjectCommand, PutObjectCommand, ListObjectsV2Command, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    ...(options.region ? { region: options.region } : {}),
    ...(options.awsProfile ? { profile: options.awsProfile } : {}),
    ...(options.s3Endpoint ? { endpoint: options.s3Endpoint, forcePathStyle: true } : {}),
  });
  const { bucket, prefix } = where;
  return {
    async get(key, signal) {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + key }), { abortSignal: signal });
        return Buffer.from(await r.Body!.transformToByteArray());
      } catch (e) {
        if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
        throw e;
      }
    },
    async put(key, body, signal) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: prefix + key, Body: body }), { abortSignal: signal });
    },
    async list(sub, signal) {
      const out: StoredObject[] = [];
      let token: string | undefined;
      do {
        const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix + sub, ContinuationToken: token }), { abortSignal: signal });
        for (const o of r.Contents ?? []) out.push({ key: (o.Key ?? '').slice(prefix.length), size: o.Size ?? 0, lastModified: o.LastModified?.toISOString() });
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return out;
    },
    async delete(key, signal) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + key }), { abortSignal: signal });
    },
  };
}
