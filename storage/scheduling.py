"""Scheduling the store pipeline: the Celery task names, and ``enqueue_store``.

Services schedule storing a file through this module, never through ``storage.tasks`` (an
adapter): with a broker the task is sent by its name, so nothing here imports the tasks;
without one (``CELERY_TASK_ALWAYS_EAGER``, the embedded default) the service runs in process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings

from privindex.celery import app
from storage.pipeline import file_bytes_remove, file_store

log = logging.getLogger(__name__)

# The task names are kept from when the tasks lived in ``projects.tasks``: queued messages and
# the beat schedule (``CELERY_BEAT_SCHEDULE`` in the settings) name them. ``storage.tasks``
# registers its tasks under these names.
STORE_FILE_TASK = "projects.tasks.store_file"
REMOVE_FILE_BYTES_TASK = "storage.tasks.remove_file_bytes"
SWEEP_STAGED_FILES_TASK = "projects.tasks.sweep_staged_files"


def enqueue_store(file_id: int) -> None:
    """Schedule storing a file. Called on commit; a failure here loses nothing (the sweeper
    finds files left staged), so it is logged, not raised.

    Without a broker, stores the file in process (one attempt; ``manage.py checkstorage
    --requeue`` tries again); with one, sends the ``store_file`` task (which retries).
    """
    run_or_send(STORE_FILE_TASK, file_id, lambda: file_store(file_id=file_id), what="file")


def enqueue_removal(storage_key: str) -> None:
    """Schedule removing a deleted file's bytes. Called on commit; a failure here loses
    nothing (its ``FileRemoval`` row stays for the sweeper)."""
    run_or_send(
        REMOVE_FILE_BYTES_TASK,
        storage_key,
        lambda: file_bytes_remove(storage_key=storage_key),
        what="the bytes of deleted file",
        doing="removing",
        left="the sweeper will",
    )


def run_or_send(
    task: str,
    file_id: int | str,
    run: Callable[[], object],
    *,
    what: str,
    doing: str = "storing",
    left: str = "it stays staged",
) -> None:
    """Run ``run`` in process without a broker, else send ``task`` by its name with
    ``file_id`` (as ``task.delay(file_id)`` would; the tasks ignore their results). Never
    raises: a file left staged is served from staging and found by its sweeper."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            run()
        except Exception:
            log.exception("%s %s %s failed; %s", doing, what, file_id, left)
        return
    try:
        app.send_task(task, args=(file_id,), ignore_result=True)
    except Exception as exc:
        log.warning(
            "could not enqueue %s %s %s (%s); the sweeper will",
            doing,
            what,
            file_id,
            type(exc).__name__,
        )
