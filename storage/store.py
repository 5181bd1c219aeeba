"""The configured store: the local file system by default, or S3 (``PRIVINDEX_STORAGE=s3``)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from storage.base import FileStore
from storage.local import LocalFileStore


@lru_cache(maxsize=1)
def get_store() -> FileStore:
    if settings.PRIVINDEX_STORAGE == "s3":
        from storage.s3 import S3FileStore  # boto3 is loaded only where S3 is configured

        return S3FileStore.from_settings()
    return LocalFileStore(settings.PRIVINDEX_FILES_DIR)
