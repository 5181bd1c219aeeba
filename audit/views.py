"""The audit trail on the web: a project's history (``/project/<name>/history/``), an
organization's log (``/org/<name>/audit/``) and a person's own activity
(``/account/activity/``), as pages and as CSV or JSON Lines downloads.

Views adapt only: ``access`` decides who reads which trail (a project's managers; an
organization's owners), the selectors choose the events. Both are for a signed-in person
(``access.credentials``: a session); whoever is not signed in is sent to the login page before
any name is looked up, and a project the caller may not read is the same 404 as a name that
does not exist, byte for byte (DESIGN 4). Nothing here is cached by anyone but the caller.
The filters and downloads are ``audit.exports``', shared with the REST API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from packaging.utils import canonicalize_name

from access import Action, Decision, Surface, decide, decide_organization, precheck
from accounts.selectors import organization_by_name
from audit import selectors
from audit.exports import CSV, JSON_LINES, BadFilter, compact, download, filters_parse
from audit.models import Event
from privindex import web
from privindex.requests import PrincipalRequest
from projects import selectors as project_selectors

PER_PAGE = 50
USER_AGENT_SHOWN = 40  # characters of the user agent in the table (all of it on hover)
FORMATS = ("", "html", CSV, JSON_LINES)


# --- adapters: a decision becomes a page (as projects.views answers them) ---------------------


def _deny(request: PrincipalRequest, decision: Decision) -> HttpResponse:
    return web.deny(request, request.principal, decision, login_then=request.get_full_path())


def _private(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """An audit trail is for its reader only: never stored by a browser or a shared cache."""
    return cache_control(private=True, no_store=True)(vary_on_headers("Authorization")(view))


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
    events = filters.apply(events)
    if fmt in (CSV, JSON_LINES):
        return download(events, fmt, filename=filename)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = filters.as_query()
    return render(
        request,
        "audit/events.html",
        {
            **context,
            "page": page,
            "rows": [(event, compact(event.data)) for event in page.object_list],
            "filters": filters,
            # Prefixes for the page and download links, keeping the filters.
            "link_query": f"?{query}&" if query else "?",
            "user_agent_shown": USER_AGENT_SHOWN,
        },
    )
