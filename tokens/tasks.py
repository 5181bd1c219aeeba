"""Celery tasks of tokens: recording expiries (beat, hourly; ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from tokens.services import tokens_expired_record

RECORD_EXPIRED_TASK = "tokens.tasks.record_expired"


@shared_task(name=RECORD_EXPIRED_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def record_expired() -> int:
    """Record a ``token:expire`` event for each token that expired since the last run (a token
    used after it expired has been recorded already). Idempotent: each expiry is recorded
    once (``Token.expiry_recorded``)."""
    return tokens_expired_record()
