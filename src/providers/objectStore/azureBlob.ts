import type { ObjectBackend, ObjectStoreOptions, StoredObject } from '../objectStore';

/**
 * Azure Blob through @azure/storage-blob: a connection string when given (account keys, Azurite), else
 * DefaultAzureCredential. The endpoint is https://<account>.blob.core.windows.net unless overridden.
 */
export async function azureBlobBackend(where: { account: string; container: string; prefix: string }, options: ObjectStoreOptions): Promise<ObjectBackend> {
  const { BlobServiceClient } = await import('@azure/storage-blob');
  let service;
  if (options.azureConnectionString) {
    service = BlobServiceClient.fromConnectionString(options.azureConnectionString);
  } else {
    const { DefaultAzureCredential } = await import('@azure/identity');
    service = new BlobServiceClient(options.azureBlobEndpoint || `https://${where.account}.blob.core.windows.net`, new DefaultAzureCredential());
  }
  const container = service.getContainerClient(where.container);
  const { prefix } = where;
  return {
    async get(key, signal) {
      try {
        return await container.getBlobClient(prefix + key).downloadToBuffer(undefined, undefined, { abortSignal: signal });
      } catch (e) {
        if ((e as { statusCode?: number; code?: string }).statusCode === 404 && (e as { code?: string }).code !== 'ContainerNotFound') return undefined;
        throw e;
      }
    },
    async put(key, body, signal) {
      await container.getBlockBlobClient(prefix + key).uploadData(body, { abortSignal: signal });
    },
    async list(sub, signal) {
      const out: StoredObject[] = [];
      for await (const b of container.listBlobsFlat({ prefix: prefix + sub, abortSignal: signal })) {
        out.push({ key: b.name.slice(prefix.length), size: b.properties.contentLength ?? 0, lastModified: b.properties.lastModified?.toISOString() });
      }
      return out;
    },
    async delete(key, signal) {
      await container.getBlobClient(prefix + key).deleteIfExists({ abortSignal: signal });
    },
  };
}
