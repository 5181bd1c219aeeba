"""The store protocol every backend implements (``storage.local``, ``storage.s3``)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024


class FileStore(Protocol):
    def put(self, key: str, source: Path) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int | None: ...
    def sha256(self, key: str) -> str | None: ...
    def verify(self, key: str, *, size: int, sha256: str, deep: bool = True) -> str | None:
        """None when the stored copy is ``size`` bytes hashing to ``sha256``, else what is
        wrong. ``deep=False`` skips reading the bytes back where the store cannot vouch for
        the digest itself (S3 multipart objects): only the size is compared then."""
        ...

    def delete(self, key: str) -> None: ...
    def ping(self) -> None:
        """Raise if the store cannot be reached."""
        ...

    def presigned_url(
        self, key: str, *, filename: str, expires: int, method: str = "GET"
    ) -> str | None: ...


def sha256_of(fh: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()
