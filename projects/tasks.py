"""Celery tasks: fetch by id, call a service. Idempotent; the broker may deliver twice."""

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from projects import services
from projects.models import File, StorageState

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError, ConnectionError),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=None,
)
def store_file(self, file_id: int) -> str:
    file = services.file_store(file_id=file_id)
    return file.storage_state if file is not None else "missing"


@shared_task
def sweep_staged_files(older_than_seconds: int = 120) -> int:
    """Re-queue files left staged (a lost task, a broker outage)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(
        File.objects.filter(storage_state=StorageState.STAGED, upload_time__lt=cutoff)
        .values_list("pk", flat=True)[:1000]
    )
    for file_id in ids:
        store_file.delay(file_id)
    return len(ids)


def enqueue_store(file_id: int) -> None:
    """Schedule storing a file. Called on commit; a failure here loses nothing (the sweeper
    finds files left staged), so it is logged, not raised."""
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # In-process (embedded default): one attempt now; the sweeper retries later.
        try:
            services.file_store(file_id=file_id)
        except Exception:
            log.exception("storing file %s failed; it stays staged", file_id)
        return
    try:
        store_file.delay(file_id)
    except Exception:
        log.warning("could not enqueue storing file %s; the sweeper will", file_id)
