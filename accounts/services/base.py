"""What every accounts service shares: the error it raises, the name check, the lock that
serializes an organization's membership changes and the organization's last-owner rule."""

from __future__ import annotations

from typing import Literal

from accounts.limits import ORGANIZATION_NAME_MAX, TEAM_NAME_MAX
from accounts.models import Organization, OrganizationMember, OrganizationRole

_NAME_MAX = {"organization": ORGANIZATION_NAME_MAX, "team": TEAM_NAME_MAX}

LAST_OWNER = "An organization needs at least one owner: make someone else owner first."


class AccountError(ValueError):
    """A request that is well formed but cannot be carried out; the message is for the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def name_check(name: str, *, kind: Literal["organization", "team"]) -> str:
    """``name`` stripped; AccountError(400) when it is empty or too long for its column."""
    name = name.strip()
    if not name:
        raise AccountError(f"The {kind} name must not be empty.")
    limit = _NAME_MAX[kind]
    if len(name) > limit:
        raise AccountError(f"The {kind} name must be at most {limit} characters.")
    return name


def organization_locked(organization: Organization) -> Organization:
    """The organization's row, locked: membership changes of one organization run one at a
    time, so two concurrent demotions (or a demotion and a user's deletion) cannot both see
    the other owner."""
    return Organization.objects.select_for_update().get(pk=organization.pk)


def is_last_owner(member: OrganizationMember) -> bool:
    """Whether ``member`` is the only owner of their organization. Callers hold the
    organization's lock (``organization_locked``)."""
    return (
        member.role == OrganizationRole.OWNER  # access: last-owner invariant
        and not OrganizationMember.objects.filter(
            organization_id=member.organization_id,
            role=OrganizationRole.OWNER,  # access: last-owner invariant
        )
        .exclude(pk=member.pk)
        .exists()
    )


NO_OWNER = "An organization needs at least one owner: add one."


def organization_owner_check(organization: Organization) -> None:
    """AccountError(400) when ``organization`` has no owner: for a caller that creates an
    organization and its members in separate steps (the admin's add page), at the end."""
    if not OrganizationMember.objects.filter(
        organization_id=organization.pk,
        role=OrganizationRole.OWNER,  # access: the organization's owner invariant
    ).exists():
        raise AccountError(NO_OWNER)
