"""``manage.py pruneaudit [--days N]``: delete audit events older than the retention.

The same work as the daily beat task ``audit.tasks.prune_events``: ``--days`` (default
``PRIVINDEX_AUDIT_RETENTION_DAYS``; 0 keeps every event) says how many days of events stay.
The prune is recorded as one ``audit:prune`` event, by the system and the OS user running it.
"""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.services import events_prune


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise CommandError(f"--days must be 0 (keep every event) or a number of days: {value!r}.")
    return days


class Command(BaseCommand):
    help = (
        "Delete audit events older than --days days (default: PRIVINDEX_AUDIT_RETENTION_DAYS; "
        "0 keeps every event) and stale authentication-failure counters."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--days", type=_days, default=None, metavar="N")

    def handle(self, *args: Any, days: int | None, **options: Any) -> None:
        if days is None:
            days = settings.PRIVINDEX_AUDIT_RETENTION_DAYS
        deleted = events_prune(days=days)
        kept = f"older than {days} day(s)" if days else "none: retention is off (0 days)"
        self.stdout.write(
            f"Deleted {deleted['events']} audit event(s) ({kept}) and "
            f"{deleted['auth_failures']} authentication-failure counter(s)."
        )
