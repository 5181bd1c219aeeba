"""The local file system store: files on disk under ``PRIVINDEX_FILES_DIR``."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from storage.base import CHUNK, sha256_of
from storage.errors import StoreError


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

    def presigned_url(
        self, key: str, *, filename: str, expires: int, method: str = "GET"
    ) -> str | None:
        return None  # served by the app
