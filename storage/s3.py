"""The S3 file store (``PRIVINDEX_STORAGE=s3``): AWS S3 or any S3-compatible service.

django-storages reads the ``AWS_*`` settings (credentials or profile, endpoint, region, key
prefix) and builds the boto3 client. This module drives that client directly for what a
Django ``Storage`` cannot express: multipart uploads with per-part SHA-256 checksums,
verification against the database digest, ranged streaming reads and presigned URLs that
name the distribution file.

Every failure to reach or use the bucket surfaces as ``StoreError`` (an ``OSError``), and a
missing object as ``FileNotFoundError``, so callers never see botocore types.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from storage.base import CHUNK
from storage.errors import StoreError

log = logging.getLogger(__name__)

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_ERRORS = (BotoCoreError, ClientError, Boto3Error)


def _translate(exc: Exception, action: str, key: str) -> OSError:
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _NOT_FOUND:
            return FileNotFoundError(f"{key} is not in the bucket")
        return StoreError(f"S3 {action} {key} failed: {code or exc}")
    return StoreError(f"S3 {action} {key} failed: {type(exc).__name__}: {exc}")


def full_object_sha256(head: dict[str, Any]) -> str | None:
    """The SHA-256 S3 computed over the whole object (hex), or None if it has none.

    A multipart object's checksum is a checksum of the part checksums ("COMPOSITE", and a
    ``-N`` suffix on it or on the ETag where the service does not say): not comparable.
    """
    value = head.get("ChecksumSHA256")
    if not value:
        return None
    kind = head.get("ChecksumType")
    if kind == "COMPOSITE" or (kind is None and ("-" in value or "-" in head.get("ETag", ""))):
        return None
    try:
        return base64.b64decode(value, validate=True).hex()
    except ValueError:
        return None


def content_disposition(filename: str) -> str:
    """``attachment`` naming the file, so a browser saves it under its distribution name."""
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
    return f'attachment; filename="{quoted}"'


class S3FileStore:
    """Objects in one bucket, under an optional key prefix (``AWS_LOCATION``)."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        *,
        prefix: str = "",
        presign_client: Any = None,
        transfer_config: TransferConfig | None = None,
        test_delay: float = 0.0,
    ) -> None:
        if not bucket:
            raise ImproperlyConfigured("PRIVINDEX_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.presign_client = presign_client or client
        self.transfer_config = transfer_config or TransferConfig()
        self.test_delay = test_delay

    @classmethod
    def from_settings(cls) -> S3FileStore:
        from storages.backends.s3 import S3Storage

        config = Config(
            connect_timeout=settings.PRIVINDEX_S3_CONNECT_TIMEOUT,
            read_timeout=settings.PRIVINDEX_S3_READ_TIMEOUT,
            retries={"max_attempts": 3, "mode": "standard"},
            signature_version=settings.AWS_S3_SIGNATURE_VERSION,
            s3={"addressing_style": settings.AWS_S3_ADDRESSING_STYLE or "auto"},
        )
        backend = S3Storage(client_config=config)
        client = backend.connection.meta.client  # boto3 clients are thread-safe
        presign_client = None
        if settings.PRIVINDEX_S3_PUBLIC_ENDPOINT_URL:
            public = S3Storage(
                client_config=config, endpoint_url=settings.PRIVINDEX_S3_PUBLIC_ENDPOINT_URL
            )
            presign_client = public.connection.meta.client
        transfer = TransferConfig(
            multipart_threshold=settings.PRIVINDEX_S3_MULTIPART_THRESHOLD,
            multipart_chunksize=settings.PRIVINDEX_S3_MULTIPART_CHUNKSIZE,
            max_concurrency=4,
        )
        return cls(
            client,
            backend.bucket_name,
            prefix=backend.location,
            presign_client=presign_client,
            transfer_config=transfer,
            test_delay=settings.PRIVINDEX_TEST_STORE_DELAY,
        )

    def object_key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    # --- writing -------------------------------------------------------------------------

    def put(self, key: str, source: Path) -> None:
        """Upload ``source``; multipart above the threshold. botocore sends a SHA-256 of
        the bytes it reads (of each part, for multipart) and S3 rejects bytes that do not
        match it, so what is stored is what was read."""
        extra = {"ContentType": "application/octet-stream", "ChecksumAlgorithm": "SHA256"}
        try:
            self.client.upload_file(
                str(source),
                self.bucket,
                self.object_key(key),
                ExtraArgs=extra,
                Config=self.transfer_config,
                Callback=_PauseOnce(self.test_delay) if self.test_delay else None,
            )
        except _ERRORS as exc:
            raise _translate(exc, "upload", key) from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))
        except _ERRORS as exc:
            raise _translate(exc, "delete", key) from exc

    # --- reading -------------------------------------------------------------------------

    def head(self, key: str) -> dict[str, Any] | None:
        try:
            head: dict[str, Any] = self.client.head_object(
                Bucket=self.bucket, Key=self.object_key(key), ChecksumMode="ENABLED"
            )
            return head
        except _ERRORS as exc:
            error = _translate(exc, "head", key)
            if isinstance(error, FileNotFoundError):
                return None
            raise error from exc

    def exists(self, key: str) -> bool:
        return self.head(key) is not None

    def size(self, key: str) -> int | None:
        head = self.head(key)
        return None if head is None else int(head["ContentLength"])

    def sha256(self, key: str) -> str | None:
        head = self.head(key)
        if head is None:
            return None
        return full_object_sha256(head) or self._read_sha256(key)

    def verify(self, key: str, *, size: int, sha256: str, deep: bool = True) -> str | None:
        head = self.head(key)
        if head is None:
            return "stored copy missing"
        if int(head["ContentLength"]) != size:
            return f"stored copy has {head['ContentLength']} bytes, expected {size}"
        digest = full_object_sha256(head)
        if digest is None and deep:
            try:
                digest = self._read_sha256(key)
            except FileNotFoundError:
                return "stored copy missing"
        if digest is not None and digest != sha256:
            return "stored copy has the wrong sha256"
        return None

    def _read_sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        with self.open(key) as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def open(self, key: str) -> BinaryIO:
        """A seekable reader; the first GET happens now, so a missing object or an
        unreachable bucket raises here and not halfway through a response."""
        return io.BufferedReader(_S3Reader(self, key), buffer_size=CHUNK)

    def _get(self, key: str, start: int = 0) -> dict[str, Any]:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.object_key(key)}
        if start:
            params["Range"] = f"bytes={start}-"
        try:
            response: dict[str, Any] = self.client.get_object(**params)
            return response
        except _ERRORS as exc:
            raise _translate(exc, "get", key) from exc

    # --- the rest ------------------------------------------------------------------------

    def ping(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except _ERRORS as exc:
            error = _translate(exc, "head bucket", self.bucket)
            if isinstance(error, FileNotFoundError):
                error = StoreError(f"bucket {self.bucket} does not exist")
            raise error from exc

    def presigned_url(
        self, key: str, *, filename: str, expires: int, method: str = "GET"
    ) -> str | None:
        """A URL for GET that expires in ``expires`` seconds and makes the response name
        ``filename``. HEAD is answered by the app, never presigned."""
        if method != "GET":
            return None
        params = {
            "Bucket": self.bucket,
            "Key": self.object_key(key),
            "ResponseContentDisposition": content_disposition(filename),
        }
        try:
            url: str = self.presign_client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires
            )
            return url
        except _ERRORS as exc:
            raise _translate(exc, "presign", key) from exc


class _S3Reader(io.RawIOBase):
    """Reads an object from any offset: a seek starts a new ranged GET when it moves."""

    def __init__(self, store: S3FileStore, key: str) -> None:
        super().__init__()
        self.store, self.key = store, key
        response = store._get(key)
        self.length = int(response["ContentLength"])
        self.body: Any = response["Body"]
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence]
        target = max(0, base + offset)
        if target != self.position:
            self._drop_body()
            self.position = target
        return self.position

    def readinto(self, buffer: Any) -> int:
        if self.position >= self.length:
            return 0
        if self.body is None:
            self.body = self.store._get(self.key, self.position)["Body"]
        try:
            data = self.body.read(len(buffer))
        except _ERRORS as exc:
            raise _translate(exc, "read", self.key) from exc
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def _drop_body(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None

    def close(self) -> None:
        self._drop_body()
        super().close()


class _PauseOnce:
    """Test-only upload callback: pause once, after the first bytes went out, so a test can
    kill the worker in the middle of a transfer (``PRIVINDEX_TEST_STORE_DELAY``)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.done = False

    def __call__(self, transferred: int) -> None:
        with self.lock:
            if self.done or transferred <= 0:
                return
            self.done = True
        log.warning("test store delay: pausing %.1fs in the middle of an upload", self.seconds)
        time.sleep(self.seconds)
