"""Celery tasks: fetch by id, call a service. Idempotent; the broker may deliver twice.

``store_file`` is enqueued on commit of an upload and retried with exponential backoff; the
periodic ``sweep_staged_files`` (beat) catches whatever that misses: a broker that was down
at upload time, a task lost with its worker, retries exhausted during a long store outage.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from pathlib import Path

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from projects.models import File, StorageState
from storage.errors import FileLost
from storage.pipeline import check_file, file_store
from storage.staging import ABANDONED_STAGED_SECONDS, old_staged_files, unstage

log = logging.getLogger(__name__)

# Worth another try later: the store or the database is unreachable, or a copy failed to
# verify. (StoreError is an OSError.)
TRANSIENT = (OSError, OperationalError, InterfaceError)


# The task names are kept from when they lived in ``projects.tasks``: queued messages and the beat
# schedule name them.
@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints (no py.typed)
    name="projects.tasks.store_file",
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
    name="projects.tasks.sweep_staged_files", ignore_result=True
)
def sweep_staged_files() -> dict[str, int]:
    """Re-queue files left staged, remove staged copies nobody needs, and spot-check that
    stored files are in the store with the right size and digest (errors are logged;
    ``manage.py checkstorage`` checks every file)."""
    age = settings.PRIVINDEX_STAGED_AGE_SECONDS
    cutoff = timezone.now() - dt.timedelta(seconds=age)
    ids = list(
        File.objects.filter(storage_state=StorageState.STAGED, upload_time__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    for file_id in ids:
        store_file.apply_async((file_id,), {"retry": False})
    if ids:
        log.info("re-queued %d staged file(s)", len(ids))
    return {
        "requeued": len(ids),
        "unstaged": _remove_unneeded_staged_copies(age),
        "problems": _spot_check(settings.PRIVINDEX_SWEEP_CHECK_BATCH),
    }


def _remove_unneeded_staged_copies(age: int) -> int:
    """Staged copies of stored files (a worker died between marking and unstaging) and
    abandoned uploads (no row a day later)."""
    removed = 0
    for key, seconds in old_staged_files(age):
        parts = key.split("/")
        if len(parts) == 4:
            blake2_256 = "".join(parts[:3])
            state = (
                File.objects.filter(blake2_256=blake2_256, filename=parts[3])
                .values_list("storage_state", flat=True)
                .first()
            )
            unneeded = state == StorageState.STORED or (
                state is None and seconds > ABANDONED_STAGED_SECONDS
            )
        else:  # upload temp files and anything else that is not a staged file
            unneeded = seconds > ABANDONED_STAGED_SECONDS
        if unneeded:
            if len(parts) == 4:
                unstage(key)
            else:
                (Path(settings.PRIVINDEX_STAGING_DIR) / key).unlink(missing_ok=True)
            removed += 1
    return removed


def _spot_check(batch: int) -> int:
    """Check the files stored since the last sweeps, and a random run of older ones."""
    if batch <= 0:
        return 0
    stored = File.objects.filter(storage_state=StorageState.STORED).order_by("pk")
    recent = timezone.now() - dt.timedelta(seconds=2 * settings.PRIVINDEX_SWEEP_SECONDS)
    files = list(stored.filter(stored_at__gte=recent)[:batch])
    highest = stored.values_list("pk", flat=True).last()
    if highest:
        start = random.randint(1, highest)
        files += list(stored.filter(pk__gte=start)[:batch])
    problems = 0
    for file in {file.pk: file for file in files}.values():
        try:
            problem = check_file(file, deep=False)
        except OSError as exc:
            log.warning("storage check stopped: %s", exc)
            break
        if problem is not None:
            problems += 1
            log.error("file %s (%s): %s", file.pk, file.filename, problem)
    return problems


def enqueue_store(file_id: int) -> None:
    """Schedule storing a file. Called on commit; a failure here loses nothing (the sweeper
    finds files left staged), so it is logged, not raised."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # In-process (embedded default): one attempt now; ``manage.py checkstorage
        # --requeue`` tries again.
        try:
            file_store(file_id=file_id)
        except Exception:
            log.exception("storing file %s failed; it stays staged", file_id)
        return
    try:
        store_file.delay(file_id)
    except Exception as exc:
        log.warning(
            "could not enqueue storing file %s (%s); the sweeper will", file_id, type(exc).__name__
        )
