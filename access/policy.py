"""The one access policy (DESIGN 4).

``decide(principal, action, project, surface=...)`` answers every "may this principal do this?"
question for every surface; ``access.visibility`` holds its read twins for listings. Adapters
(simple API, downloads, upload, REST, web UI) turn a ``Decision`` into a status code; they never
decide. A token only narrows what its owner may do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from access.credentials import (
    AUTHENTICATION_REQUIRED,
    Surface,
    anonymous_read_open,
    credential_check,
)
from access.decision import ALLOW, NOT_FOUND, Decision, Denial
from access.principal import Principal
from access.roles import ACTION_SCOPE, ORG_CREATORS, Action
from accounts.models import OrganizationMember, Visibility
from projects.models import Project, ProjectStatus

if TYPE_CHECKING:
    from accounts.models import Organization


_ANONYMOUS = Principal()
# Stands in for a missing project in the timing-equalising lookup; id 0 matches no row.
_NO_PROJECT = Project(id=0, organization_id=0, visibility=Visibility.PRIVATE)


def _can_read(principal: Principal, project: Project) -> bool:
    if project.visibility == Visibility.PUBLIC:
        return True
    # Both lookups always run (no short-circuit): the work must not depend on the answer.
    covered = principal.token_covers(project)
    actions = principal.actions_on(project)
    return covered and Action.READ in actions


def decide(
    principal: Principal,
    action: Action,
    project: Project | None,
    *,
    surface: Surface | None,
    organization: Organization | None = None,
) -> Decision:
    """May ``principal`` do ``action`` on ``project`` (None: the name does not exist), asking
    through ``surface``?

    First the credential table (``access.credentials``) and the token's scope, then the roles.
    ``surface=None`` asks the role policy alone, as if every kind of credential were accepted
    (anonymous callers may only read): the policy matrix tests use it; every adapter names its
    surface. ``organization`` is where a CREATE would put the new project.
    """
    early = precheck(principal, action, surface=surface)
    if not early:
        return early
    if action == Action.CREATE:
        return _decide_create(principal, organization)
    if project is None:
        if action == Action.UPLOAD:
            return Decision(False, Denial.FORBIDDEN, "The project does not exist.")
        # Do the lookups a private name would cost, so an unknown name does not answer
        # measurably faster than a private one (S4.12: "similar timing").
        _can_read(principal, _NO_PROJECT)
        return NOT_FOUND
    readable = _can_read(principal, project)
    if action == Action.READ:
        return ALLOW if readable else NOT_FOUND
    if not readable:
        # Upload answers this as the name rules answer any unavailable name (409, one
        # message for a hidden project, a reserved namespace and a similar name).
        return NOT_FOUND
    if action == Action.MODERATE:
        user = principal.user
        staff = user is not None and user.is_active and (user.is_staff or user.is_superuser)
        # A staff member's token restricted to other projects narrows moderation too.
        if staff and principal.token_covers(project):
            return ALLOW
        return Decision(
            False, Denial.FORBIDDEN, "Only site administrators may quarantine or release a project."
        )
    if not principal.token_covers(project) or action not in principal.actions_on(project):
        who = (
            "The given token isn't"
            if principal.token is not None
            else f"The user '{principal.user.username}' isn't"  # type: ignore[union-attr]
        )
        verb = {Action.UPLOAD: "upload to", Action.YANK: "yank releases of"}.get(action, "manage")
        return Decision(
            False, Denial.FORBIDDEN, f"{who} allowed to {verb} project '{project.name}'."
        )
    if action == Action.UPLOAD and project.status in (
        ProjectStatus.ARCHIVED,
        ProjectStatus.QUARANTINED,
    ):
        return Decision(
            False,
            Denial.FORBIDDEN,
            f"Project '{project.name}' is {project.status}: uploads are not allowed.",
        )
    return ALLOW


def precheck(principal: Principal, action: Action, *, surface: Surface | None) -> Decision:
    """The part of ``decide`` that depends on the principal alone: the kind of credential and
    the token's scope.

    Surfaces ask it before anything that looks at names (a redirect, a listing), so the
    answer to bad or insufficient credentials never depends on what exists (S4.9).
    """
    if surface is not None:
        kind = credential_check(principal, action, surface=surface)
        if not kind:
            return kind
    elif principal.is_anonymous and action != Action.READ:
        return Decision(False, Denial.UNAUTHENTICATED, AUTHENTICATION_REQUIRED)
    if not principal.has_scope(ACTION_SCOPE[action]):
        return Decision(
            False,
            Denial.FORBIDDEN,
            f"The token does not have the '{ACTION_SCOPE[action]}' scope.",
        )
    return ALLOW


def _decide_create(principal: Principal, organization: Organization | None) -> Decision:
    if principal.token is not None and principal.token_project_ids is not None:
        return Decision(
            False,
            Denial.FORBIDDEN,
            "A token restricted to projects cannot create a new project.",
        )
    target = organization
    if principal.token is not None and principal.token.organization_id is not None:
        target = principal.token.organization
    if target is None:
        return ALLOW
    assert principal.user is not None
    if principal.user.is_superuser:
        return ALLOW
    allowed = OrganizationMember.objects.filter(
        organization_id=target.id,
        user_id=principal.user.id,
        role__in=ORG_CREATORS,
        organization__is_active=True,
    ).exists()
    if allowed:
        return ALLOW
    return Decision(
        False,
        Denial.FORBIDDEN,
        f"You may not create projects in the organization '{target.name}'.",
    )


def decide_upstream(principal: Principal, *, surface: Surface) -> Decision:
    """May ``principal`` read what an upstream index serves (a page or file of a name with no
    local project)? Upstream content is public by nature: the credential table (a closed
    index refuses anonymous callers) and the read scope, as for a public project."""
    return precheck(principal, Action.READ, surface=surface)


def readable_by_anyone(project: Project) -> bool:
    """May an anonymous caller read ``project``? Decides shared caching (``public`` vs
    ``private``) and presigned URL lifetimes; never a substitute for ``decide``. Nothing is,
    on a closed index."""
    return anonymous_read_open() and _can_read(_ANONYMOUS, project)


def creation_organization(principal: Principal) -> Organization | None:
    """The organization a new project uploaded by ``principal`` belongs to."""
    if principal.token is not None and principal.token.organization_id is not None:
        return principal.token.organization
    return None
