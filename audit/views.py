"""The audit trail on the web: a project's history (``/project/<name>/history/``), an
organization's log (``/org/<name>/audit/``) and a person's own activity
(``/account/activity/``), as pages and as CSV or JSON Lines downloads.

Views adapt only: ``access`` decides who reads which trail (a project's managers; an
organization's owners), the selectors choose the events. Both are for a signed-in person
(``access.credentials``: a session); whoever is not signed in is sent to the login page before
any name is looked up, and a project the caller may not read is the same 404 as a name that
does not exist, byte for byte (DESIGN 4). Nothing here is cached by anyone but the caller.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from packaging.utils import canonicalize_name

from access import Action, Decision, Surface, decide, decide_organization, precheck
from accounts.selectors import organization_by_name
from audit import selectors
from audit.models import Event
from privindex import web
from privindex.requests import PrincipalRequest
from projects import selectors as project_selectors

PER_PAGE = 50
ACTOR_MAX = 200  # Event.actor_name
ACTION_MAX = 64  # Event.action
USER_AGENT_SHOWN = 40  # characters of the user agent in the table (all of it on hover)
FORMATS = ("", "html", "csv", "jsonl")
# What a spreadsheet would read as a formula (OWASP, "CSV injection"): such a cell is
# prefixed with a quote, so it is shown as the text it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (
    "created",
    "action",
    "actor_kind",
    "actor_name",
    "project",
    "organization",
    "target",
    "ip",
    "user_agent",
    "data",
)


# --- adapters: a decision becomes a page (as projects.views answers them) ---------------------


def _deny(request: PrincipalRequest, decision: Decision) -> HttpResponse:
    return web.deny(request, request.principal, decision, login_then=request.get_full_path())


def _private(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """An audit trail is for its reader only: never stored by a browser or a shared cache."""
    return cache_control(private=True, no_store=True)(vary_on_headers("Authorization")(view))


# --- the filters ------------------------------------------------------------------------------


class BadFilter(ValueError):
    """A filter the page cannot apply: answered with 400 and this message."""


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def as_query(self) -> str:
        """The filters as a query string (without ``page`` and ``format``), for the links."""
        given = {
            "actor": self.actor,
            "action": self.action,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return urlencode({key: value for key, value in given.items() if value})


def _date(params: Any, key: str) -> dt.date | None:
    raw = params.get(key, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(f"The “{key}” filter must be a date written YYYY-MM-DD.") from None


def filters_parse(params: Any) -> Filters:
    """The filters of a query string; raises ``BadFilter`` for a date that is not one."""
    since, until = _date(params, "since"), _date(params, "until")
    if since is not None and until is not None and since > until:
        raise BadFilter("The “since” date must not be after the “until” date.")
    return Filters(
        actor=params.get("actor", "").strip()[:ACTOR_MAX],
        action=params.get("action", "").strip()[:ACTION_MAX],
        since=since,
        until=until,
    )


# --- the pages --------------------------------------------------------------------------------


@require_safe
@_private
def project_history(request: PrincipalRequest, name: str) -> HttpResponseBase:
    """The project's events, for whoever may manage it (its owners, and its organization's
    owners and managers)."""
    if request.auth_error:  # bad credentials are answered before anything else (S4.9)
        return web.unauthenticated(request, request.auth_error)
    early = precheck(request.principal, Action.MANAGE, surface=Surface.WEB)
    if not early:  # decided on the kind of caller alone, before any lookup
        return _deny(request, early)
    normalized = canonicalize_name(name)
    if name != normalized:
        # Decided on the spelling alone, before any lookup, so it reveals nothing.
        return redirect("audit:project-history", name=normalized, permanent=True)
    project = project_selectors.project_get(name=name)
    # Not readable: the one NOT_FOUND; readable but not managed: 403.
    decision = decide(request.principal, Action.MANAGE, project, surface=Surface.WEB)
    if not decision:
        return _deny(request, decision)
    assert project is not None
    return _trail(
        request,
        selectors.project_events(project),
        context={"project": project, "heading": f"History of {project.name}"},
        filename=f"{project.normalized_name}-history",
    )


@require_safe
@_private
def organization_log(request: PrincipalRequest, name: str) -> HttpResponseBase:
    """The organization's events, its projects' included, for its owners."""
    if request.auth_error:
        return web.unauthenticated(request, request.auth_error)
    early = precheck(request.principal, Action.ORGANIZATION_MANAGE, surface=Surface.WEB)
    if not early:
        return _deny(request, early)
    organization = organization_by_name(name=name)
    decision = decide_organization(
        request.principal, Action.ORGANIZATION_MANAGE, organization, surface=Surface.WEB
    )
    if not decision:
        return _deny(request, decision)
    assert organization is not None
    return _trail(
        request,
        selectors.organization_events(organization),
        context={
            "organization": organization,
            "heading": f"Audit log of {organization.name}",
            "show_project": True,
        },
        filename=f"{organization.normalized_name}-audit",
    )


@require_safe
@_private
def account_activity(request: PrincipalRequest) -> HttpResponseBase:
    """``/account/activity/``: what the signed-in person did, and the failed sign-ins as them
    (``audit.selectors.account_events``). For a session only, like the tokens page."""
    if request.auth_error:
        return web.unauthenticated(request, request.auth_error)
    principal = request.principal
    if principal.token is not None:
        return web.error(request, 403, "Your activity is shown to you when you sign in.")
    if principal.user is None:
        return redirect_to_login(request.get_full_path())
    return _trail(
        request,
        selectors.account_events(principal.user),
        context={"heading": "Your activity", "show_project": True, "account": True},
        filename=f"{principal.user.username}-activity",
    )


def _trail(
    request: PrincipalRequest,
    events: QuerySet[Event],
    *,
    context: dict[str, Any],
    filename: str,
) -> HttpResponseBase:
    """One page of ``events`` as filtered by the query string, or all of them as a download
    (``?format=csv`` or ``?format=jsonl``)."""
    try:
        filters = filters_parse(request.GET)
    except BadFilter as exc:
        return web.error(request, 400, str(exc))
    fmt = request.GET.get("format", "")
    if fmt not in FORMATS:
        return web.error(request, 400, "The format must be csv or jsonl (or none, for the page).")
    events = selectors.events_filtered(
        events,
        actor=filters.actor,
        action=filters.action,
        since=filters.since,
        until=filters.until,
    )
    stamp = timezone.now().strftime("%Y%m%d")
    if fmt == "csv":
        return _download(_csv_lines(events), "text/csv", f"{filename}-{stamp}.csv")
    if fmt == "jsonl":
        return _download(_json_lines(events), "application/x-ndjson", f"{filename}-{stamp}.jsonl")
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = filters.as_query()
    return render(
        request,
        "audit/events.html",
        {
            **context,
            "page": page,
            "rows": [(event, _compact(event.data)) for event in page.object_list],
            "filters": filters,
            # Prefixes for the page and download links, keeping the filters.
            "link_query": f"?{query}&" if query else "?",
            "user_agent_shown": USER_AGENT_SHOWN,
        },
    )


# --- downloads --------------------------------------------------------------------------------


def _compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _download(lines: Iterable[str], content_type: str, filename: str) -> StreamingHttpResponse:
    """Every matching event, streamed as it is read (the trail may be long)."""
    response = StreamingHttpResponse(
        (line.encode() for line in lines), content_type=f"{content_type}; charset=utf-8"
    )
    # The names are normalized project or organization names and a date: nothing to escape.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _exported(event: Event) -> dict[str, Any]:
    return {
        "created": event.created.isoformat(),
        "action": event.action,
        "actor_kind": event.actor_kind,
        "actor_name": event.actor_name,
        "project": event.project.name if event.project is not None else None,
        "organization": event.organization.name if event.organization is not None else None,
        "target": event.target,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "data": event.data,
    }


def _each(events: QuerySet[Event]) -> Iterator[Event]:
    return events.iterator(chunk_size=500)


def _json_lines(events: QuerySet[Event]) -> Iterator[str]:
    for event in _each(events):
        yield json.dumps(_exported(event), separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_cell(value: Any) -> str:
    """A value as a CSV cell no spreadsheet runs as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else _compact(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """What ``csv.writer`` writes to: the line it was given."""

    def write(self, line: str) -> str:
        return line


def _csv_lines(events: QuerySet[Event]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(EXPORT_COLUMNS)
    for event in _each(events):
        row = _exported(event)
        yield writer.writerow([csv_cell(row[column]) for column in EXPORT_COLUMNS])
