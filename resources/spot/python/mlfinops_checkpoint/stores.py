"""Where checkpoints go: a local folder, S3 (boto3), Azure Blob (azure-storage-blob) or GCS (its JSON API over HTTPS).

Each store keeps objects under one prefix and offers get / put_bytes / put_file / list / delete on keys relative to
it. Every endpoint can be pointed elsewhere: MLFINOPS_S3_ENDPOINT, MLFINOPS_AZURE_BLOB_ENDPOINT,
MLFINOPS_GCS_ENDPOINT, MLFINOPS_GCE_METADATA_ENDPOINT.
"""

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request


class CheckpointError(Exception):
    """A checkpoint location that cannot be used; the message says how to fix it."""


def open_store(uri):
    if uri.startswith("s3://"):
        bucket, prefix = _split(uri, "s3://", 1)
        return S3Store(bucket, prefix)
    if uri.startswith("gs://"):
        bucket, prefix = _split(uri, "gs://", 1)
        return GcsStore(bucket, prefix)
    if uri.startswith("azure://"):
        account, container, prefix = _split(uri, "azure://", 2)
        return AzureBlobStore(account, container, prefix)
    if "://" in uri and not uri.startswith("file://"):
        raise CheckpointError(f"unsupported checkpoint location {uri}: use s3://, gs://, azure://account/container/ or a local path")
    return LocalStore(uri[len("file://"):] if uri.startswith("file://") else uri)


def _split(uri, scheme, parts):
    rest = uri[len(scheme):].strip("/").split("/", parts)
    if len(rest) < parts or not all(rest[:parts]):
        shape = "s3://bucket/prefix" if parts == 1 and scheme == "s3://" else "gs://bucket/prefix" if parts == 1 else "azure://account/container/prefix"
        raise CheckpointError(f"checkpoint location {uri} is incomplete: use {shape}")
    prefix = rest[parts] if len(rest) > parts else ""
    return (*rest[:parts], prefix.strip("/") + "/" if prefix.strip("/") else "")


class LocalStore:
    def __init__(self, root):
        self.root = os.path.abspath(root)

    def _path(self, key):
        return os.path.join(self.root, *key.split("/"))

    def get(self, key):
        try:
            with open(self._path(key), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def _atomic(self, key, write):
        path = self._path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def put_bytes(self, key, data):
        self._atomic(key, lambda f: f.write(data))

    def put_file(self, key, fileobj, size):
        self._atomic(key, lambda f: shutil.copyfileobj(fileobj, f, 8 << 20))

    def list(self, prefix):
        base = self._path(prefix)
        if not os.path.isdir(base):
            return []
        return sorted(prefix + n for n in os.listdir(base) if not n.startswith(".tmp-"))

    def delete(self, key):
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass


class S3Store:
    def __init__(self, bucket, prefix):
        try:
            import boto3
            from boto3.s3.transfer import TransferConfig
        except ImportError:
            raise CheckpointError("s3:// checkpoints need boto3: install it (pip install boto3, or apt-get install python3-boto3)") from None
        endpoint = os.environ.get("MLFINOPS_S3_ENDPOINT") or None
        self.client = boto3.client("s3", endpoint_url=endpoint)
        self.bucket, self.prefix = bucket, prefix
        self.transfer = TransferConfig(multipart_threshold=64 << 20, multipart_chunksize=64 << 20, max_concurrency=8)

    def get(self, key):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def put_bytes(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def put_file(self, key, fileobj, size):
        self.client.upload_fileobj(fileobj, self.bucket, self.prefix + key, Config=self.transfer)

    def list(self, prefix):
        out = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            out += [o["Key"][len(self.prefix):] for o in page.get("Contents", [])]
        return sorted(out)

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)


class AzureBlobStore:
    def __init__(self, account, container, prefix):
        try:
            from azure.core.exceptions import ResourceNotFoundError
            from azure.storage.blob import BlobServiceClient
        except ImportError:
            raise CheckpointError("azure:// checkpoints need azure-storage-blob: install it (pip install azure-storage-blob, or apt-get install python3-azure-storage)") from None
        self.not_found = ResourceNotFoundError
        endpoint = os.environ.get("MLFINOPS_AZURE_BLOB_ENDPOINT") or f"https://{account}.blob.core.windows.net"
        key = os.environ.get("AZURE_STORAGE_KEY")
        if key:
            credential = {"account_name": account, "account_key": key}
        elif os.environ.get("AZURE_STORAGE_CONNECTION_STRING"):
            credential = None
        else:
            try:
                from azure.identity import DefaultAzureCredential
            except ImportError:
                raise CheckpointError("azure:// checkpoints need credentials: set AZURE_STORAGE_KEY or AZURE_STORAGE_CONNECTION_STRING, or install azure-identity for the VM's managed identity") from None
            credential = DefaultAzureCredential()
        if credential is None:
            service = BlobServiceClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"])
        else:
            service = BlobServiceClient(account_url=endpoint, credential=credential)
        self.container = service.get_container_client(container)
        self.prefix = prefix

    def get(self, key):
        try:
            return self.container.download_blob(self.prefix + key, max_concurrency=4).readall()
        except self.not_found:
            return None

    def put_bytes(self, key, data):
        self.container.upload_blob(self.prefix + key, data, overwrite=True)

    def put_file(self, key, fileobj, size):
        self.container.upload_blob(self.prefix + key, fileobj, length=size, overwrite=True, max_concurrency=8)

    def list(self, prefix):
        return sorted(b.name[len(self.prefix):] for b in self.container.list_blobs(name_starts_with=self.prefix + prefix))

    def delete(self, key):
        try:
            self.container.delete_blob(self.prefix + key)
        except self.not_found:
            pass


class GcsStore:
    """Cloud Storage through its JSON API: objects.get (alt=media), objects.insert (uploadType=media), objects.list,
    objects.delete. The access token is MLFINOPS_GCS_TOKEN, else the VM's service account from the metadata server."""

    def __init__(self, bucket, prefix):
        self.endpoint = (os.environ.get("MLFINOPS_GCS_ENDPOINT") or "https://storage.googleapis.com").rstrip("/")
        self.bucket, self.prefix = bucket, prefix
        self._token, self._token_expiry = None, 0

    def _auth(self):
        import time

        token = os.environ.get("MLFINOPS_GCS_TOKEN")
        if token:
            return token
        if self._token and time.time() < self._token_expiry - 60:
            return self._token
        meta = (os.environ.get("MLFINOPS_GCE_METADATA_ENDPOINT") or "http://metadata.google.internal").rstrip("/")
        req = urllib.request.Request(f"{meta}/computeMetadata/v1/instance/service-accounts/default/token", headers={"Metadata-Flavor": "Google"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                doc = json.load(r)
        except OSError as e:
            raise CheckpointError(f"gs:// checkpoints need an access token: set MLFINOPS_GCS_TOKEN, or run on a VM with a service account ({e})") from None
        self._token, self._token_expiry = doc["access_token"], time.time() + int(doc.get("expires_in", 300))
        return self._token

    def _call(self, method, url, data=None, headers=None, ok404=False):
        req = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"Bearer {self._auth()}", **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                return r.read()
        except urllib.error.HTTPError as e:
            if e.code == 404 and ok404:
                return None
            raise CheckpointError(f"Cloud Storage {method} {url}: HTTP {e.code} {e.read()[:300]!r}") from None

    def _object(self, key):
        return f"{self.endpoint}/storage/v1/b/{self.bucket}/o/{urllib.parse.quote(self.prefix + key, safe='')}"

    def get(self, key):
        return self._call("GET", self._object(key) + "?alt=media", ok404=True)

    def _insert(self, key, data, size):
        name = urllib.parse.quote(self.prefix + key, safe="")
        url = f"{self.endpoint}/upload/storage/v1/b/{self.bucket}/o?uploadType=media&name={name}"
        self._call("POST", url, data=data, headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)})

    def put_bytes(self, key, data):
        self._insert(key, data, len(data))

    def put_file(self, key, fileobj, size):
        self._insert(key, fileobj, size)

    def list(self, prefix):
        out, token = [], None
        while True:
            q = {"prefix": self.prefix + prefix, "fields": "items(name),nextPageToken"}
            if token:
                q["pageToken"] = token
            doc = json.loads(self._call("GET", f"{self.endpoint}/storage/v1/b/{self.bucket}/o?{urllib.parse.urlencode(q)}"))
            out += [i["name"][len(self.prefix):] for i in doc.get("items", [])]
            token = doc.get("nextPageToken")
            if not token:
                return sorted(out)

    def delete(self, key):
        self._call("DELETE", self._object(key), ok404=True)
