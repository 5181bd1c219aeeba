"""Writing the audit trail, and the one rule for who an event says acted and from where."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.context import current_origin, os_user
from audit.models import ActorKind, AuthFailure, Event

if TYPE_CHECKING:
    from accounts.models import Organization, User
    from projects.models import Project
    from tokens.models import Token


def actor_of(*, actor: User | None, token: Token | None) -> tuple[str, str]:
    """(kind, name) of who acted: an organization token (its identifier), a personal token
    (its user and identifier), a user, an anonymous caller of a request, or the system (a
    command or task: with the OS user that ran it)."""
    if token is not None:
        if token.user_id is None:
            return ActorKind.ORGANIZATION_TOKEN, f"token {token.identifier}"
        username = actor.username if actor is not None else token.user.username  # type: ignore[union-attr]
        return ActorKind.TOKEN, f"{username} (token {token.identifier})"
    if actor is not None:
        return ActorKind.USER, actor.username
    if current_origin() is not None:
        return ActorKind.ANONYMOUS, ""
    return ActorKind.SYSTEM, f"system ({os_user()})"


def event_record(
    action: str,
    *,
    actor: User | None,
    token: Token | None = None,
    project: Project | None = None,
    organization: Organization | str | None = None,
    target: str = "",
    credential: Token | Literal["token"] | None = "token",
    **data: Any,
) -> Event:
    """Record that ``actor`` (None: the system, or an anonymous caller) did ``action``.

    ``token`` is the credential the actor used, if any (an organization token has no actor),
    or the token the event is about: then ``credential`` says what the actor used (None:
    no token; by default, ``token`` itself).
    ``organization`` is the organization concerned (an ``Organization``; a name is kept in
    ``data`` only); a project's organization is taken from the project. ``target`` names what
    the action was done to. The address and user agent come from the request, if any
    (``audit.context``). ``data`` must never hold a secret; a change keeps its previous and
    new values there. Called inside the service's transaction, so the event exists exactly
    when the change does. An event about a project also becomes its ``last_serial``.
    """
    organization_id = None
    if isinstance(organization, str):
        data["organization"] = organization
    elif organization is not None:
        organization_id = organization.pk
        data["organization"] = organization.name
    elif project is not None and project.organization_id:
        organization_id = project.organization_id
    kind, name = actor_of(actor=actor, token=token if credential == "token" else credential)
    where = current_origin()
    event = Event.objects.create(
        action=action,
        actor=actor,
        actor_kind=kind,
        actor_name=name[:200],
        token=token,
        project=project,
        organization_id=organization_id,
        target=target[:300],
        ip=where.ip if where is not None else None,
        user_agent=where.user_agent if where is not None else "",
        data=data,
    )
    if project is not None and project.pk is not None:
        _serial_bump(project, event.pk)
    return event


def _serial_bump(project: Project, serial: int) -> None:
    """``project.last_serial`` becomes ``serial``, the id of its newest event (PyPI's
    ``last_serial``): the one place it is written. Never lowered: event ids are handed out
    before the transactions that hold them commit, so an event of a transaction that started
    earlier may be recorded after a later one; the row's lock orders the writes."""
    type(project).objects.filter(pk=project.pk, last_serial__lt=serial).update(last_serial=serial)
    project.last_serial = max(project.last_serial, serial)


# AuthFailure buckets only feed the one-event-per-hour rule; their counts are kept at least this
# long, and as long as the events when those are kept longer.
AUTH_FAILURE_MIN_DAYS = 30


def events_prune(*, days: int) -> dict[str, int]:
    """Delete the events older than ``days`` days (0: keep every event) and the
    authentication failure buckets older than ``max(days, 30)`` days; what was deleted is
    recorded as one ``audit:prune`` event (by the system, when a task or command runs it).

    Deletes with a QuerySet delete (one statement each): ``Event.delete()`` refuses, so
    nothing else removes events. Returns the counts (``events``, ``auth_failures``).
    """
    if days < 0:
        raise ValueError("The retention must be 0 (keep every event) or a number of days.")
    now = timezone.now()
    with transaction.atomic():
        events = 0
        if days:
            old = Event.objects.filter(created__lt=now - dt.timedelta(days=days))
            events = old.delete()[1].get(Event._meta.label, 0)
        bucket_days = max(days, AUTH_FAILURE_MIN_DAYS)
        stale = AuthFailure.objects.filter(window__lt=now - dt.timedelta(days=bucket_days))
        buckets = stale.delete()[1].get(AuthFailure._meta.label, 0)
        if events or buckets:
            event_record(
                "audit:prune",
                actor=None,
                days=days,
                events=events,
                auth_failures=buckets,
                auth_failure_days=bucket_days,
            )
    return {"events": events, "auth_failures": buckets}


FAILURES_COUNTED = "later failures in this hour from this address are counted, not recorded"


def failure_counted(*, ip: str | None, key: str) -> dt.datetime | None:
    """Count a failed authentication in its bucket (the hour, the address, ``key``: what was
    tried, at most 16 characters). Returns the bucket's hour when this is its first failure,
    for the caller to record one event; None for the later ones, which are only counted
    (``AuthFailure``), so that a flood of bad credentials cannot flood the trail."""
    now = timezone.now()
    window = now.replace(minute=0, second=0, microsecond=0)
    bucket, created = AuthFailure.objects.get_or_create(
        window=window, ip=ip or "", identifier=key[:16], defaults={"count": 1, "last_seen": now}
    )
    if created:
        return window
    AuthFailure.objects.filter(pk=bucket.pk).update(count=F("count") + 1, last_seen=now)
    return None
