"""Celery tasks for cached upstream files: store one, and sweep those left staged."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from storage.errors import FileLost
from upstream.pipeline import cached_file_store, cached_files_left
from upstream.scheduling import STORE_CACHED_FILE_TASK, SWEEP_CACHED_FILES_TASK

log = logging.getLogger(__name__)


@shared_task(name=STORE_CACHED_FILE_TASK, acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def store_cached_file(file_id: int) -> str:
    try:
        row = cached_file_store(file_id=file_id)
    except FileLost as exc:
        log.error("%s", exc)
        return "lost"
    except OSError as exc:
        log.warning("storing cached file %s failed (%s); the sweeper will retry", file_id, exc)
        return "staged"
    return "gone" if row is None else row.storage_state


@shared_task(name=SWEEP_CACHED_FILES_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def sweep_cached_files() -> int:
    ids = cached_files_left(older_than=settings.PRIVINDEX_STAGED_AGE_SECONDS)
    for file_id in ids:
        store_cached_file.delay(file_id)
    return len(ids)
