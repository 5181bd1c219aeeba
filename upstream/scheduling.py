"""Scheduling the store of cached upstream files (as ``storage.scheduling`` does for uploads)."""

from __future__ import annotations

from storage.scheduling import run_or_send
from upstream.pipeline import cached_file_store

STORE_CACHED_FILE_TASK = "upstream.tasks.store_cached_file"
SWEEP_CACHED_FILES_TASK = "upstream.tasks.sweep_cached_files"


def enqueue_cached_store(file_id: int) -> None:
    """Store a cached file: in process without a broker, else by the task."""
    run_or_send(
        STORE_CACHED_FILE_TASK,
        file_id,
        lambda: cached_file_store(file_id=file_id),
        what="cached upstream file",
    )
