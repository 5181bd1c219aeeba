"""Reads of the audit trail: a project's history, an organization's log, a person's own
activity, and their filters.

Every listing is newest first and joins what its page and exports show (the project and the
organization of each event), so a page of events costs the same queries as a page of one.
Who may read which trail is asked of ``access`` by the views, never here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from accounts.models import Organization, User
from audit.models import Event

if TYPE_CHECKING:
    from projects.models import Project

NEWEST_FIRST = ("-created", "-id")


def _listing(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.select_related("project", "organization").order_by(*NEWEST_FIRST)


def project_events(project: Project) -> QuerySet[Event]:
    """The events recorded about ``project`` since it last changed hands (its latest
    ``project:transfer``, included), newest first: after a transfer its new owners do not see
    what the previous ones did (their names, addresses), which stays in the previous
    organization's log."""
    events = Event.objects.filter(project=project)
    handed = events.filter(action="project:transfer").order_by("-id").values_list("id", flat=True)
    since = handed.first()
    if since is not None:
        events = events.filter(id__gte=since)
    return _listing(events)


def projects_events(project_ids: list[int]) -> QuerySet[Event]:
    """The events of these projects, each since its latest transfer (as ``project_events``),
    newest first: two queries, however many projects."""
    transfers = (
        Event.objects.filter(project_id__in=project_ids, action="project:transfer")
        .values("project_id")
        .annotate(since=Max("id"))
    )
    since = {row["project_id"]: row["since"] for row in transfers}
    kept = Q(project_id__in=[pk for pk in project_ids if pk not in since])
    for pk, first in since.items():
        kept |= Q(project_id=pk, id__gte=first)
    return _listing(Event.objects.filter(kept))


def account_events(user: User) -> QuerySet[Event]:
    """What ``user`` did (with a session or one of their tokens: their tokens, passwords, two-
    factor changes, projects, organizations), and the failed sign-ins as them, newest first.
    Not what others did to them: those events carry the other person's address."""
    mine = Q(actor=user)
    tried = Q(actor__isnull=True, action="user:login-failed", target=f"user:{user.username}")
    return _listing(Event.objects.filter(mine | tried))


def organization_events(organization: Organization) -> QuerySet[Event]:
    """Every event recorded about ``organization``, newest first: its own (members, teams,
    invitations, tokens) and those of its projects, which carry the organization they had
    when they were recorded."""
    return _listing(Event.objects.filter(organization=organization))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def events_filtered(
    queryset: QuerySet[Event],
    *,
    actor: str = "",
    action: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Event]:
    """``queryset`` narrowed: ``actor`` in the actor's recorded name (any case); ``action``
    exactly, or every action of a family when it ends with ``:`` (``token:``); from the start
    of day ``since`` to the end of day ``until``, both included (in ``TIME_ZONE``)."""
    if actor:
        queryset = queryset.filter(actor_name__icontains=actor)
    if action:
        if action.endswith(":"):
            queryset = queryset.filter(action__startswith=action)
        else:
            queryset = queryset.filter(action=action)
    if since is not None:
        queryset = queryset.filter(created__gte=_day_start(since))
    if until is not None and until < dt.date.max:  # the last day has no day after it
        queryset = queryset.filter(created__lt=_day_start(until + dt.timedelta(days=1)))
    return queryset
