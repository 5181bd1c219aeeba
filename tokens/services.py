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
from tokens.models import Scope, Token

if TYPE_CHECKING:
    from accounts.models import Organization, User
    from projects.models import Project

VALID_SCOPES = frozenset(Scope.values)
# A digest to compare against when the identifier is unknown, so both paths do the same work.
_DUMMY_HASH = token_format.hash_secret("0" * token_format.SECRET_LENGTH)


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
    actor: User | None = None,
) -> IssuedToken:
    """Create a token for ``user``. Raises TokenError on unknown or missing scopes.

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
    project_list = list(projects)
    if project_list:
        token.projects.set(project_list)
    event_record(
        "token:issue",
        actor=actor or user,
        token=token,
        identifier=token.identifier,
        scopes=scope_list,
        projects=[p.normalized_name for p in project_list],
        organization=organization.name if organization else None,
    )
    return IssuedToken(token=token, secret=raw)


@transaction.atomic
def token_revoke(*, token: Token, actor: User | None = None) -> Token:
    """Revoke ``token``; effective on the next request. Revoking twice is a no-op."""
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
