"""Reads of tokens. Each fixes its own joins."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from packaging.utils import canonicalize_name

from access import projects_visible_to
from projects.models import Project
from tokens.models import Token

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import Organization, User


def token_list(*, user: User) -> QuerySet[Token]:
    """``user``'s tokens, newest first, with their restrictions (three queries)."""
    return (
        Token.objects.filter(user=user)
        .select_related("organization", "created_by")
        .prefetch_related("projects")
        .order_by("-created", "-id")
    )


def organization_token_list(*, organization: Organization) -> QuerySet[Token]:
    """The tokens ``organization`` owns (not its members' personal ones), newest first, with
    their creators and restrictions (three queries)."""
    return (
        Token.objects.filter(user__isnull=True, organization=organization)
        .select_related("organization", "created_by")
        .prefetch_related("projects")
        .order_by("-created", "-id")
    )


def organization_token_get(*, organization: Organization, identifier: str) -> Token | None:
    """One of ``organization``'s own tokens; any other reads as missing."""
    return organization_token_list(organization=organization).filter(identifier=identifier).first()


def organization_token_projects(
    *, organization: Organization, names: Iterable[str]
) -> tuple[list[Project], list[str]]:
    """The projects of ``organization`` a new token of its may be restricted to, by name (any
    spelling), and the names that found none, as given (one query)."""
    wanted: dict[str, str] = {canonicalize_name(name): name for name in names}
    if not wanted:
        return [], []
    found = list(Project.objects.filter(organization=organization, normalized_name__in=wanted))
    seen = {project.normalized_name for project in found}
    return found, [name for normalized, name in wanted.items() if normalized not in seen]


def token_get(*, user: User, identifier: str) -> Token | None:
    """One of ``user``'s tokens; someone else's reads as missing."""
    return token_list(user=user).filter(identifier=identifier).first()


def token_restriction_projects(
    *, user_principal: Principal, names: Iterable[str]
) -> tuple[list[Project], list[str]]:
    """The projects a new token of ``user_principal`` may be restricted to, by name (any
    spelling), and the names that found none, as given, in the order given (one query).

    Only projects the user may read: one they may not is missing, like a name that does not
    exist, so the answer reveals nothing.
    """
    wanted: dict[str, str] = {canonicalize_name(name): name for name in names}
    if not wanted:
        return [], []
    found = list(projects_visible_to(user_principal).filter(normalized_name__in=wanted))
    seen = {project.normalized_name for project in found}
    return found, [name for normalized, name in wanted.items() if normalized not in seen]
