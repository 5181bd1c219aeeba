"""Cached upstream files through the store pipeline: staged, stored, verified, purged.

The same order as ``storage.pipeline.file_store``: copy to the store, verify size and sha256,
mark the row ``stored``, only then remove the staged copy. Idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import QuerySet
from django.utils import timezone

from storage.errors import FileLost, StoreError
from storage.staging import staging_path, unstage
from storage.store import get_store
from upstream.models import CachedFile, CachedFileState, CachedPage

log = logging.getLogger(__name__)


def cached_file_store(*, file_id: int) -> CachedFile | None:
    row = CachedFile.objects.filter(pk=file_id).first()
    if row is None:
        return None
    key = row.storage_key
    if row.storage_state == CachedFileState.STORED:
        unstage(key)
        return row
    store = get_store()
    if store.verify(key, size=row.size, sha256=row.sha256) is not None:
        try:
            store.put(key, staging_path(key))
        except FileNotFoundError:
            if CachedFile.objects.filter(pk=row.pk, storage_state=CachedFileState.STORED).exists():
                return CachedFile.objects.get(pk=row.pk)
            # The staged copy is gone: forget the row, the next request fetches again.
            CachedFile.objects.filter(pk=row.pk).delete()
            raise FileLost(f"cached file {row.pk} ({row.filename}): staged copy missing") from None
        problem = store.verify(key, size=row.size, sha256=row.sha256)
        if problem is not None:
            raise StoreError(f"cached file {row.pk} ({row.filename}) did not verify: {problem}")
    CachedFile.objects.filter(pk=row.pk, storage_state=CachedFileState.STAGED).update(
        storage_state=CachedFileState.STORED, stored_at=timezone.now()
    )
    unstage(key)
    row.refresh_from_db()
    return row


def cached_files_left(*, older_than: float, limit: int = 1000) -> list[int]:
    """Cached files still staged ``older_than`` seconds after their fetch (the sweeper)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than)
    return list(
        CachedFile.objects.filter(storage_state=CachedFileState.STAGED, fetched_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def cache_purge(pages: QuerySet[CachedPage]) -> tuple[int, int]:
    """Forget ``pages`` and every file kept for their projects: (pages, files) removed.

    The bytes go from staging and the store first, then the rows, so a failure leaves rows
    that a later purge removes (never bytes nobody knows of)."""
    keys = list(pages.values_list("upstream_id", "name"))
    files = CachedFile.objects.none()
    for upstream_id, name in keys:
        files = files | CachedFile.objects.filter(upstream_id=upstream_id, name=name)
    store = get_store()
    removed_files = 0
    for row in files:
        unstage(row.storage_key)
        if row.storage_state == CachedFileState.STORED:
            store.delete(row.storage_key)
        row.delete()
        removed_files += 1
    removed_pages, _ = pages.delete()
    return removed_pages, removed_files
