"""Issuing, revoking and verifying tokens. Secrets are shown once and never stored or logged."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import event_record
from tokens import format as token_format
from tokens import limits
from tokens.models import Scope, Token

if TYPE_CHECKING:
    from accounts.models import Organization, User
    from projects.models import Project

VALID_SCOPES = frozenset(Scope.values)
# A digest to compare against when the identifier is unknown, so both paths do the same work.
_DUMMY_HASH = token_format.hash_secret("0" * token_format.SECRET_LENGTH)
EXPIRY_TOO_LONG = f"A token expires after at most {limits.MAX_EXPIRY_DAYS} days."


class TokenError(ValueError):
    pass


@dataclass(frozen=True)
class IssuedToken:
    token: Token
    secret: str  # the full token string; shown once, never stored


@transaction.atomic
def token_issue(
    *,
    user: User,
    scopes: Iterable[str],
    name: str = "",
    projects: Iterable[Project] = (),
    organization: Organization | None = None,
    expires_in: dt.timedelta | None = None,
    actor: User | None,
) -> IssuedToken:
    """Create a token for ``user``, issued by ``actor`` (``user`` themselves, an administrator,
    or None for the system: a command).

    Raises TokenError on unknown or missing scopes, an expiry not in the future or beyond
    ``limits.MAX_EXPIRY_DAYS``, more than ``limits.MAX_PROJECTS`` projects or a name longer
    than ``limits.NAME_MAX``: every caller gets the same limits, whatever its form checked.
    Records a ``token:issue`` event. The returned secret is the only copy.
    """
    scope_list = sorted(set(scopes))
    if not scope_list:
        raise TokenError("A token needs at least one scope.")
    unknown = set(scope_list) - VALID_SCOPES
    if unknown:
        raise TokenError(f"Unknown scope(s): {', '.join(sorted(unknown))}.")
    if expires_in is not None and expires_in <= dt.timedelta(0):
        raise TokenError("Expiry must be in the future.")
    if expires_in is not None and expires_in > dt.timedelta(days=limits.MAX_EXPIRY_DAYS):
        raise TokenError(EXPIRY_TOO_LONG)
    project_list = list(projects)
    if len({p.pk for p in project_list}) > limits.MAX_PROJECTS:
        raise TokenError(f"A token may be restricted to at most {limits.MAX_PROJECTS} projects.")
    if len(name) > limits.NAME_MAX:
        raise TokenError(f"The token name must be at most {limits.NAME_MAX} characters.")
    raw, parsed = token_format.generate()
    token = Token.objects.create(
        identifier=parsed.identifier,
        secret_hash=token_format.hash_secret(parsed.secret),
        user=user,
        name=name,
        scopes=scope_list,
        organization=organization,
        expires=timezone.now() + expires_in if expires_in else None,
    )
    if project_list:
        token.projects.set(project_list)
    event_record(
        "token:issue",
        actor=actor,
        token=token,
        identifier=token.identifier,
        scopes=scope_list,
        projects=[p.normalized_name for p in project_list],
        organization=organization.name if organization else None,
    )
    return IssuedToken(token=token, secret=raw)


@transaction.atomic
def token_revoke(*, token: Token, actor: User | None) -> Token:
    """Revoke ``token``, by ``actor`` (its user, an administrator, or None for the system: a
    command); effective on the next request. Records ``token:revoke``; revoking twice is a
    no-op and records nothing."""
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        event_record("token:revoke", actor=actor, token=token, identifier=token.identifier)
    return token


def token_authenticate(raw: str) -> Token | None:
    """The active token ``raw`` names, or None. Constant-time comparison; one query."""
    parsed = token_format.parse(raw)
    if parsed is None:
        return None
    token = (
        Token.objects.select_related("user", "organization")
        .filter(identifier=parsed.identifier)
        .first()
    )
    presented = token_format.hash_secret(parsed.secret)
    expected = token.secret_hash if token is not None else _DUMMY_HASH
    if not secrets.compare_digest(presented, expected) or token is None:
        return None
    if not token.is_active or not token.user.is_active:
        return None
    _touch_last_used(token)
    return token


def _touch_last_used(token: Token) -> None:
    """Write ``last_used`` at most once per interval (DESIGN 5)."""
    now = timezone.now()
    interval = dt.timedelta(seconds=settings.PRIVINDEX_TOKEN_LAST_USED_INTERVAL)
    if token.last_used is not None and now - token.last_used < interval:
        return
    Token.objects.filter(pk=token.pk).update(last_used=now)
    token.last_used = now
