"""The web UI: home (search) and the project page, with the owner's and maintainer's forms.

Views adapt only. ``access.decide`` answers every permission question; templates get
its answers as booleans. A project the caller may not read is a 404 whose body is the same as
for a name that does not exist (DESIGN 4).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from packaging.utils import canonicalize_name

from access import (
    MANAGER_STATUSES,
    Action,
    Decision,
    Denial,
    Surface,
    decide,
    decide_transfer,
    owns_project,
    precheck,
    project_offers_files,
    readable_by_anyone,
    status_change_decide,
    status_reason_for,
)
from access.policy import TRANSFER_NEEDS_OWNER
from accounts import selectors as account_selectors
from accounts.models import Visibility
from privindex import web
from privindex.requests import PrincipalRequest
from projects import selectors, services
from projects.limits import QUERY_MAX, SEARCH_LIMIT, STATUS_REASON_MAX, YANK_REASON_MAX
from projects.models import Project, ProjectStatus, Release

# --- adapters: a decision becomes a page ------------------------------------------------------


def _not_found(request: PrincipalRequest) -> HttpResponse:
    return web.not_found(request)


def _error(request: PrincipalRequest, status: int, message: str) -> HttpResponse:
    return web.error(request, status, message)


def _unauthenticated(request: PrincipalRequest, message: str) -> HttpResponse:
    return web.unauthenticated(request, message)


def _deny(request: PrincipalRequest, decision: Decision) -> HttpResponse:
    return web.deny(request, request.principal, decision)


def _readable(request: PrincipalRequest, name: str) -> tuple[Project | None, HttpResponse | None]:
    """The project ``name`` names if the caller may read it, else the answer to send."""
    if request.auth_error:
        # Credentials that were sent but are not valid are never treated as anonymous.
        return None, _unauthenticated(request, request.auth_error)
    project = selectors.project_get(name=name)
    decision = decide(request.principal, Action.READ, project, surface=Surface.WEB)
    if not decision:
        return None, _deny(request, decision)
    return project, None


def _authorized(
    request: PrincipalRequest, name: str, action: Action
) -> tuple[Project | None, HttpResponse | None]:
    """For the forms: 404 when the caller may not read the project, 403 when they may read it
    but not do ``action``, and the login page (then back to the project) when they are not
    signed in (decision 0013). Credentials that were sent but are bad stay a 401."""
    project, denied = _readable(request, name)
    if denied is not None:
        return None, denied
    assert project is not None
    decision = decide(request.principal, action, project, surface=Surface.WEB)
    if decision.denial == Denial.UNAUTHENTICATED and request.principal.is_anonymous:
        # A 401 with a Basic challenge would open the browser's password dialog, and
        # passwords are refused: a person is sent to sign in instead.
        return None, redirect_to_login(reverse("web:project", args=[project.normalized_name]))
    if not decision:
        return None, _deny(request, decision)
    return project, None


def _session_may(request: PrincipalRequest, action: Action, project: Project) -> bool:
    """Whether to offer a form: the forms post with a session, never with a token."""
    return bool(decide(request.principal, action, project, surface=Surface.WEB))


def _may_set_status(request: PrincipalRequest, project: Project) -> bool:
    """Whether to offer the status form: it asks what ``project_status`` will. The form offers
    the managers' statuses, and each asks the same (managing; leaving a quarantine also takes
    a moderator)."""
    return bool(
        status_change_decide(request.principal, project, ProjectStatus.ACTIVE, surface=Surface.WEB)
    )


# --- pages ------------------------------------------------------------------------------------


def _per_caller(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """What a page shows depends on who asks (session or token): keep it out of shared caches."""
    return cache_control(private=True, no_cache=True)(vary_on_headers("Authorization")(view))


@require_safe
@_per_caller
def home(request: PrincipalRequest) -> HttpResponse:
    if request.auth_error:
        return _unauthenticated(request, request.auth_error)
    early = precheck(request.principal, Action.READ, surface=Surface.WEB)
    if not early:  # a closed index: signed-in users and tokens only
        return _deny(request, early)
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    found = list(
        selectors.project_search(principal=request.principal, query=query, limit=SEARCH_LIMIT + 1)
    )
    context = {
        "query": query,
        "projects": found[:SEARCH_LIMIT],
        "truncated": len(found) > SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "web/home.html", context)


@require_safe
@_per_caller
def project_detail(request: PrincipalRequest, name: str) -> HttpResponse:
    if request.auth_error:  # bad credentials are answered before anything else (S4.9)
        return _unauthenticated(request, request.auth_error)
    normalized = canonicalize_name(name)
    if name != normalized:
        # Decided on the spelling alone, before any lookup, so it reveals nothing.
        return redirect("web:project", name=normalized, permanent=True)
    project, denied = _readable(request, name)
    if denied is not None:
        return denied
    assert project is not None
    releases = selectors.release_list(project=project)
    latest = selectors.release_latest(releases)
    public = readable_by_anyone(project)
    context = {
        "project": project,
        "releases": releases,
        "latest": latest,
        "links": _links(latest),
        "install_command": _install_command(request, project, anyone_may_read=public),
        "public": public,
        "offers_files": project_offers_files(project),
        "status_reason_max": STATUS_REASON_MAX,
        "yank_reason_max": YANK_REASON_MAX,
        "can_manage": _session_may(request, Action.MANAGE, project),
        "can_yank": _session_may(request, Action.YANK, project),
        "can_set_status": _may_set_status(request, project),
        **_transfers(request, project),
        "status_choices": [(s.value, s.label) for s in MANAGER_STATUSES],
        "visibility_choices": Visibility.choices,
    }
    return render(request, "web/project.html", context)


def _transfers(request: PrincipalRequest, project: Project) -> dict[str, object]:
    """Where the signed-in caller may move the project (``access.decide_transfer``): into an
    organization they own, or out of its organization to themselves."""
    principal = request.principal
    if (
        principal.token is not None
        or principal.user is None
        or not owns_project(principal, project)
    ):
        return {"transfer_organizations": [], "can_transfer_to_me": False}
    organizations = [
        membership.organization
        for membership in account_selectors.organization_memberships(principal=principal)
        if membership.organization_id != project.organization_id
        and decide_transfer(
            principal, project, organization=membership.organization, user=None, surface=Surface.WEB
        )
    ]
    to_me = project.organization_id is not None and bool(
        decide_transfer(
            principal, project, organization=None, user=principal.user, surface=Surface.WEB
        )
    )
    return {"transfer_organizations": organizations, "can_transfer_to_me": to_me}


def _install_command(request: PrincipalRequest, project: Project, *, anyone_may_read: bool) -> str:
    """The README's pip snippet for this project: this index as pip's only index (issue 8).

    Never as an extra index: pip merges extra indexes by best version, so a public impostor
    of the name would win (README, "Dependency confusion"). A private project's command reads
    the token from the environment, as the README's does.
    """
    index = request.build_absolute_uri(reverse("simple:index"))
    if anyone_may_read:
        return f"pip install --index-url {index} {project.name}"
    # pip sends the credentials in the index URL as HTTP Basic (S4.1).
    parts = urlsplit(index)
    index = urlunsplit(parts._replace(netloc=f"__token__:${{PRIVINDEX_TOKEN}}@{parts.netloc}"))
    return f'pip install --index-url "{index}" {project.name}'


def _links(release: Release | None) -> list[tuple[str, str]]:
    """The release's project URLs, http(s) only: the values come from uploaded metadata."""
    if release is None:
        return []
    links = list(release.project_urls.items()) if isinstance(release.project_urls, dict) else []
    if release.home_page:
        links.insert(0, ("Homepage", release.home_page))
    return [
        (str(label), str(url))
        for label, url in links
        if urlsplit(str(url)).scheme in ("http", "https")
    ]


# --- forms (POST, session and CSRF) -----------------------------------------------------------


def _back(project: Project) -> HttpResponse:
    return redirect("web:project", name=project.normalized_name)


@require_POST
def project_visibility(request: PrincipalRequest, name: str) -> HttpResponse:
    project, denied = _authorized(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert project is not None
    visibility = request.POST.get("visibility", "")
    if visibility not in Visibility.values:
        return _error(request, 400, "Visibility must be public or private.")
    services.project_visibility_set(
        project=project, visibility=visibility, principal=request.principal
    )
    messages.success(request, f"{project.name} is now {project.get_visibility_display().lower()}.")
    return _back(project)


@require_POST
def project_transfer(request: PrincipalRequest, name: str) -> HttpResponse:
    """Move the project into an organization the caller owns (``to=org:<name>``) or out of its
    organization to the caller (``to=me``); the owner role on both sides
    (``access.decide_transfer``)."""
    project, denied = _authorized(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert project is not None
    target = request.POST.get("to", "")
    organization, user = None, None
    if target == "me":
        user = request.principal.user
    elif target.startswith("org:"):
        organization = account_selectors.organization_by_name(name=target[4:])
        if organization is None:
            # As for an organization they do not own: names of others' are not confirmed.
            return _error(request, 403, TRANSFER_NEEDS_OWNER)
    else:
        return _error(request, 400, "Say where the project goes: to=org:<name> or to=me.")
    decision = decide_transfer(
        request.principal, project, organization=organization, user=user, surface=Surface.WEB
    )
    if not decision:
        return _deny(request, decision)
    try:
        services.project_transfer(
            project=project, organization=organization, user=user, principal=request.principal
        )
    except services.ServiceError as exc:
        return _error(request, exc.status, exc.message)
    where = organization.name if organization is not None else "you"
    messages.success(request, f"{project.name} now belongs to {where}.")
    return _back(project)


@require_POST
def project_status(request: PrincipalRequest, name: str) -> HttpResponse:
    project, denied = _authorized(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert project is not None
    status = request.POST.get("status", "")
    reason = request.POST.get("reason", "").strip()
    # A quarantined project may only be released by staff, whatever the form asks.
    decision = status_change_decide(
        request.principal,
        project,
        status if status in MANAGER_STATUSES else project.status,
        surface=Surface.WEB,
    )
    if not decision:
        return _error(request, 403, decision.reason)
    if status not in MANAGER_STATUSES:
        return _error(request, 400, "Status must be active, archived or deprecated.")
    if len(reason) > STATUS_REASON_MAX:
        return _error(request, 400, f"The reason is limited to {STATUS_REASON_MAX} characters.")
    reason = status_reason_for(project, status, reason)
    services.project_status_set(
        project=project, status=status, reason=reason, principal=request.principal
    )
    messages.success(request, f"{project.name} is now {project.get_status_display().lower()}.")
    return _back(project)


@require_POST
def release_yank(request: PrincipalRequest, name: str, version: str) -> HttpResponse:
    project, denied = _authorized(request, name, Action.YANK)
    if denied is not None:
        return denied
    assert project is not None
    release = selectors.release_get(project=project, version=version)
    if release is None:
        return _not_found(request)
    yanked = request.POST.get("yanked", "")
    if yanked not in ("1", "0"):
        return _error(request, 400, "Say whether to yank (1) or un-yank (0) the release.")
    reason = request.POST.get("reason", "").strip()[:YANK_REASON_MAX]
    services.release_yank_set(
        release=release, yanked=yanked == "1", reason=reason, principal=request.principal
    )
    verb = "yanked" if release.yanked else "un-yanked"
    messages.success(request, f"{project.name} {release.version} is {verb}.")
    return _back(project)
