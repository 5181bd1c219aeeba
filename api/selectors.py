"""Reads the API needs that the apps do not offer yet (see the report: candidates to move into
``projects.selectors``, ``tokens`` and ``accounts``). Each fixes its own joins.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from packaging.utils import canonicalize_name

from accounts.models import Organization, OrganizationMember, Team, TeamMember, User
from projects.access import ACTION_SCOPE, Action, Principal
from projects.models import Project, ProjectRole, TeamProjectRole
from tokens.models import Token


def project_roles_list(*, project: Project) -> tuple[list[ProjectRole], list[TeamProjectRole]]:
    users = list(
        ProjectRole.objects.filter(project=project)
        .select_related("user")
        .order_by("user__username")
    )
    teams = list(
        TeamProjectRole.objects.filter(project=project)
        .select_related("team")
        .order_by("team__name")
    )
    return users, teams


def user_get(*, username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def token_list(*, user: User) -> QuerySet[Token]:
    return (
        Token.objects.filter(user=user)
        .select_related("organization")
        .prefetch_related("projects")
        .order_by("-created", "-id")
    )


def token_get(*, user: User, identifier: str) -> Token | None:
    """One of ``user``'s tokens; someone else's reads as missing."""
    return token_list(user=user).filter(identifier=identifier).first()


def _memberships(principal: Principal) -> QuerySet[OrganizationMember]:
    """The caller's active memberships, narrowed by a token as ``projects_visible_to`` narrows.

    A token needs the read scope; an organization token sees its organization only, and a token
    restricted to projects sees no organization.
    """
    qs = OrganizationMember.objects.filter(organization__is_active=True)
    if principal.user is None or not principal.has_scope(ACTION_SCOPE[Action.READ]):
        return qs.none()
    qs = qs.filter(user_id=principal.user.id)
    token = principal.token
    if token is not None:
        if principal.token_project_ids is not None:
            return qs.none()
        if token.organization_id is not None:
            qs = qs.filter(organization_id=token.organization_id)
    return qs


def organization_memberships(*, principal: Principal) -> list[OrganizationMember]:
    return list(
        _memberships(principal)
        .select_related("organization")
        .order_by("organization__normalized_name")
    )


def organization_get(*, principal: Principal, name: str) -> Organization | None:
    """The organization ``name`` with members and teams, if ``principal`` belongs to it."""
    membership = (
        _memberships(principal)
        .filter(organization__normalized_name=canonicalize_name(name))
        .select_related("organization")
        .first()
    )
    if membership is None:
        return None
    return (
        Organization.objects.filter(pk=membership.organization_id)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=OrganizationMember.objects.select_related("user").order_by(
                    "user__username"
                ),
            ),
            Prefetch(
                "teams",
                queryset=Team.objects.order_by("name").prefetch_related(
                    Prefetch(
                        "memberships",
                        queryset=TeamMember.objects.select_related("user").order_by(
                            "user__username"
                        ),
                    )
                ),
            ),
        )
        .get()
    )


def organization_for_token(*, user: User, name: str) -> Organization | None:
    """An active organization ``user`` belongs to (a token may be restricted to it)."""
    return Organization.objects.filter(
        normalized_name=canonicalize_name(name),
        is_active=True,
        members__user=user,
    ).first()
