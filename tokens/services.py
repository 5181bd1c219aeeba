"""Issuing, revoking and verifying tokens. Secrets are shown once and never stored or logged."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from access import ORGANIZATION_TOKEN_SCOPES
from access.administration import token_for_decide
from accounts.models import OrganizationMember
from audit.services import FAILURES_COUNTED, event_record, failure_counted
from tokens import format as token_format
from tokens import limits
from tokens.models import Scope, Token, TokenAddress

log = logging.getLogger(__name__)

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
    user: User | None,
    scopes: Iterable[str],
    name: str = "",
    projects: Iterable[Project] = (),
    organization: Organization | None = None,
    expires_in: dt.timedelta | None = None,
    created_by: User | None = None,
    actor: User | None,
) -> IssuedToken:
    """Create a token for ``user``, issued by ``actor`` (``user`` themselves, an administrator,
    or None for the system: a command). ``user=None`` issues an organization token, owned by
    ``organization``: only the ``read`` and ``upload`` scopes, on all of its projects or on
    ``projects`` (which must be its own); ``created_by`` (default: ``actor``) is recorded as
    its creator, so a command (``actor=None``) can name the person it issues for. Whether the
    actor may issue it is the caller's question (``access.decide_organization``,
    ``Action.ORGANIZATION_TOKENS_ISSUE``). A personal token restricted to ``organization``
    needs ``user`` to be a member of it.

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
    project_list = list(projects)
    if user is not None:
        # Else staff allowed to add tokens could mint one for a superuser, and act as them.
        allowed = token_for_decide(actor, user)
        if not allowed:
            raise TokenError(allowed.reason)
    if user is None:
        _organization_token_check(organization, scope_list, project_list)
    elif organization is not None:
        if not organization.is_active:
            raise TokenError(f"The organization '{organization.name}' is deactivated.")
        if not OrganizationMember.objects.filter(organization=organization, user=user).exists():
            raise TokenError(
                f"'{user.username}' is not a member of '{organization.name}': a token can be "
                "restricted only to an organization its user belongs to."
            )
    if expires_in is not None and expires_in <= dt.timedelta(0):
        raise TokenError("Expiry must be in the future.")
    if expires_in is not None and expires_in > dt.timedelta(days=limits.MAX_EXPIRY_DAYS):
        raise TokenError(EXPIRY_TOO_LONG)
    if len({p.pk for p in project_list}) > limits.MAX_PROJECTS:
        raise TokenError(f"A token may be restricted to at most {limits.MAX_PROJECTS} projects.")
    if len(name) > limits.NAME_MAX:
        raise TokenError(f"The token name must be at most {limits.NAME_MAX} characters.")
    raw, parsed = token_format.generate()
    token = Token.objects.create(
        identifier=parsed.identifier,
        secret_hash=token_format.hash_secret(parsed.secret),
        user=user,
        created_by=created_by if created_by is not None else actor,
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
        credential=None,
        organization=organization,
        target=f"token:{token.identifier}",
        identifier=token.identifier,
        owner=user.username if user is not None else None,
        organization_token=user is None,
        created_by=token.created_by.username if token.created_by is not None else None,
        scopes=scope_list,
        projects=[p.normalized_name for p in project_list],
        expires=token.expires.isoformat() if token.expires else None,
    )
    return IssuedToken(token=token, secret=raw)


def _organization_token_check(
    organization: Organization | None, scopes: list[str], projects: list[Project]
) -> None:
    if organization is None:
        raise TokenError("An organization token needs its organization.")
    if not organization.is_active:
        raise TokenError(f"The organization '{organization.name}' is deactivated.")
    extra = sorted(set(scopes) - ORGANIZATION_TOKEN_SCOPES)
    if extra:
        raise TokenError(
            "An organization token may have the read and upload scopes only, not "
            + ", ".join(extra)
            + "."
        )
    foreign = sorted(p.name for p in projects if p.organization_id != organization.pk)
    if foreign:
        raise TokenError(
            f"An organization token covers only projects of '{organization.name}', not "
            + ", ".join(foreign)
            + "."
        )


@transaction.atomic
def token_revoke(*, token: Token, actor: User | None) -> Token:
    """Revoke ``token``, by ``actor`` (its user, an administrator, or None for the system: a
    command); effective on the next request. Records ``token:revoke``; revoking twice is a
    no-op and records nothing."""
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        event_record(
            "token:revoke",
            actor=actor,
            token=token,
            credential=None,
            organization=token.organization,
            target=f"token:{token.identifier}",
            identifier=token.identifier,
            owner=token.user.username if token.user is not None else None,
        )
    return token


def token_authenticate(raw: str, *, ip: str | None = None) -> Token | None:
    """The active token ``raw`` names, or None. Constant-time comparison; one query.

    Refused: revoked or expired tokens (an expiry is recorded once, ``token:expire``), tokens
    of deactivated users or organizations, and personal tokens restricted to an organization
    whose user is no longer its member. Failures are counted per address and hour
    (``audit_failure``); a token's first use from a new address is recorded
    (``token:new-address``).
    """
    parsed = token_format.parse(raw)
    if parsed is None:
        auth_failure_record(ip=ip, token=None)
        return None
    token = (
        Token.objects.select_related("user", "organization")
        .filter(identifier=parsed.identifier)
        .first()
    )
    presented = token_format.hash_secret(parsed.secret)
    expected = token.secret_hash if token is not None else _DUMMY_HASH
    if not secrets.compare_digest(presented, expected) or token is None:
        auth_failure_record(ip=ip, token=token)
        return None
    if not _usable(token):
        auth_failure_record(ip=ip, token=token)
        return None
    _touch_last_used(token, ip)
    return token


def _usable(token: Token) -> bool:
    if token.revoked is not None:
        return False
    if token.expires is not None and token.expires <= timezone.now():
        token_expiry_record(token)
        return False
    if token.user is not None and not token.user.is_active:
        return False
    organization = token.organization
    if organization is not None:
        if not organization.is_active:
            return False
        if token.user is not None and not (
            OrganizationMember.objects.filter(
                organization_id=organization.pk, user_id=token.user.pk
            ).exists()
        ):
            return False
    return True


def _touch_last_used(token: Token, ip: str | None) -> None:
    """Write ``last_used`` at most once per interval (DESIGN 5); a use from another address
    than the last is written at once, and its first use from that address is recorded."""
    now = timezone.now()
    interval = dt.timedelta(seconds=settings.PRIVINDEX_TOKEN_LAST_USED_INTERVAL)
    moved = ip is not None and ip != token.last_ip
    if not moved and token.last_used is not None and now - token.last_used < interval:
        return
    fields: dict[str, object] = {"last_used": now}
    if moved:
        fields["last_ip"] = ip
    Token.objects.filter(pk=token.pk).update(**fields)
    token.last_used = now
    if moved:
        token.last_ip = ip
        _, created = TokenAddress.objects.get_or_create(token=token, ip=ip)
        if created:
            event_record(
                "token:new-address",
                actor=token.user,
                token=token,
                organization=token.organization,
                target=f"token:{token.identifier}",
                identifier=token.identifier,
                address=ip,
            )


def token_expiry_record(token: Token) -> bool:
    """Record ``token:expire`` for an expired token, once (whoever notices first: its next
    use, or the periodic ``tokens.tasks.record_expired``). True when this call recorded it."""
    if token.expiry_recorded is not None or token.revoked is not None:
        return False
    with transaction.atomic():
        now = timezone.now()
        claimed = Token.objects.filter(pk=token.pk, expiry_recorded__isnull=True).update(
            expiry_recorded=now
        )
        token.expiry_recorded = now
        if not claimed:
            return False
        event_record(
            "token:expire",
            actor=None,
            token=token,
            credential=None,
            organization=token.organization,
            target=f"token:{token.identifier}",
            identifier=token.identifier,
            owner=token.user.username if token.user is not None else None,
            expired=token.expires.isoformat() if token.expires else None,
        )
    return True


def tokens_expired_record() -> int:
    """Record the expiry of every expired token not yet recorded; how many."""
    recorded = 0
    expired = Token.objects.select_related("user", "organization").filter(
        expires__lte=timezone.now(), expiry_recorded__isnull=True, revoked__isnull=True
    )
    for token in expired.iterator():
        recorded += token_expiry_record(token)
    return recorded


def auth_failure_record(*, ip: str | None, token: Token | None) -> None:
    """Count a failed token authentication in its bucket (address, the token a wrong secret
    named if it exists, hour; ``audit.services.failure_counted``); the bucket's first failure
    writes one ``token:auth-failed`` event. Never raises: a failure to count must not change
    the 401."""
    identifier = token.identifier if token is not None else ""
    try:
        with transaction.atomic():
            window = failure_counted(ip=ip, key=identifier)
            if window is None:
                return
            event_record(
                "token:auth-failed",
                actor=None,
                token=token,
                credential=None,
                organization=token.organization if token is not None else None,
                target=f"token:{identifier}" if identifier else "",
                identifier=identifier or None,
                window=window.isoformat(),
                note=FAILURES_COUNTED,
            )
    except DatabaseError:  # pragma: no cover - the request answers 401 all the same
        log.warning("could not count a failed token authentication")
