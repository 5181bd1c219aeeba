"""Scheduling the store of cached upstream files (as ``storage.scheduling`` does for uploads)."""

from __future__ import annotations

import logging

from django.conf import settings

from privindex.celery import app
from upstream.pipeline import cached_file_store

log = logging.getLogger(__name__)

STORE_CACHED_FILE_TASK = "upstream.tasks.store_cached_file"
SWEEP_CACHED_FILES_TASK = "upstream.tasks.sweep_cached_files"


def enqueue_cached_store(file_id: int) -> None:
    """Store a cached file: in process without a broker, else by the task. Never raises: a
    file left staged is served from staging and found by the sweeper."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            cached_file_store(file_id=file_id)
        except Exception:
            log.exception("storing cached upstream file %s failed; it stays staged", file_id)
        return
    try:
        app.send_task(STORE_CACHED_FILE_TASK, args=(file_id,), ignore_result=True)
    except Exception as exc:
        log.warning("could not enqueue cached file %s (%s)", file_id, type(exc).__name__)
