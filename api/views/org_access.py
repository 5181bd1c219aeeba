"""What every organization view shares: finding the organization the caller may act on (the
same way for every path and method), turning a service's refusal into a problem of its
status, and the few reads the views need.

The order is the rule (docs/access.md): first what the credential alone decides (no or bad
credentials 401, a token without the scope 403, an organization token 403: it reads and
uploads projects, nothing more), before any name is looked at; then
``access.decide_organization``: an organization the caller may not see is the 404 of a name
that does not exist, byte for byte, whatever follows in the path; then the body.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import OuterRef, QuerySet, Subquery
from rest_framework.exceptions import APIException

from access import Action, Principal, Surface, decide_organization
from accounts import selectors as account_selectors
from accounts.models import Organization, OrganizationMember, Team, User
from accounts.services import AccountError
from api.permissions import BadRequest, ServiceFailure, deny, not_found, require
from projects.services import ServiceError

# The largest id a BigAutoField holds: a larger one in a URL names nothing.
_ID_MAX = 2**63 - 1


class AccountFailure(APIException):
    """An ``AccountError`` with the status the service chose (``ServiceFailure``'s twin)."""

    def __init__(self, error: AccountError) -> None:
        self.status_code = error.status
        super().__init__(error.message)


@contextmanager
def refusals() -> Iterator[None]:
    """A service's refusal (the last owner, a name taken, ...) answered with its status."""
    try:
        yield
    except AccountError as exc:
        raise AccountFailure(exc) from None
    except ServiceError as exc:
        raise ServiceFailure(exc) from None


def organization_for(request, name: str, action: Action) -> Organization:
    """The organization ``name`` (any spelling) if the caller may do ``action`` on it; else
    the denial: 401, 403 (before the name is looked at, or a member who may not do this), or
    the 404 of a name that does not exist."""
    require(request, action)
    organization = account_selectors.organization_by_name(name=name)
    decision = decide_organization(request.principal, action, organization, surface=Surface.API)
    if not decision:
        deny(decision)
    assert organization is not None
    return organization


def caller(request) -> User:
    """The person acting: ``organization_for`` (through ``require``) let only people in."""
    user = request.principal.user
    assert user is not None
    return user


def object_id(value: int) -> int:
    """An id from the path; one no row can have is a 404 (never a database error)."""
    if value > _ID_MAX:
        raise not_found()
    return value


# --- reads ------------------------------------------------------------------------------------


def with_caller_role(
    organizations: QuerySet[Organization], principal: Principal
) -> QuerySet[Organization]:
    """``organizations``, each with ``caller_role``: the caller's role in it (for display)."""
    user_id = principal.user.id if principal.user is not None else 0
    mine = OrganizationMember.objects.filter(organization=OuterRef("pk"), user_id=user_id)
    return organizations.annotate(caller_role=Subquery(mine.values("role")[:1]))


def organization_shown(organization: Organization, principal: Principal) -> Organization:
    """``organization`` again, with ``caller_role``."""
    return with_caller_role(Organization.objects.filter(pk=organization.pk), principal).get()


def members(organization: Organization) -> QuerySet[OrganizationMember]:
    return (
        OrganizationMember.objects.filter(organization=organization)
        .select_related("user", "organization")
        .order_by("user__username")
    )


def member_get(organization: Organization, username: str) -> OrganizationMember:
    """The member ``username`` (exactly, as the web pages name them), else 404."""
    member = members(organization).filter(user__username=username).first()
    if member is None:
        raise not_found()
    return member


def team_get(organization: Organization, team_id: int) -> Team:
    """The organization's team ``team_id``, else 404 (another organization's team too)."""
    team = (
        Team.objects.filter(organization=organization, pk=object_id(team_id))
        .select_related("organization")
        .first()
    )
    if team is None:
        raise not_found()
    return team


def user_named(username: str) -> User:
    """The active user ``username``, for a body that names one; else 400."""
    user = account_selectors.user_get(username=username.strip())
    if user is None:
        raise BadRequest(f"No active user is named '{username.strip()}'.")
    return user
