"""Celery tasks: fetch by id, call a service. Idempotent; the broker may deliver twice.

``store_file`` is enqueued on commit of an upload and retried with exponential backoff; the
periodic ``sweep_staged_files`` (beat) catches whatever that misses: a broker that was down
at upload time, a task lost with its worker, retries exhausted during a long store outage.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import InterfaceError, OperationalError

from storage.errors import FileLost
from storage.pipeline import (
    file_bytes_remove,
    file_removals_left,
    file_store,
    staged_copies_remove_unneeded,
    staged_files_left,
    stored_files_spot_check,
)
from storage.scheduling import REMOVE_FILE_BYTES_TASK, STORE_FILE_TASK, SWEEP_STAGED_FILES_TASK

log = logging.getLogger(__name__)

# Worth another try later: the store or the database is unreachable, or a copy failed to
# verify. (StoreError is an OSError.)
TRANSIENT = (OSError, OperationalError, InterfaceError)


# The task names (kept from ``projects.tasks``) live in ``storage.scheduling``, which sends
# ``store_file`` by its name.
@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints (no py.typed)
    name=STORE_FILE_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def store_file(self: Task, file_id: int, retry: bool = True) -> str:
    """Store one file. ``retry=False`` (the sweeper's re-queues) makes one attempt only, so
    a long outage never piles up parallel retry chains for the same file."""
    try:
        file = file_store(file_id=file_id)
    except FileLost as exc:
        log.error("cannot store file %s: %s", file_id, exc)
        return "lost"
    except TRANSIENT as exc:
        attempt = self.request.retries
        if not retry or attempt >= settings.PRIVINDEX_STORE_MAX_RETRIES:
            log.warning("storing file %s failed (%s); the sweeper will try again", file_id, exc)
            return "staged"
        countdown = get_exponential_backoff_interval(
            factor=2,
            retries=attempt,
            maximum=settings.PRIVINDEX_STORE_RETRY_BACKOFF_MAX,
            full_jitter=True,
        )
        raise self.retry(exc=exc, countdown=max(1, countdown)) from exc
    return file.storage_state if file is not None else "missing"


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints (no py.typed)
    name=REMOVE_FILE_BYTES_TASK, acks_late=True, ignore_result=True
)
def remove_file_bytes(storage_key: str) -> str:
    """Remove a deleted file's bytes; a store failure leaves it to the sweeper."""
    try:
        return "removed" if file_bytes_remove(storage_key=storage_key) else "kept"
    except TRANSIENT as exc:
        log.warning("removing %s failed (%s); the sweeper will try again", storage_key, exc)
        return "left"


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints (no py.typed)
    name=SWEEP_STAGED_FILES_TASK, ignore_result=True
)
def sweep_staged_files() -> dict[str, int]:
    """Re-queue files left staged, remove the bytes of deleted files still in the store (a
    store that was down when they were deleted), remove staged copies nobody needs, and
    spot-check that
    stored files are in the store with the right size and digest (errors are logged;
    ``manage.py checkstorage`` checks every file)."""
    age = settings.PRIVINDEX_STAGED_AGE_SECONDS
    ids = staged_files_left(older_than=age)
    for file_id in ids:
        store_file.apply_async((file_id,), {"retry": False})
    if ids:
        log.info("re-queued %d staged file(s)", len(ids))
    removals = file_removals_left(older_than=age)
    for storage_key in removals:
        remove_file_bytes.apply_async((storage_key,))
    return {
        "requeued": len(ids),
        "removals": len(removals),
        "unstaged": staged_copies_remove_unneeded(older_than=age),
        "problems": stored_files_spot_check(batch=settings.PRIVINDEX_SWEEP_CHECK_BATCH),
    }
