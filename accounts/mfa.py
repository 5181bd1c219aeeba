"""Who must sign in with two-factor authentication: staff when
``PRIVINDEX_MFA_REQUIRED_FOR_STAFF`` is set, and the members of an active organization that
requires it (``Organization.mfa_required``). The authenticators themselves are
django-allauth's (``allauth.mfa``: TOTP and recovery codes)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Exists, OuterRef

from accounts.models import OrganizationMember, User


def mfa_enabled(user: User) -> bool:
    """Whether ``user`` has an authenticator app set up (recovery codes alone are not one)."""
    return user.pk in mfa_users([user.pk])


def mfa_users(user_ids: list[int]) -> set[int]:
    """Which of ``user_ids`` have an authenticator app set up (one query)."""
    totp = Authenticator.objects.filter(user_id__in=user_ids, type=Authenticator.Type.TOTP)
    return set(totp.values_list("user_id", flat=True))


def mfa_requirers(user: User) -> list[str]:
    """Why ``user`` must use two-factor authentication: "staff" and the names of the
    organizations that require it. Empty when nothing requires it."""
    reasons = ["staff"] if user.is_staff and settings.PRIVINDEX_MFA_REQUIRED_FOR_STAFF else []
    reasons += OrganizationMember.objects.filter(
        user=user, organization__mfa_required=True, organization__is_active=True
    ).values_list("organization__name", flat=True)
    return reasons


def mfa_missing(user: User) -> bool:
    """Whether ``user`` must use two-factor authentication and has not set it up: one query,
    asked on every signed-in web request (``accounts.middleware``)."""
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    requiring = OrganizationMember.objects.filter(
        user=OuterRef("pk"), organization__mfa_required=True, organization__is_active=True
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(has_totp=Exists(totp), required_by_organization=Exists(requiring))
        .values_list("has_totp", "required_by_organization")
        .first()
    )
    if row is None or row[0]:
        return False
    return row[1] or bool(user.is_staff and settings.PRIVINDEX_MFA_REQUIRED_FOR_STAFF)
