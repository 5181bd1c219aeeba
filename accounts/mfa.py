"""Who must sign in with two-factor authentication: staff when
``PRIVINDEX_MFA_REQUIRED_FOR_STAFF`` is set, and the members of an active organization that
requires it (``Organization.mfa_required``). The authenticators themselves are
django-allauth's (``allauth.mfa``: TOTP and recovery codes)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings

from accounts.models import OrganizationMember, User


def mfa_enabled(user: User) -> bool:
    """Whether ``user`` has an authenticator app set up (recovery codes alone are not one)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_requirers(user: User) -> list[str]:
    """Why ``user`` must use two-factor authentication: "staff" and the names of the
    organizations that require it. Empty when nothing requires it."""
    reasons = ["staff"] if user.is_staff and settings.PRIVINDEX_MFA_REQUIRED_FOR_STAFF else []
    reasons += OrganizationMember.objects.filter(
        user=user, organization__mfa_required=True, organization__is_active=True
    ).values_list("organization__name", flat=True)
    return reasons
