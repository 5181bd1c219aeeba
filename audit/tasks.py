"""Celery tasks of the audit trail: the daily retention sweep (beat, ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from audit.services import events_prune

PRUNE_EVENTS_TASK = "audit.tasks.prune_events"


@shared_task(name=PRUNE_EVENTS_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def prune_events() -> dict[str, int]:
    """Delete the events older than ``PRIVINDEX_AUDIT_RETENTION_DAYS`` (0: none) and stale
    authentication-failure counters. Idempotent: a second run finds nothing older."""
    return events_prune(days=settings.PRIVINDEX_AUDIT_RETENTION_DAYS)
