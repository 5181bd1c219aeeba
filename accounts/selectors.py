"""Reads of users and organizations. Listings go through ``access``'s read twins."""

from __future__ import annotations

from django.db.models import Prefetch
from packaging.utils import canonicalize_name

from access import Principal, memberships_visible_to, organizations_visible_to
from accounts.models import Organization, OrganizationMember, Team, TeamMember, User


def user_get(*, username: str) -> User | None:
    """The active user ``username``, or None."""
    return User.objects.filter(username=username, is_active=True).first()


def organization_memberships(*, principal: Principal) -> list[OrganizationMember]:
    """The organizations ``principal`` may see, as their own memberships, by name."""
    return list(
        memberships_visible_to(principal)
        .select_related("organization")
        .order_by("organization__normalized_name")
    )


def organization_get(*, principal: Principal, name: str) -> Organization | None:
    """The organization ``name`` with members and teams, if ``principal`` may see it
    (``access.organizations_visible_to``: its members; superusers)."""
    found = (
        organizations_visible_to(principal)
        .filter(normalized_name=canonicalize_name(name))
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        return None
    return (
        Organization.objects.filter(pk=found)
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


def organization_by_name(*, name: str) -> Organization | None:
    """The organization ``name`` (any spelling), active or not, or None. Whether the caller
    may see it is ``access.decide_organization``'s question. A name no organization can
    have (a NUL byte, which PostgreSQL refuses in text) finds none."""
    if "\x00" in name:
        return None
    return Organization.objects.filter(normalized_name=canonicalize_name(name)).first()


def organization_for_token(*, user: User, name: str) -> Organization | None:
    """The organization ``name``, if ``user`` may see it (a member of it, and it is active): a
    new token of theirs may be restricted to it."""
    return (
        organizations_visible_to(Principal(user=user))
        .filter(normalized_name=canonicalize_name(name))
        .first()
    )
