"""The one access policy (DESIGN 4).

``decide(principal, action, project)`` answers every "may this principal do this?" question for
every surface, and ``projects_visible_to(principal)`` is its read twin for listings. Adapters
(simple API, downloads, upload, REST, web UI) turn a ``Decision`` into a status code; they never
decide. A token only narrows what its owner may do.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet, Value

from accounts.models import OrganizationMember, OrganizationRole, Visibility
from projects.models import Project, ProjectRole, ProjectRoleName, ProjectStatus, TeamProjectRole

if TYPE_CHECKING:
    from accounts.models import Organization, User
    from tokens.models import Token


class Action(enum.StrEnum):
    READ = "projects:read"  # simple pages, files, metadata, JSON API, web page
    UPLOAD = "projects:upload"  # add files to an existing project
    CREATE = "projects:create"  # the first upload of a new name
    YANK = "projects:yank"
    MANAGE = "projects:manage"  # visibility, status, roles
    MODERATE = "projects:moderate"  # set or clear a quarantine: site staff only


class Denial(enum.StrEnum):
    UNAUTHENTICATED = "unauthenticated"  # 401: credentials needed
    FORBIDDEN = "forbidden"  # 403: who you are is known, and the answer is no
    NOT_FOUND = "not_found"  # 404: indistinguishable from a name that does not exist


@dataclass(frozen=True)
class Decision:
    allowed: bool
    denial: Denial | None = None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)
NOT_FOUND = Decision(False, Denial.NOT_FOUND, "Not Found")  # the same for private and unknown

# The scope a token needs for each action.
ACTION_SCOPE: dict[Action, str] = {
    Action.READ: "read",
    Action.UPLOAD: "upload",
    Action.CREATE: "upload",
    Action.YANK: "upload",
    Action.MANAGE: "manage",
    Action.MODERATE: "manage",
}

_ALL = frozenset({Action.READ, Action.UPLOAD, Action.YANK, Action.MANAGE})
PROJECT_ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    ProjectRoleName.OWNER: _ALL,
    ProjectRoleName.MAINTAINER: frozenset({Action.READ, Action.UPLOAD, Action.YANK}),
    ProjectRoleName.READER: frozenset({Action.READ}),
}
ORG_ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    OrganizationRole.OWNER: _ALL,
    OrganizationRole.MANAGER: _ALL,
    OrganizationRole.MEMBER: frozenset({Action.READ}),
}
# Organization roles that may create projects in the organization.
ORG_CREATORS = frozenset({OrganizationRole.OWNER, OrganizationRole.MANAGER})


class Principal:
    """Who is asking: anonymous, a user (web session) or a token (which acts for its user)."""

    def __init__(self, user: User | None = None, token: Token | None = None) -> None:
        if token is not None:
            user = token.user
        self.user = user if (user is not None and user.is_authenticated) else None
        self.token = token
        self._actions: dict[int, frozenset[Action]] = {}

    def __repr__(self) -> str:
        if self.token is not None:
            return f"<Principal token={self.token.identifier}>"
        return f"<Principal user={self.user.username if self.user else None}>"

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    @cached_property
    def token_project_ids(self) -> frozenset[int] | None:
        """The projects a restricted token is limited to, or None when unrestricted."""
        if self.token is None:
            return None
        ids = frozenset(self.token.projects.values_list("id", flat=True))
        return ids or None

    def has_scope(self, scope: str) -> bool:
        return self.token is None or self.token.has_scope(scope)

    def token_covers(self, project: Project) -> bool:
        """True unless the token is restricted and this project lies outside it."""
        if self.token is None:
            return True
        ids = self.token_project_ids  # evaluated first, whatever the organization says
        org_id = self.token.organization_id
        if org_id is not None and project.organization_id != org_id:
            return False
        return ids is None or project.id in ids

    def actions_on(self, project: Project) -> frozenset[Action]:
        """What the *user* may do on ``project`` through any role (one query, cached)."""
        if self.user is None:
            return frozenset()
        if self.user.is_superuser and self.user.is_active:
            return _ALL
        cached = self._actions.get(project.id)
        if cached is not None:
            return cached
        direct = (
            ProjectRole.objects.filter(project_id=project.id, user_id=self.user.id)
            .annotate(kind=Value("p"))
            .values_list("kind", "role")
        )
        via_team = (
            TeamProjectRole.objects.filter(
                project_id=project.id,
                team__memberships__user_id=self.user.id,
                # A team counts only inside the project's own, active organization, and only
                # for users who are still members of it.
                team__organization_id=project.organization_id,
                team__organization__is_active=True,
                team__organization__members__user_id=self.user.id,
            )
            .annotate(kind=Value("p"))
            .values_list("kind", "role")
        )
        parts = [via_team]
        if project.organization_id is not None:
            parts.append(
                OrganizationMember.objects.filter(
                    organization_id=project.organization_id,
                    user_id=self.user.id,
                    organization__is_active=True,
                )
                .annotate(kind=Value("o"))
                .values_list("kind", "role")
            )
        actions: set[Action] = set()
        for kind, role in direct.union(*parts, all=True):
            table = PROJECT_ROLE_ACTIONS if kind == "p" else ORG_ROLE_ACTIONS
            actions |= table.get(role, frozenset())
        result = frozenset(actions)
        self._actions[project.id] = result
        return result


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
    organization: Organization | None = None,
    require_authentication: bool = False,
) -> Decision:
    """May ``principal`` do ``action`` on ``project`` (None: the name does not exist)?

    ``require_authentication`` is for surfaces where every anonymous request is challenged
    (``/auth/simple/``). ``organization`` is where a CREATE would put the new project.
    """
    early = precheck(principal, action, require_authentication=require_authentication)
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
        if action == Action.UPLOAD:
            # Names are unique index-wide, so upload cannot hide that this one is taken.
            return Decision(False, Denial.FORBIDDEN, f"The name '{project.name}' is not available.")
        return NOT_FOUND
    if action == Action.MODERATE:
        user = principal.user
        if user is not None and user.is_active and (user.is_staff or user.is_superuser):
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


def precheck(
    principal: Principal, action: Action, *, require_authentication: bool = False
) -> Decision:
    """The part of ``decide`` that depends on the principal alone: authentication and scope.

    Surfaces ask it before anything that looks at names (a redirect, a listing), so the
    answer to bad or insufficient credentials never depends on what exists (S4.9).
    """
    if principal.is_anonymous and (require_authentication or action != Action.READ):
        return Decision(False, Denial.UNAUTHENTICATED, "Authentication required.")
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


def readable_by_anyone(project: Project) -> bool:
    """May an anonymous caller read ``project``? Decides shared caching (``public`` vs
    ``private``) and presigned URL lifetimes; never a substitute for ``decide``."""
    return _can_read(_ANONYMOUS, project)


def creation_organization(principal: Principal) -> Organization | None:
    """The organization a new project uploaded by ``principal`` belongs to."""
    if principal.token is not None and principal.token.organization_id is not None:
        return principal.token.organization
    return None


def projects_visible_to(principal: Principal) -> QuerySet[Project]:
    """The read twin of ``decide``: every project ``principal`` may READ.

    Every listing, search and count goes through here.
    """
    public = Q(visibility=Visibility.PUBLIC)
    qs = Project.objects.all()
    if principal.is_anonymous or not principal.has_scope(ACTION_SCOPE[Action.READ]):
        return qs.filter(public) if principal.is_anonymous else qs.none()
    user = principal.user
    assert user is not None
    if user.is_superuser and user.is_active:
        private = Q(pk__isnull=False)  # not Q(): an empty Q vanishes from an OR
    else:
        private = (
            Q(id__in=ProjectRole.objects.filter(user_id=user.id).values("project_id"))
            | Q(
                id__in=TeamProjectRole.objects.filter(
                    team__memberships__user_id=user.id,
                    team__organization_id=F("project__organization_id"),
                    team__organization__is_active=True,
                    team__organization__members__user_id=user.id,
                ).values("project_id")
            )
            | Q(
                organization_id__in=OrganizationMember.objects.filter(
                    user_id=user.id, organization__is_active=True
                ).values("organization_id")
            )
        )
    token = principal.token
    if token is not None:
        if token.organization_id is not None:
            private &= Q(organization_id=token.organization_id)
        if principal.token_project_ids is not None:
            private &= Q(id__in=principal.token_project_ids)
    return qs.filter(public | private)
