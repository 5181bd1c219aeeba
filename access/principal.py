"""Who is asking: anonymous, a user (web session) or a token (which acts for its user)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Value

from access.roles import (
    ALL_PROJECT_ACTIONS,
    ORG_ROLE_ACTIONS,
    ORGANIZATION_TOKEN_ACTIONS,
    PROJECT_ROLE_ACTIONS,
    Action,
)
from accounts.models import OrganizationMember
from projects.models import Project, ProjectRole, TeamProjectRole

if TYPE_CHECKING:
    from accounts.models import User
    from tokens.models import Token


class Principal:
    """Who is asking: anonymous, a user (web session), a personal token (which acts for its
    user) or an organization token (no user: it acts for its organization, on its projects)."""

    def __init__(self, user: User | None = None, token: Token | None = None) -> None:
        if token is not None:
            user = token.user  # None for an organization token
        self.user = user if (user is not None and user.is_authenticated) else None
        self.token = token
        self._actions: dict[int, frozenset[Action]] = {}

    def __repr__(self) -> str:
        if self.token is not None:
            return f"<Principal token={self.token.identifier}>"
        return f"<Principal user={self.user.username if self.user else None}>"

    @property
    def is_anonymous(self) -> bool:
        return self.user is None and self.token is None

    @property
    def organization_token(self) -> bool:
        """An organization's token: it has no user."""
        return self.token is not None and self.token.user_id is None

    @property
    def site_staff(self) -> bool:
        """An active staff member or superuser (through a session or their own token)."""
        user = self.user
        return user is not None and user.is_active and (user.is_staff or user.is_superuser)

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
        """What the *user* may do on ``project`` through any role (one query, cached); for an
        organization token, what it may do on its organization's projects (no query)."""
        if self.user is None:
            token = self.token
            if (
                token is not None
                and token.organization_id is not None
                and project.organization_id == token.organization_id
                and token.organization.is_active  # type: ignore[union-attr]
            ):
                return ORGANIZATION_TOKEN_ACTIONS
            return frozenset()
        if self.user.is_superuser and self.user.is_active:
            return ALL_PROJECT_ACTIONS
        cached = self._actions.get(project.id)
        if cached is not None:
            return cached
        # Always the same three parts, whether or not the project belongs to an organization:
        # an unknown name (``access.policy._NO_PROJECT``) must run the same SQL as a private
        # project (S4.12). Organization id 0 matches no row.
        org_id = project.organization_id or 0
        direct = (
            ProjectRole.objects.filter(project_id=project.id, user_id=self.user.id)
            .annotate(kind=Value("p"))
            .values_list("kind", "role")
        )
        through_team = (
            TeamProjectRole.objects.filter(
                project_id=project.id,
                team__memberships__user_id=self.user.id,
                # A team counts only inside the project's own, active organization, and only
                # for users who are still members of it.
                team__organization_id=org_id,
                team__organization__is_active=True,
                team__organization__members__user_id=self.user.id,
            )
            .annotate(kind=Value("p"))
            .values_list("kind", "role")
        )
        through_org = (
            OrganizationMember.objects.filter(
                organization_id=org_id, user_id=self.user.id, organization__is_active=True
            )
            .annotate(kind=Value("o"))
            .values_list("kind", "role")
        )
        actions: set[Action] = set()
        for kind, role in direct.union(through_team, through_org, all=True):
            table = PROJECT_ROLE_ACTIONS if kind == "p" else ORG_ROLE_ACTIONS
            actions |= table.get(role, frozenset())
        result = frozenset(actions)
        self._actions[project.id] = result
        return result
