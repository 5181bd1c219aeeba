"""The one access policy (DESIGN 4).

``decide(principal, action, project, surface=...)`` answers every "may this principal do this?"
question for every surface; ``access.visibility`` holds its read twins for listings. Adapters
(simple API, downloads, upload, REST, web UI) turn a ``Decision`` into a status code; they never
decide. A token only narrows what its owner may do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from access.credentials import (
    AUTHENTICATION_REQUIRED,
    NOT_OFFERED,
    Surface,
    anonymous_read_open,
    credential_check,
)
from access.decision import ALLOW, NOT_FOUND, Decision, Denial
from access.principal import Principal
from access.roles import (
    ACTION_SCOPE,
    ALL_ORGANIZATION_ACTIONS,
    ORG_CREATORS,
    ORGANIZATION_ACTIONS,
    Action,
)
from accounts.models import OrganizationMember, OrganizationRole, Visibility
from projects.models import Project, ProjectRole, ProjectRoleName, ProjectStatus

if TYPE_CHECKING:
    from accounts.models import Organization, User


TRANSFER_NEEDS_OWNER = "You need to be an owner of the organization the project moves to."
_ANONYMOUS = Principal()
# Stands in for a missing project in the timing-equalising lookup; id 0 matches no row.
_NO_PROJECT = Project(id=0, organization_id=0, visibility=Visibility.PRIVATE)


def organization_inactive(project: Project) -> bool:
    """Whether ``project`` belongs to a deactivated organization, whose projects no one but
    site staff may read (issue 9). ``_NO_PROJECT``'s organization id 0 is no organization."""
    return bool(project.organization_id) and not project.organization.is_active  # type: ignore[union-attr]


def _can_read(principal: Principal, project: Project) -> bool:
    inactive = organization_inactive(project)
    public = project.visibility == Visibility.PUBLIC
    if public and not inactive:
        return True
    # Both lookups always run (no short-circuit): the work must not depend on the answer.
    covered = principal.token_covers(project)
    actions = principal.actions_on(project)
    readable = public or (covered and Action.READ in actions)
    if inactive:
        # A deactivated organization's projects: staff only, and only what they could read.
        return readable and principal.site_staff
    return readable


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
        # A staff member's token restricted to other projects narrows moderation too.
        if principal.site_staff and principal.token_covers(project):
            return ALLOW
        return Decision(
            False, Denial.FORBIDDEN, "Only site administrators may quarantine or release a project."
        )
    if (
        not principal.token_covers(project)
        or action not in principal.actions_on(project)
        or organization_inactive(project)
    ):
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
        if principal.organization_token:  # pragma: no cover - it always has an organization
            return Decision(
                False, Denial.FORBIDDEN, "An organization token needs its organization."
            )
        return ALLOW
    if principal.organization_token:
        # Its scopes were checked; it creates in its own organization while that is active.
        if target.is_active:
            return ALLOW
        return Decision(
            False,
            Denial.FORBIDDEN,
            f"You may not create projects in the organization '{target.name}'.",
        )
    assert principal.user is not None
    if principal.user.is_superuser and principal.user.is_active:
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


def _organization_role(principal: Principal, organization: Organization | None) -> str | None:
    """The principal's user's role in ``organization`` (one query, run for a missing one too),
    as far as their token lets them act for it: a token restricted to another organization or
    to projects acts for no organization; an organization token acts for none either (it
    reads and uploads projects, nothing more)."""
    user = principal.user
    org_id = organization.id if organization is not None else 0
    role = None
    if user is not None and user.is_active:
        role = (
            OrganizationMember.objects.filter(organization_id=org_id, user_id=user.id)
            .values_list("role", flat=True)
            .first()
        )
    token = principal.token
    if token is not None and (
        token.organization_id not in (None, org_id) or principal.token_project_ids is not None
    ):
        return None
    return role


def decide_organization(
    principal: Principal,
    action: Action,
    organization: Organization | None,
    *,
    surface: Surface | None,
) -> Decision:
    """May ``principal`` do ``action`` (an organization action: read its page, manage it, its
    teams, issue its tokens) on ``organization`` (None: no such name)?

    An organization is seen by its members only (and superusers): anyone else, and everyone
    but superusers while it is deactivated, gets the same NOT_FOUND as for a name that does
    not exist. What
    each role may do is ``access.roles.ORGANIZATION_ACTIONS`` (docs/access.md).
    """
    early = precheck(principal, action, surface=surface)
    if not early:
        return early
    role = _organization_role(principal, organization)
    user = principal.user
    superuser = user is not None and user.is_superuser and user.is_active
    if organization is None or not (superuser or (role is not None and organization.is_active)):
        return NOT_FOUND
    if principal.token is not None and principal.token.organization_id not in (
        None,
        organization.id,
    ):
        return NOT_FOUND
    allowed = (
        ALL_ORGANIZATION_ACTIONS if superuser else ORGANIZATION_ACTIONS.get(role or "", frozenset())
    )
    if action in allowed:
        return ALLOW
    what = {
        Action.ORGANIZATION_MANAGE: "Only owners of the organization may do this.",
        Action.TEAMS_MANAGE: "Only owners and managers of the organization may manage its teams.",
        Action.ORGANIZATION_TOKENS_ISSUE: (
            "Only owners and managers of the organization may issue its tokens."
        ),
    }
    return Decision(False, Denial.FORBIDDEN, what.get(action, NOT_OFFERED))


def decide_organization_create(principal: Principal, *, surface: Surface | None) -> Decision:
    """May ``principal`` create an organization (becoming its owner)? Anyone signed in, or
    only site staff (``PRIVINDEX_ORGANIZATION_CREATORS=staff``). An organization grants
    nothing over anyone else's projects; its name is only a name (namespaces are granted
    apart, decision 0016)."""
    early = precheck(principal, Action.ORGANIZATION_CREATE, surface=surface)
    if not early:
        return early
    if principal.user is None or not principal.user.is_active:
        return Decision(False, Denial.UNAUTHENTICATED, AUTHENTICATION_REQUIRED)
    kept = _kept_token(principal)
    if not kept:
        return kept
    creators = getattr(settings, "PRIVINDEX_ORGANIZATION_CREATORS", "anyone")
    if creators == "staff" and not principal.site_staff:
        return Decision(
            False, Denial.FORBIDDEN, "Only site administrators may create organizations here."
        )
    return ALLOW


KEPT_TOKEN = "A token kept to projects or to an organization acts for no other organization."


def _kept_token(principal: Principal) -> Decision:
    """Refused for a personal token kept to projects or to an organization: it acts for no
    organization beyond its own (``_organization_role``), so it neither creates one nor
    joins one for its user."""
    token = principal.token
    if token is not None and (
        token.organization_id is not None or principal.token_project_ids is not None
    ):
        return Decision(False, Denial.FORBIDDEN, KEPT_TOKEN)
    return ALLOW


def decide_invitation(principal: Principal, action: Action, *, surface: Surface | None) -> Decision:
    """May ``principal`` see (``ORGANIZATION_READ``) or answer (``ORGANIZATION_MANAGE``: accept,
    decline) the invitations addressed to its user? A person, through a session or a personal
    token with the action's scope that is kept to no projects and no organization (joining an
    organization is acting for one). An organization token has no person to invite."""
    early = precheck(principal, action, surface=surface)
    if not early:
        return early
    if principal.user is None or not principal.user.is_active:
        if principal.token is not None:
            return Decision(False, Denial.FORBIDDEN, "An organization token joins nothing.")
        return Decision(False, Denial.UNAUTHENTICATED, AUTHENTICATION_REQUIRED)
    return _kept_token(principal)


def owns_project(principal: Principal, project: Project) -> bool:
    """The owner role on ``project``: a direct owner of a project without an organization, an
    owner of the organization of one that has it; superusers. A token must cover it and may
    manage (a transfer is a management action)."""
    user = principal.user
    if user is None or not user.is_active or not principal.token_covers(project):
        return False
    if not principal.has_scope(ACTION_SCOPE[Action.MANAGE]):
        return False
    if user.is_superuser:
        return True
    if project.organization_id is not None:
        return _organization_role(
            principal, project.organization
        ) == OrganizationRole.OWNER and not organization_inactive(project)
    return ProjectRole.objects.filter(
        project_id=project.id, user_id=user.id, role=ProjectRoleName.OWNER
    ).exists()


def decide_transfer(
    principal: Principal,
    project: Project,
    *,
    organization: Organization | None,
    user: User | None,
    surface: Surface | None,
) -> Decision:
    """May ``principal`` move ``project`` into ``organization``, or to ``user`` (out of its
    organization)? It needs the owner role on both sides: of the project (``owns_project``)
    and of the organization it goes to, or be the user it goes to (superusers: any)."""
    decision = decide(principal, Action.MANAGE, project, surface=surface)
    if not decision:
        return decision
    if not owns_project(principal, project):
        return Decision(False, Denial.FORBIDDEN, "Only an owner of the project may transfer it.")
    acting_user = principal.user
    assert acting_user is not None
    if acting_user.is_superuser:
        return ALLOW
    if organization is not None:
        there = decide_organization(
            principal, Action.ORGANIZATION_MANAGE, organization, surface=surface
        )
        if not there:
            return Decision(
                False,
                Denial.FORBIDDEN,
                TRANSFER_NEEDS_OWNER,
            )
        return ALLOW
    if user is not None and user.pk == acting_user.pk:
        return ALLOW
    return Decision(
        False,
        Denial.FORBIDDEN,
        "A project can only be transferred to yourself or to an organization you own.",
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
