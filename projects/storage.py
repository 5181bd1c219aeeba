"""Where file bytes live: staging (local disk, written by uploads) and the configured store.

The store is the local file system by default, or S3 (``PRIVINDEX_STORAGE=s3``, in
``projects.s3``). Keys are content-addressed (``File.storage_key``); a key's bytes never change
once written, so writing a key twice is harmless and every operation here is idempotent.

Staging must be shared by the web processes (which write it) and the workers (which copy it
to the store): one host, or a shared volume.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from django.conf import settings

if TYPE_CHECKING:
    from projects.models import File

CHUNK = 1024 * 1024
# Staged files without a database row are abandoned uploads once this old (a transaction
# never lasts that long).
ABANDONED_STAGED_SECONDS = 24 * 3600
STAGED_COPY_MISSING = "staged copy missing"


class StoreError(OSError):
    """The store cannot be reached or refused an operation; retrying later may succeed."""


class FileLost(Exception):
    """A staged file cannot be stored because its staged copy is gone or damaged.

    No retry can help; the file stays ``staged`` and ``checkstorage`` reports it.
    """


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

    def verify(self, key: str, *, size: int, sha256: str, deep: bool = True) -> str | None:
        actual = self.size(key)
        if actual is None:
            return "stored copy missing"
        if actual != size:
            return f"stored copy has {actual} bytes, expected {size}"
        if deep and self.sha256(key) != sha256:
            return "stored copy has the wrong sha256"
        return None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def ping(self) -> None:
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreError(f"{self.root} is not writable")

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


def check_file(file: File, *, deep: bool = True) -> str | None:
    """What is wrong with ``file``'s bytes where the database says they are, or None.

    A stored file is checked in the store (size, sha256); a staged file in staging. No
    database access (safe in threads). Raises StoreError when the store cannot be asked.
    """
    from projects.models import StorageState

    if file.storage_state == StorageState.STORED:
        return get_store().verify(file.storage_key, size=file.size, sha256=file.sha256, deep=deep)
    path = staging_path(file.storage_key)
    try:
        actual = path.stat().st_size
    except FileNotFoundError:
        return STAGED_COPY_MISSING  # or stored meanwhile: callers re-read the row to tell
    if actual != file.size:
        return f"staged copy has {actual} bytes, expected {file.size}"
    if deep:
        with open(path, "rb") as fh:
            if sha256_of(fh) != file.sha256:
                return "staged copy has the wrong sha256"
    return None


def old_staged_files(older_than: float) -> list[tuple[str, float]]:
    """(storage key, age in seconds) of staged files not modified for ``older_than`` seconds.

    Upload temp files (``.incoming``) are listed under their path relative to staging.
    """
    root = Path(settings.PRIVINDEX_STAGING_DIR)
    now = time.time()
    found = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath) / name
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            if age >= older_than:
                found.append((path.relative_to(root).as_posix(), age))
    return found
