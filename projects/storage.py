"""Where file bytes live: staging (local disk, written by uploads) and the configured store.

The store is the local file system by default, or S3 (``PRIVINDEX_STORAGE=s3``). Keys are
content-addressed (``File.storage_key``); a key's bytes never change once written.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings

CHUNK = 1024 * 1024


class FileStore(Protocol):
    def put(self, key: str, source: Path) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int | None: ...
    def sha256(self, key: str) -> str | None: ...
    def delete(self, key: str) -> None: ...
    def presigned_url(
        self, key: str, *, filename: str, expires: int, method: str = "GET"
    ) -> str | None: ...


class LocalFileStore:
    """Files on disk under ``PRIVINDEX_FILES_DIR``; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key escapes the store")
        return path

    def put(self, key: str, source: Path) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def sha256(self, key: str) -> str | None:
        try:
            with self.open(key) as fh:
                return sha256_of(fh)
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def presigned_url(self, key: str, *, filename: str, expires: int, method: str = "GET"):
        return None  # served by the app


def sha256_of(fh: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def get_store() -> FileStore:
    if settings.PRIVINDEX_STORAGE == "s3":
        from projects.s3 import S3FileStore

        return S3FileStore.from_settings()
    return LocalFileStore(settings.PRIVINDEX_FILES_DIR)


def staging_path(storage_key: str) -> Path:
    root = Path(settings.PRIVINDEX_STAGING_DIR)
    path = (root / storage_key).resolve()
    if root.resolve() not in path.parents:
        raise ValueError("storage key escapes staging")
    return path


def stage(source: Path, storage_key: str) -> Path:
    """Move an uploaded temp file into staging (same file system: a rename)."""
    target = staging_path(storage_key)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:
        shutil.copyfile(source, target)
        Path(source).unlink(missing_ok=True)
    return target


def unstage(storage_key: str) -> None:
    path = staging_path(storage_key)
    path.unlink(missing_ok=True)
    # Remove the now-empty content-addressed directories (best effort).
    root = Path(settings.PRIVINDEX_STAGING_DIR).resolve()
    parent = path.parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
