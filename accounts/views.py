"""The organization pages of the web UI (issue 9): my organizations and invitations, an
organization's page (its projects, members and teams, with its owners' and managers' forms)
and its tokens.

Views adapt only. ``access.decide_organization`` answers every question (on the web surface,
which accepts sessions only) and templates get its answers as booleans. An organization the
caller may not see is a 404 whose body is the same as for a name that does not exist; whoever
is not signed in is sent to the login page; credentials that were sent but are bad stay a 401.
What a service refuses (the last owner, a team member from outside, ...) is shown on the page
the form was on, with the service's status. The session user acts; the request's address is
recorded by ``privindex.middleware.AuditOriginMiddleware``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from packaging.utils import canonicalize_name

from access import (
    Action,
    Decision,
    Principal,
    Surface,
    decide,
    decide_organization,
    decide_organization_create,
)
from access import precheck as access_precheck
from accounts import selectors, services
from accounts.forms import (
    DefaultVisibilityForm,
    InvitationForm,
    MemberRoleForm,
    MfaRequiredForm,
    OrganizationTokenForm,
    TeamForm,
    TeamMemberForm,
    TeamProjectRoleForm,
)
from accounts.limits import TEAM_NAME_MAX
from accounts.mfa import mfa_users
from accounts.models import (
    Organization,
    OrganizationMember,
    OrganizationRole,
    Team,
    TeamMember,
    User,
    Visibility,
)
from privindex import web
from privindex.requests import PrincipalRequest
from projects import selectors as project_selectors
from projects import services as project_services
from projects.models import Project, ProjectRoleName, TeamProjectRole
from tokens import selectors as token_selectors
from tokens import services as token_services
from tokens.views import issued_snippets

View = Callable[..., HttpResponse]
# A form of the organization page: does its work, and says what it did.
FormView = Callable[..., str]


class _Refused(Exception):
    """A request this page refuses before any service is asked (a form that does not
    validate, a username nobody has): shown on the page like a service's refusal."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


REFUSALS = (_Refused, services.AccountError, project_services.ServiceError)

# --- answers: a decision becomes a page ------------------------------------------------------


def _deny(request: PrincipalRequest, decision: Decision, *, back: str) -> HttpResponse:
    """401 (a person is sent to sign in, then ``back``), 403 with the reason, or the 404."""
    return web.deny(request, request.principal, decision, login_then=back)


def _signed_in(request: PrincipalRequest) -> User:
    """The session user of a view the web surface let in (it accepts sessions only)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _precheck(request: PrincipalRequest, action: Action, *, back: str) -> HttpResponse | None:
    """The answer when the caller cannot ask at all (bad credentials, not signed in, a
    token), decided before any lookup so it reveals nothing; None when they may ask."""
    if request.auth_error:
        return web.unauthenticated(request, request.auth_error)
    early = access_precheck(request.principal, action, surface=Surface.WEB)
    if not early:
        return _deny(request, early, back=back)
    return None


def _organization(
    request: PrincipalRequest, name: str, action: Action, *, back: str
) -> tuple[Organization | None, HttpResponse | None]:
    """The organization ``name`` (any spelling) if the caller may do ``action`` on it, else
    the answer to send: 404 for one they may not see, 403 for one they see but may not do
    this to."""
    denied = _precheck(request, action, back=back)
    if denied is not None:
        return None, denied
    organization = selectors.organization_by_name(name=name)
    decision = decide_organization(request.principal, action, organization, surface=Surface.WEB)
    if not decision:
        return None, _deny(request, decision, back=back)
    return organization, None


def _may(request: PrincipalRequest, action: Action, organization: Organization) -> bool:
    """Whether to offer a form: what the form's view will ask."""
    return bool(decide_organization(request.principal, action, organization, surface=Surface.WEB))


def _per_caller(view: View) -> View:
    """What a page shows depends on who asks: keep it out of shared caches."""
    return cache_control(private=True, no_cache=True)(vary_on_headers("Authorization")(view))


def _form_errors(form: forms.Form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _valid(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise _Refused(_form_errors(form))
    return form.cleaned_data


# --- reads the pages share -------------------------------------------------------------------


def _organization_projects(principal: Principal, organization: Organization) -> QuerySet[Project]:
    """The organization's projects the caller may read (the read twin), by name."""
    return project_selectors.project_list(principal=principal).filter(organization=organization)


def _member(organization: Organization, username: str) -> OrganizationMember:
    member = organization.members.select_related("user").filter(user__username=username).first()
    if member is None:
        raise _Refused(f"'{username}' is not a member of '{organization.name}'.", 404)
    return member


def _user(username: str) -> User:
    user = selectors.user_get(username=username.strip())
    if user is None:
        raise _Refused(f"No active user is named '{username.strip()}'.")
    return user


def _team(organization: Organization, team_id: int) -> Team:
    team = organization.teams.filter(pk=team_id).first()
    if team is None:
        raise _Refused("No such team.", 404)
    return team


def _team_project(request: PrincipalRequest, name: str) -> Project:
    """The project ``name`` for a team's role. One the caller may not read is answered as a
    name that does not exist; the service refuses any that is not the organization's."""
    project = project_selectors.project_get(name=name)
    if not decide(request.principal, Action.READ, project, surface=Surface.WEB):
        raise _Refused(f"No project is named '{name}'.")
    assert project is not None
    return project


# --- my organizations and invitations --------------------------------------------------------


def _list_page(request: PrincipalRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "memberships": selectors.organization_memberships(principal=request.principal),
        "invitations": list(services.invitations_for(user=_signed_in(request))),
        "can_create": bool(decide_organization_create(request.principal, surface=Surface.WEB)),
        "visibility_choices": Visibility.choices,
        "error": error,
    }
    return render(request, "orgs/list.html", context, status=status)


def organization_create(request: PrincipalRequest) -> HttpResponse:
    """Create an organization with the caller as its first owner (``PRIVINDEX_ORGANIZATION_
    CREATORS`` says who may)."""
    back = reverse("orgs:list")
    denied = _precheck(request, Action.ORGANIZATION_CREATE, back=back)
    if denied is not None:
        return denied
    decision = decide_organization_create(request.principal, surface=Surface.WEB)
    if not decision:
        return _deny(request, decision, back=back)
    user = _signed_in(request)
    visibility = request.POST.get("default_visibility", Visibility.PRIVATE)
    try:
        organization = services.organization_create(
            name=request.POST.get("name", "").replace("\x00", ""),
            default_visibility=visibility,
            owner=user,
            actor=user,
        )
    except services.AccountError as exc:
        return _list_page(request, error=exc.message, status=exc.status)
    messages.success(request, f"{organization.name} is created; you are its owner.")
    return redirect("orgs:detail", name=organization.normalized_name)


@require_http_methods(["GET", "HEAD", "POST"])
@_per_caller
def organization_list(request: PrincipalRequest) -> HttpResponse:
    """GET: my organizations and invitations. POST: create an organization (at ``/org/``
    itself, so that no organization name is shadowed by a route)."""
    if request.method == "POST":
        return organization_create(request)
    denied = _precheck(request, Action.ORGANIZATION_READ, back=request.get_full_path())
    if denied is not None:
        return denied
    return _list_page(request)


def _invitation_answer(request: PrincipalRequest, pk: int, *, accept: bool) -> HttpResponse:
    denied = _precheck(request, Action.ORGANIZATION_READ, back=reverse("orgs:list"))
    if denied is not None:
        return denied
    user = _signed_in(request)
    # Someone else's invitation reads as one that does not exist.
    invitation = services.invitations_for(user=user).filter(pk=pk).first()
    if invitation is None:
        return web.not_found(request)
    organization = invitation.organization
    try:
        if accept:
            member = services.invitation_accept(invitation=invitation, user=user)
        else:
            services.invitation_decline(invitation=invitation, user=user)
    except services.AccountError as exc:
        return _list_page(request, error=exc.message, status=exc.status)
    if not accept:
        messages.success(request, f"You declined the invitation to {organization.name}.")
        return redirect("orgs:list")
    messages.success(
        request, f"You joined {organization.name} as {member.get_role_display().lower()}."
    )
    return redirect("orgs:detail", name=organization.normalized_name)


@require_POST
def invitation_accept(request: PrincipalRequest, pk: int) -> HttpResponse:
    return _invitation_answer(request, pk, accept=True)


@require_POST
def invitation_decline(request: PrincipalRequest, pk: int) -> HttpResponse:
    return _invitation_answer(request, pk, accept=False)


# --- an organization's page ------------------------------------------------------------------


def _audit_url(organization: Organization) -> str:
    """The organization's audit log page (``audit/views.py``)."""
    return reverse("audit:organization-log", args=[organization.normalized_name])


def _detail_page(
    request: PrincipalRequest,
    organization: Organization,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    principal = request.principal
    can_manage = _may(request, Action.ORGANIZATION_MANAGE, organization)
    can_manage_teams = _may(request, Action.TEAMS_MANAGE, organization)
    projects = list(_organization_projects(principal, organization))
    members = list(organization.members.select_related("user").order_by("user__username"))
    teams = list(
        organization.teams.order_by("name").prefetch_related(
            Prefetch(
                "memberships",
                queryset=TeamMember.objects.select_related("user").order_by("user__username"),
            ),
            Prefetch(
                "project_roles",
                queryset=TeamProjectRole.objects.filter(project__in=[p.pk for p in projects])
                .select_related("project")
                .order_by("project__normalized_name"),
            ),
        )
    )
    mine = next((m for m in members if m.user_id == request.user.pk), None)
    context = {
        "org": organization,
        "my_membership": mine,
        "projects": projects,
        "members": members,
        "teams": teams,
        "error": error,
        "can_manage": can_manage,
        "can_manage_teams": can_manage_teams,
        "can_issue_tokens": _may(request, Action.ORGANIZATION_TOKENS_ISSUE, organization),
        "invitations": (
            list(services.invitations_pending(organization=organization)) if can_manage else []
        ),
        "audit_url": _audit_url(organization) if can_manage else None,
        # Owners see who has two-factor authentication, before and after requiring it.
        "with_mfa": mfa_users([m.user_id for m in members]) if can_manage else set(),
        "role_choices": OrganizationRole.choices,
        "visibility_choices": Visibility.choices,
        "project_role_choices": ProjectRoleName.choices,
        "invitation_days": settings.PRIVINDEX_INVITATION_DAYS,
        "team_name_max": TEAM_NAME_MAX,
    }
    return render(request, "orgs/detail.html", context, status=status)


@require_safe
@_per_caller
def organization_detail(request: PrincipalRequest, name: str) -> HttpResponse:
    if request.auth_error:  # bad credentials are answered before anything else (S4.9)
        return web.unauthenticated(request, request.auth_error)
    normalized = canonicalize_name(name)
    if name != normalized:
        # Decided on the spelling alone, before any lookup, so it reveals nothing.
        return redirect("orgs:detail", name=normalized, permanent=True)
    organization, denied = _organization(
        request, name, Action.ORGANIZATION_READ, back=request.get_full_path()
    )
    if denied is not None:
        return denied
    assert organization is not None
    return _detail_page(request, organization)


def _organization_form(action: Action) -> Callable[[FormView], View]:
    """A POST form of the organization's page, for callers ``decide_organization`` lets do
    ``action``. The view gets the organization; what it or a service refuses is shown on the
    page; what it does is said in a message on the page it redirects back to."""

    def decorate(view: FormView) -> View:
        @require_POST
        @wraps(view)
        def wrapper(request: PrincipalRequest, name: str, **kwargs: Any) -> HttpResponse:
            back = reverse("orgs:detail", args=[canonicalize_name(name)])
            organization, denied = _organization(request, name, action, back=back)
            if denied is not None:
                return denied
            assert organization is not None
            try:
                message = view(request, organization, **kwargs)
            except REFUSALS as exc:
                return _detail_page(request, organization, error=exc.message, status=exc.status)
            messages.success(request, message)
            # Back to the organization's page, unless the caller may no longer see it (they
            # left it, or deleted it).
            current = selectors.organization_by_name(name=organization.normalized_name)
            seen = decide_organization(
                request.principal, Action.ORGANIZATION_READ, current, surface=Surface.WEB
            )
            if not seen:
                return redirect("orgs:list")
            return redirect("orgs:detail", name=organization.normalized_name)

        return wrapper

    return decorate


@_organization_form(Action.ORGANIZATION_MANAGE)
def invitation_create(request: PrincipalRequest, organization: Organization) -> str:
    data = _valid(InvitationForm(request.POST))
    user = _user(data["username"]) if data["username"] else None
    invitation = services.invitation_create(
        organization=organization,
        role=data["role"],
        user=user,
        email=data["email"] or "",
        accept_url=request.build_absolute_uri(reverse("orgs:list")),
        actor=_signed_in(request),
    )
    invitee = invitation.user.username if invitation.user else invitation.email
    return f"{invitee} is invited to join as {invitation.get_role_display().lower()}."


@_organization_form(Action.ORGANIZATION_MANAGE)
def invitation_withdraw(request: PrincipalRequest, organization: Organization, pk: int) -> str:
    invitation = services.invitations_pending(organization=organization).filter(pk=pk).first()
    if invitation is None:
        raise _Refused("No such pending invitation.", 404)
    services.invitation_withdraw(invitation=invitation, actor=_signed_in(request))
    return f"The invitation of {invitation.user or invitation.email} is withdrawn."


@_organization_form(Action.ORGANIZATION_MANAGE)
def member_role_set(request: PrincipalRequest, organization: Organization, username: str) -> str:
    data = _valid(MemberRoleForm(request.POST))
    # Only a member's role changes here: people join by invitation.
    member = _member(organization, username)
    member = services.organization_member_set(
        organization=organization, user=member.user, role=data["role"], actor=_signed_in(request)
    )
    return f"{username} is now {member.get_role_display().lower()} of {organization.name}."


@_organization_form(Action.ORGANIZATION_MANAGE)
def member_remove(request: PrincipalRequest, organization: Organization, username: str) -> str:
    member = _member(organization, username)
    services.organization_member_remove(
        organization=organization, user=member.user, actor=_signed_in(request)
    )
    return f"{username} is no longer a member of {organization.name}."


@_organization_form(Action.ORGANIZATION_MANAGE)
def default_visibility_set(request: PrincipalRequest, organization: Organization) -> str:
    data = _valid(DefaultVisibilityForm(request.POST))
    services.organization_update(
        organization=organization,
        default_visibility=data["default_visibility"],
        actor=_signed_in(request),
    )
    visibility = organization.get_default_visibility_display().lower()
    return f"New projects of {organization.name} are {visibility}."


@_organization_form(Action.ORGANIZATION_MANAGE)
def mfa_required_set(request: PrincipalRequest, organization: Organization) -> str:
    data = _valid(MfaRequiredForm(request.POST))
    services.organization_update(
        organization=organization, mfa_required=data["required"], actor=_signed_in(request)
    )
    if organization.mfa_required:
        return (
            f"Members of {organization.name} must now use two-factor authentication: those "
            "without it are asked to set it up when they next open a page."
        )
    return f"Two-factor authentication is no longer required by {organization.name}."


@_organization_form(Action.ORGANIZATION_MANAGE)
def organization_delete(request: PrincipalRequest, organization: Organization) -> str:
    """Delete it, once its name is typed; refused (409) while it owns projects."""
    if request.POST.get("confirm", "").strip() != organization.name:
        raise services.AccountError(f"Type the name '{organization.name}' to confirm.")
    name = organization.name
    services.organization_delete(organization=organization, actor=_signed_in(request))
    return f"The organization {name} is deleted."


@_organization_form(Action.TEAMS_MANAGE)
def team_create(request: PrincipalRequest, organization: Organization) -> str:
    data = _valid(TeamForm(request.POST))
    team = services.team_create(
        organization=organization, name=data["name"], actor=_signed_in(request)
    )
    return f"The team {team.name} is created."


@_organization_form(Action.TEAMS_MANAGE)
def team_delete(request: PrincipalRequest, organization: Organization, team_id: int) -> str:
    team = _team(organization, team_id)
    services.team_delete(team=team, actor=_signed_in(request))
    return f"The team {team.name} is deleted."


@_organization_form(Action.TEAMS_MANAGE)
def team_member_add(request: PrincipalRequest, organization: Organization, team_id: int) -> str:
    team = _team(organization, team_id)
    data = _valid(TeamMemberForm(request.POST))
    user = _user(data["username"])
    services.team_member_add(team=team, user=user, actor=_signed_in(request))
    return f"{user.username} is in the team {team.name}."


@_organization_form(Action.TEAMS_MANAGE)
def team_member_remove(
    request: PrincipalRequest, organization: Organization, team_id: int, username: str
) -> str:
    team = _team(organization, team_id)
    user = team.users.filter(username=username).first()
    if user is None:
        raise _Refused(f"'{username}' is not in the team '{team.name}'.", 404)
    services.team_member_remove(team=team, user=user, actor=_signed_in(request))
    return f"{username} left the team {team.name}."


@_organization_form(Action.TEAMS_MANAGE)
def team_role_set(request: PrincipalRequest, organization: Organization, team_id: int) -> str:
    team = _team(organization, team_id)
    data = _valid(TeamProjectRoleForm(request.POST))
    project = _team_project(request, data["project"])
    role = project_services.team_project_role_set(
        project=project, team=team, role=data["role"], principal=request.principal
    )
    return f"The team {team.name} is {role.get_role_display().lower()} of {project.name}."


@_organization_form(Action.TEAMS_MANAGE)
def team_role_remove(
    request: PrincipalRequest, organization: Organization, team_id: int, project: str
) -> str:
    team = _team(organization, team_id)
    found = _team_project(request, project)
    project_services.team_project_role_remove(project=found, team=team, principal=request.principal)
    return f"The team {team.name} has no role on {found.name} any more."


# --- the organization's tokens ---------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def organization_tokens(request: PrincipalRequest, name: str) -> HttpResponse:
    """GET: the organization's tokens and the form. POST: issue one and show its secret, once.

    Owners and managers issue them; only owners revoke. The secret is rendered into this
    response only: no redirect carries it, no session or message stores it, and
    ``never_cache`` keeps it out of shared and browser caches.
    """
    if request.auth_error:
        return web.unauthenticated(request, request.auth_error)
    normalized = canonicalize_name(name)
    if request.method != "POST" and name != normalized:
        return redirect("orgs:tokens", name=normalized, permanent=True)
    organization, denied = _organization(
        request,
        name,
        Action.ORGANIZATION_TOKENS_ISSUE,
        back=reverse("orgs:tokens", args=[normalized]),
    )
    if denied is not None:
        return denied
    assert organization is not None
    projects = _organization_projects(request.principal, organization)
    form = OrganizationTokenForm(
        request.POST if request.method == "POST" else None, projects=projects
    )
    issued, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            days = form.cleaned_data["expires_days"]
            try:
                issued = token_services.token_issue(
                    user=None,
                    organization=organization,
                    scopes=form.cleaned_data["scopes"],
                    name=form.cleaned_data["name"],
                    projects=form.cleaned_data["projects"],
                    expires_in=dt.timedelta(days=days) if days else None,
                    actor=_signed_in(request),
                )
            except token_services.TokenError as exc:
                form.add_error(None, str(exc))
            else:
                status = 200
                form = OrganizationTokenForm(projects=projects)
    context: dict[str, Any] = {
        "org": organization,
        "form": form,
        "tokens": token_selectors.organization_token_list(organization=organization),
        "issued": issued,
        "can_revoke": _may(request, Action.ORGANIZATION_MANAGE, organization),
    }
    if issued is not None:
        context.update(issued_snippets(request, issued.token))
    return render(request, "orgs/tokens.html", context, status=status)


@require_POST
def organization_token_revoke(request: PrincipalRequest, name: str, pk: int) -> HttpResponse:
    back = reverse("orgs:tokens", args=[canonicalize_name(name)])
    organization, denied = _organization(request, name, Action.ORGANIZATION_MANAGE, back=back)
    if denied is not None:
        return denied
    assert organization is not None
    token = token_selectors.organization_token_list(organization=organization).filter(pk=pk).first()
    if token is None:
        return web.not_found(request)
    token_services.token_revoke(token=token, actor=_signed_in(request))
    messages.success(request, f"Token {token.name or token.identifier} is revoked.")
    return redirect("orgs:tokens", name=organization.normalized_name)
