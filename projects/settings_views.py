"""A project's settings (issue 10): ``/project/<name>/settings/`` and its forms.

Owners (``projects:manage``) see everything: visibility (each change confirmed by typing the
project's name), collaborators (users and teams of the project's organization), yanking and
deletion (of a file; of a release, confirmed by typing its version; of the project, by typing
its name); maintainers (``projects:yank``) see the releases only. Views adapt only:
``access`` decides, templates get booleans, ``projects.services`` writes (and records who did
it).

Who is not signed in is sent to the login page before any name is looked up; a token is
refused there too (the forms are for people, with CSRF). A project the caller may not read is
the 404 of a name that does not exist, byte for byte, on every URL here (DESIGN 4); a reader
gets 403. Every change that cannot be taken back without notice (visibility, removing a
collaborator, yanking, deleting) has a confirmation page, and its POST without the
confirmation changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from packaging.utils import canonicalize_name, canonicalize_version

from access import (
    Action,
    Decision,
    Denial,
    Principal,
    Surface,
    anonymous_read_open,
    decide,
    precheck,
    readable_by_anyone,
)
from accounts import selectors as account_selectors
from accounts.limits import USERNAME_MAX
from accounts.models import Team, User, Visibility
from privindex import web
from privindex.requests import PrincipalRequest
from projects import selectors, services
from projects.limits import PROJECT_NAME_MAX, VERSION_MAX, YANK_REASON_MAX
from projects.models import (
    File,
    Project,
    ProjectRole,
    ProjectRoleName,
    Release,
    TeamProjectRole,
)

CONFIRMED = "yes"  # the value of the ``confirm`` field a confirmation page posts

# --- who may do what here ---------------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    """The project and what the caller may do to it (``access.decide``'s answers)."""

    project: Project
    manage: bool
    yank: bool


def _private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The settings are for their reader only (and carry a CSRF token): never stored."""
    return cache_control(private=True, no_store=True)(vary_on_headers("Authorization")(view))


def _login_then(request: PrincipalRequest, name: str) -> str:
    """Where to come back after signing in: the page asked for, or for a form's POST (which
    cannot be replayed) the settings page it came from."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return reverse("settings:index", args=[name])


def _deny(request: PrincipalRequest, decision: Decision, name: str) -> HttpResponse:
    return web.deny(request, request.principal, decision, login_then=_login_then(request, name))


def _allowed(
    request: PrincipalRequest, name: str, need: Action | None
) -> tuple[Allowed | None, HttpResponse | None]:
    """The project ``name`` names and what the caller may do to it, or the answer to send.

    ``need`` is what the page is for: ``Action.MANAGE`` (owners), ``Action.YANK``
    (maintainers and owners) or None (the settings page: either). Bad credentials are a 401,
    a caller who is not signed in goes to the login page and a token gets 403, all before any
    lookup (S4.9); a project the caller may not read is the one NOT_FOUND.
    """
    if request.auth_error:
        return None, web.unauthenticated(request, request.auth_error)
    early = precheck(request.principal, need or Action.YANK, surface=Surface.WEB)
    if not early:
        return None, _deny(request, early, name)
    project = selectors.project_get(name=name)
    manage = decide(request.principal, Action.MANAGE, project, surface=Surface.WEB)
    if manage.denial == Denial.NOT_FOUND:
        return None, web.not_found(request)
    yank = decide(request.principal, Action.YANK, project, surface=Surface.WEB)
    if need is not None:
        wanted = manage if need == Action.MANAGE else yank
        if not wanted:
            return None, _deny(request, wanted, name)
    elif not (manage or yank):
        return None, _deny(request, manage, name)
    assert project is not None
    return Allowed(project=project, manage=bool(manage), yank=bool(yank)), None


def _canonical(request: PrincipalRequest, name: str) -> HttpResponse | None:
    """A page asked for under another spelling of the name: the same page under its
    normalized name. Decided on the spelling alone, before any lookup, so it reveals
    nothing. (A form's POST is answered under any spelling: a redirect would drop its body.)"""
    normalized = canonicalize_name(name)
    if name == normalized or request.method not in ("GET", "HEAD"):
        return None
    match = request.resolver_match
    assert match is not None
    url = reverse(match.view_name, kwargs={**match.kwargs, "name": normalized})
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url, permanent=True)


def _gate(
    request: PrincipalRequest, name: str, need: Action | None
) -> tuple[Allowed | None, HttpResponse | None]:
    """``_allowed``, with the spelling redirect of a page after the checks of the caller."""
    if not request.auth_error:
        early = precheck(request.principal, need or Action.YANK, surface=Surface.WEB)
        if early:
            moved = _canonical(request, name)
            if moved is not None:
                return None, moved
    return _allowed(request, name, need)


def _may_still(request: PrincipalRequest, project: Project) -> str:
    """Where to go after the caller changed their own role: the settings if they may still
    use them, else the project page (or home, if they may no longer read it). Asked afresh:
    the request's principal remembers the roles it saw."""
    fresh = Principal(user=request.principal.user)
    for action, url in (
        (Action.YANK, reverse("settings:index", args=[project.normalized_name])),
        (Action.READ, reverse("web:project", args=[project.normalized_name])),
    ):
        if decide(fresh, action, project, surface=Surface.WEB):
            return url
    return reverse("web:home")


def _typed(data: QueryDict, field: str, *, limit: int) -> str:
    """What the caller typed into ``field`` to confirm, trimmed; cut at twice the longest
    value, so that a long paste is still refused and never cut into a match."""
    return data.get(field, "").strip()[: limit * 2]


def _typed_name_confirms(data: QueryDict, project: Project) -> bool:
    """Whether ``confirm_name`` names the project (in any spelling of its name)."""
    typed = _typed(data, "confirm_name", limit=PROJECT_NAME_MAX)
    return bool(typed) and canonicalize_name(typed) == project.normalized_name


def _back(allowed: Allowed) -> HttpResponse:
    return redirect("settings:index", name=allowed.project.normalized_name)


# --- the settings page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Collaborators:
    users: list[ProjectRole]
    teams: list[TeamProjectRole]
    # The teams of the project's organization (the only ones that may hold a role on it) and
    # its members (the only users who may hold a direct role on it); empty without one.
    organization_teams: list[Team]
    organization_members: list[User]


def _collaborators(request: PrincipalRequest, project: Project) -> Collaborators:
    users, teams = selectors.project_roles_list(project=project)
    organization_teams: list[Team] = []
    members: list[User] = []
    if project.organization is not None:
        organization = account_selectors.organization_get(
            principal=request.principal, name=project.organization.normalized_name
        )
        if organization is not None:
            organization_teams = list(organization.teams.all())
            members = [member.user for member in organization.members.all()]
    return Collaborators(users, teams, organization_teams, members)


def _visibility_choice(project: Project) -> dict[str, Any]:
    """Which visibility change to offer. Where anonymous callers may read, ``access`` says
    whether the project is public now, and the opposite is offered; on a closed index nobody
    anonymous reads anything, so both are offered (the badge shows which it is)."""
    if not anonymous_read_open():
        return {"visibility_known": False, "public": None}
    return {"visibility_known": True, "public": readable_by_anyone(project)}


def _index(
    request: PrincipalRequest,
    allowed: Allowed,
    *,
    error: str = "",
    status: int = 200,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    project = allowed.project
    context: dict[str, Any] = {
        "project": project,
        "can_manage": allowed.manage,
        "can_yank": allowed.yank,
        "error": error,
        "form": form or {},
        "role_choices": ProjectRoleName.choices,
        "yank_reason_max": YANK_REASON_MAX,
        "username_max": USERNAME_MAX,
        "open_index": anonymous_read_open(),
    }
    if allowed.manage:
        context["collaborators"] = _collaborators(request, project)
        context.update(_visibility_choice(project))
    if allowed.manage or allowed.yank:
        # With their files: the deletion section lists them.
        context["releases"] = selectors.release_list(project=project)
    return render(request, "web/settings/index.html", context, status=status)


@require_safe
@_private
def settings_index(request: PrincipalRequest, name: str) -> HttpResponse:
    allowed, denied = _gate(request, name, None)
    if denied is not None:
        return denied
    assert allowed is not None
    return _index(request, allowed)


# --- visibility -------------------------------------------------------------------------------


def _visibility_page(
    request: PrincipalRequest, allowed: Allowed, to: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "project": allowed.project,
        "to": to,
        "to_public": to == Visibility.PUBLIC,
        "open_index": anonymous_read_open(),
        "error": error,
        "name_max": PROJECT_NAME_MAX,
        **_visibility_choice(allowed.project),
    }
    return render(request, "web/settings/visibility.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@_private
def visibility(request: PrincipalRequest, name: str) -> HttpResponse:
    """GET ``?to=public|private``: what the change means, and a field for the project's name;
    POST with the name typed: the change (``project_visibility_set``)."""
    allowed, denied = _gate(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert allowed is not None
    project = allowed.project
    data = request.POST if request.method == "POST" else request.GET
    to = data.get("to", "")
    if to not in Visibility.values:
        return _index(
            request, allowed, error="Say which visibility: public or private.", status=400
        )
    if request.method != "POST":
        return _visibility_page(request, allowed, to)
    if not _typed_name_confirms(data, project):
        message = f"Type the project's name, {project.name}, to confirm. Nothing was changed."
        return _visibility_page(request, allowed, to, error=message, status=400)
    services.project_visibility_set(project=project, visibility=to, principal=request.principal)
    messages.success(request, f"{project.name} is now {Visibility(to).label.lower()}.")
    return _back(allowed)


# --- collaborators: users ---------------------------------------------------------------------


def _holder(request: PrincipalRequest, project: Project, username: str) -> User | None:
    """The user ``username`` names: one who holds a role on the project (as the page lists
    them), else an active user. Inactive users are not told apart from unknown names."""
    users, _teams = selectors.project_roles_list(project=project)
    for role in users:
        if role.user.username == username:
            return role.user
    return account_selectors.user_get(username=username)


def _after_role_change(request: PrincipalRequest, allowed: Allowed, user: User) -> HttpResponse:
    if user.pk == getattr(request.principal.user, "pk", None):
        return redirect(_may_still(request, allowed.project))
    return _back(allowed)


@require_POST
@_private
def user_role_set(request: PrincipalRequest, name: str) -> HttpResponse:
    """Add a user by username with a role, or change the role of one who has one."""
    allowed, denied = _allowed(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert allowed is not None
    project = allowed.project
    username = request.POST.get("username", "").strip()[:USERNAME_MAX]
    role = request.POST.get("role", "")
    form = {"username": username, "role": role}
    if not username:
        return _index(request, allowed, error="Give a username.", status=400, form=form)
    user = _holder(request, project, username)
    if user is None:
        return _index(request, allowed, error=f"No user named {username}.", status=400, form=form)
    try:
        services.project_role_set(
            project=project, user=user, role=role, principal=request.principal
        )
    except services.ServiceError as exc:
        return _index(request, allowed, error=exc.message, status=exc.status, form=form)
    label = ProjectRoleName(role).label.lower()
    messages.success(request, f"{user.username} is now {label} of {project.name}.")
    return _after_role_change(request, allowed, user)


def _confirm_page(
    request: PrincipalRequest,
    allowed: Allowed,
    template: str,
    context: dict[str, Any],
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"project": allowed.project, "error": error, "confirmed": CONFIRMED, **context}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@_private
def user_role_remove(request: PrincipalRequest, name: str, username: str) -> HttpResponse:
    """GET: the confirmation; POST with ``confirm=yes``: the removal. The last owner of a
    project without an organization stays (the service answers 409)."""
    allowed, denied = _gate(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert allowed is not None
    project = allowed.project
    users, _teams = selectors.project_roles_list(project=project)
    role = next((r for r in users if r.user.username == username), None)
    if role is None:
        message = f"{username} has no role on {project.name}."
        return _index(request, allowed, error=message, status=404)
    page = {
        "kind": "user",
        "who": role.user.username,
        "role": role,
        "yourself": role.user.pk == getattr(request.principal.user, "pk", None),
        "action": reverse("settings:user-remove", args=[project.normalized_name, username]),
    }
    template = "web/settings/remove.html"
    if request.method != "POST":
        return _confirm_page(request, allowed, template, page)
    if request.POST.get("confirm") != CONFIRMED:
        error = "Confirm the removal. Nothing was changed."
        return _confirm_page(request, allowed, template, page, error=error, status=400)
    try:
        services.project_role_remove(project=project, user=role.user, principal=request.principal)
    except services.ServiceError as exc:
        return _index(request, allowed, error=exc.message, status=exc.status)
    messages.success(request, f"{role.user.username} no longer has a role on {project.name}.")
    return _after_role_change(request, allowed, role.user)


# --- collaborators: teams ---------------------------------------------------------------------


@require_POST
@_private
def team_role_set(request: PrincipalRequest, name: str) -> HttpResponse:
    """Give a team of the project's organization a role, or change it."""
    allowed, denied = _allowed(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert allowed is not None
    project = allowed.project
    role = request.POST.get("role", "")
    raw = request.POST.get("team", "")
    teams = _collaborators(request, project).organization_teams
    team = next((t for t in teams if raw.isdigit() and t.pk == int(raw)), None)
    if team is None:
        if project.organization is None:
            message = "Only projects of an organization give roles to teams."
        else:
            message = f"Choose a team of {project.organization.name}."
        return _index(request, allowed, error=message, status=400)
    try:
        services.team_project_role_set(
            project=project, team=team, role=role, principal=request.principal
        )
    except services.ServiceError as exc:
        return _index(request, allowed, error=exc.message, status=exc.status)
    label = ProjectRoleName(role).label.lower()
    messages.success(request, f"The team {team.name} is now {label} of {project.name}.")
    return _back(allowed)


@require_http_methods(["GET", "HEAD", "POST"])
@_private
def team_role_remove(request: PrincipalRequest, name: str, team_id: int) -> HttpResponse:
    """GET: the confirmation; POST with ``confirm=yes``: the team's role goes."""
    allowed, denied = _gate(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert allowed is not None
    project = allowed.project
    _users, teams = selectors.project_roles_list(project=project)
    grant = next((g for g in teams if g.team_id == team_id), None)
    if grant is None:
        return _index(
            request, allowed, error=f"That team has no role on {project.name}.", status=404
        )
    page = {
        "kind": "team",
        "who": grant.team.name,
        "role": grant,
        "yourself": False,
        "action": reverse("settings:team-remove", args=[project.normalized_name, team_id]),
    }
    template = "web/settings/remove.html"
    if request.method != "POST":
        return _confirm_page(request, allowed, template, page)
    if request.POST.get("confirm") != CONFIRMED:
        error = "Confirm the removal. Nothing was changed."
        return _confirm_page(request, allowed, template, page, error=error, status=400)
    try:
        services.team_project_role_remove(
            project=project, team=grant.team, principal=request.principal
        )
    except services.ServiceError as exc:
        return _index(request, allowed, error=exc.message, status=exc.status)
    messages.success(request, f"The team {grant.team.name} no longer has a role on {project.name}.")
    # The caller may have held their rights through that team.
    return redirect(_may_still(request, project))


# --- yanking ----------------------------------------------------------------------------------


def _yank(request: PrincipalRequest, name: str, version: str, *, yanked: bool) -> HttpResponse:
    allowed, denied = _gate(request, name, Action.YANK)
    if denied is not None:
        return denied
    assert allowed is not None
    project = allowed.project
    release: Release | None = selectors.release_get(project=project, version=version)
    if release is None:
        return _index(
            request, allowed, error=f"{project.name} has no release {version}.", status=404
        )
    if not yanked and not release.yanked:
        message = f"{project.name} {release.version} is not yanked."
        return _index(request, allowed, error=message, status=409)
    url = "settings:yank" if yanked else "settings:unyank"
    page = {
        "release": release,
        "yanking": yanked,
        "reason": "",
        "yank_reason_max": YANK_REASON_MAX,
        "action": reverse(url, args=[project.normalized_name, release.version]),
    }
    template = "web/settings/yank.html"
    if request.method != "POST":
        return _confirm_page(request, allowed, template, page)
    reason = request.POST.get("reason", "").strip()
    page["reason"] = reason[:YANK_REASON_MAX]
    if len(reason) > YANK_REASON_MAX:
        error = f"The reason is limited to {YANK_REASON_MAX} characters. Nothing was changed."
        return _confirm_page(request, allowed, template, page, error=error, status=400)
    if request.POST.get("confirm") != CONFIRMED:
        what = "yanking" if yanked else "un-yanking"
        error = f"Confirm {what} the release. Nothing was changed."
        return _confirm_page(request, allowed, template, page, error=error, status=400)
    services.release_yank_set(
        release=release, yanked=yanked, reason=reason, principal=request.principal
    )
    verb = "yanked" if yanked else "un-yanked"
    messages.success(request, f"{project.name} {release.version} is {verb}.")
    return _back(allowed)


@require_http_methods(["GET", "HEAD", "POST"])
@_private
def release_yank(request: PrincipalRequest, name: str, version: str) -> HttpResponse:
    """GET: what yanking means, with a reason; POST with ``confirm=yes``: the release is
    yanked (PEP 592), or its reason changed if it already was."""
    return _yank(request, name, version, yanked=True)


@require_http_methods(["GET", "HEAD", "POST"])
@_private
def release_unyank(request: PrincipalRequest, name: str, version: str) -> HttpResponse:
    """GET: the confirmation; POST with ``confirm=yes``: the release is offered again."""
    return _yank(request, name, version, yanked=False)


# --- deletion ---------------------------------------------------------------------------------
#
# What is deleted is gone for good: its filenames stay reserved forever (``projects.services.
# deletion``), so each page says what breaks before its POST does it. What takes more than one
# file is confirmed by typing its name (the project's name, the release's version); one file,
# by its button, as a yank is.


def _deleted(
    request: PrincipalRequest, allowed: Allowed, delete: Callable[[], None], *, gone: str
) -> HttpResponse | None:
    """Run ``delete`` (a deletion service); the settings page with the error if it refused,
    or if what it was to delete went meanwhile (``gone`` says so); None once it is done."""
    try:
        delete()
    except services.ServiceError as exc:
        return _index(request, allowed, error=exc.message, status=exc.status)
    except ObjectDoesNotExist:  # deleted by someone else since the page was asked for
        return _index(request, allowed, error=gone, status=404)
    return None


def _release_or_404(
    request: PrincipalRequest, allowed: Allowed, version: str
) -> tuple[Release | None, HttpResponse | None]:
    project = allowed.project
    release = selectors.release_get(project=project, version=version)
    if release is None:
        message = f"{project.name} has no release {version}."
        return None, _index(request, allowed, error=message, status=404)
    return release, None


@require_http_methods(["GET", "HEAD", "POST"])
@_private
def file_delete(request: PrincipalRequest, name: str, version: str, filename: str) -> HttpResponse:
    """GET: what deleting the file means; POST with ``confirm=yes``: the file is deleted
    (``file_delete``); its release stays, even with no file left."""
    allowed, denied = _gate(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert allowed is not None
    project = allowed.project
    release, missing = _release_or_404(request, allowed, version)
    if missing is not None:
        return missing
    assert release is not None
    file: File | None = selectors.release_file_get(release=release, filename=filename)
    if file is None:
        message = f"{project.name} {release.version} has no file {filename}."
        return _index(request, allowed, error=message, status=404)
    page = {
        "release": release,
        "file": file,
        "action": reverse(
            "settings:file-delete", args=[project.normalized_name, release.version, filename]
        ),
    }
    template = "web/settings/delete_file.html"
    if request.method != "POST":
        return _confirm_page(request, allowed, template, page)
    if request.POST.get("confirm") != CONFIRMED:
        error = "Confirm the deletion. Nothing was deleted."
        return _confirm_page(request, allowed, template, page, error=error, status=400)
    refused = _deleted(
        request,
        allowed,
        lambda: services.file_delete(file=file, principal=request.principal),
        gone=f"{filename} was already deleted.",
    )
    if refused is not None:
        return refused
    messages.success(request, f"{filename} is deleted. Its filename can never be used again.")
    return _back(allowed)


@require_http_methods(["GET", "HEAD", "POST"])
@_private
def release_delete(request: PrincipalRequest, name: str, version: str) -> HttpResponse:
    """GET: what deleting the release means, and a field for its version; POST with the
    version typed (any spelling of it): the release and its files are deleted
    (``release_delete``)."""
    allowed, denied = _gate(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert allowed is not None
    project = allowed.project
    release, missing = _release_or_404(request, allowed, version)
    if missing is not None:
        return missing
    assert release is not None
    page = {
        "release": release,
        "files": selectors.release_file_list(release=release),
        "version_max": VERSION_MAX,
        "action": reverse("settings:release-delete", args=[project.normalized_name, version]),
    }
    template = "web/settings/delete_release.html"
    if request.method != "POST":
        return _confirm_page(request, allowed, template, page)
    typed = _typed(request.POST, "confirm_version", limit=VERSION_MAX)
    if not typed or canonicalize_version(typed) != release.canonical_version:
        error = f"Type the version, {release.version}, to confirm. Nothing was deleted."
        return _confirm_page(request, allowed, template, page, error=error, status=400)
    refused = _deleted(
        request,
        allowed,
        lambda: services.release_delete(release=release, principal=request.principal),
        gone=f"{project.name} {release.version} was already deleted.",
    )
    if refused is not None:
        return refused
    messages.success(
        request,
        f"{project.name} {release.version} is deleted. Its filenames can never be used again.",
    )
    return _back(allowed)


@require_http_methods(["GET", "HEAD", "POST"])
@_private
def project_delete(request: PrincipalRequest, name: str) -> HttpResponse:
    """GET: what deleting the project means, and a field for its name; POST with the name
    typed: the project, its releases, files and roles are deleted (``project_delete``), and
    the caller goes to their dashboard."""
    allowed, denied = _gate(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert allowed is not None
    project = allowed.project
    releases = selectors.release_list(project=project)
    page = {
        "releases": releases,
        "file_count": sum(len(release.files.all()) for release in releases),
        "name_max": PROJECT_NAME_MAX,
    }
    template = "web/settings/delete_project.html"
    if request.method != "POST":
        return _confirm_page(request, allowed, template, page)
    if not _typed_name_confirms(request.POST, project):
        error = f"Type the project's name, {project.name}, to confirm. Nothing was deleted."
        return _confirm_page(request, allowed, template, page, error=error, status=400)
    refused = _deleted(
        request,
        allowed,
        lambda: services.project_delete(project=project, principal=request.principal),
        gone=f"{project.name} was already deleted.",
    )
    if refused is not None:
        return refused
    messages.success(request, f"{project.name} is deleted. Its filenames can never be used again.")
    return redirect("web:dashboard")
