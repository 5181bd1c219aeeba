"""Writes to the upstream configuration and cache, each recorded in the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from packaging.utils import canonicalize_name

from audit.services import event_record
from upstream.models import AllowedName, CachedPage, Upstream, UpstreamRule
from upstream.pipeline import cache_purge
from upstream.proxy import split_credentials

if TYPE_CHECKING:
    from accounts.models import User


class UpstreamConfigError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def upstream_save(upstream: Upstream, *, actor: User | None) -> Upstream:
    """Create or change an upstream (never the one that mirrors the environment)."""
    if upstream.from_environment:
        raise UpstreamConfigError(
            "This upstream comes from PRIVINDEX_UPSTREAM_URL: change the environment instead."
        )
    if not upstream.url.startswith(("http://", "https://")):
        raise UpstreamConfigError("An upstream URL must be http(s).")
    try:
        url, username, password = split_credentials(upstream.url)
    except ValueError as exc:
        raise UpstreamConfigError(f"Not a valid URL: {exc}.") from None
    # Credentials in the URL move to their fields (the URL is shown and recorded); what the
    # URL does not give is kept.
    upstream.url = url
    if username is not None:
        upstream.username = username
    if password is not None:
        upstream.password = password
    if not upstream.url.endswith("/"):
        upstream.url += "/"
    created = upstream.pk is None
    with transaction.atomic():
        upstream.save()
        # The URL and the name only: the password is a secret.
        event_record(
            "upstream:create" if created else "upstream:change",
            actor=actor,
            upstream=upstream.name,
            url=upstream.url,
            enabled=upstream.enabled,
            curated=upstream.curated,
        )
    return upstream


def upstream_delete(upstream: Upstream, *, actor: User | None) -> None:
    if upstream.from_environment:
        raise UpstreamConfigError(
            "This upstream comes from PRIVINDEX_UPSTREAM_URL: unset it in the environment."
        )
    with transaction.atomic():
        cache_purge(CachedPage.objects.filter(upstream=upstream))
        event_record("upstream:delete", actor=actor, upstream=upstream.name)
        upstream.delete()


def rule_save(rule: UpstreamRule, *, actor: User | None) -> UpstreamRule:
    rule.name = canonicalize_name(rule.name)
    with transaction.atomic():
        rule.save()
        event_record(
            "upstream:rule",
            actor=actor,
            name=rule.name,
            kind=rule.kind,
            upstream=rule.upstream.name if rule.upstream else None,
        )
    return rule


def rule_delete(rule: UpstreamRule, *, actor: User | None) -> None:
    with transaction.atomic():
        event_record("upstream:rule-delete", actor=actor, name=rule.name, kind=rule.kind)
        rule.delete()


def allowed_name_save(allowed: AllowedName, *, actor: User | None) -> AllowedName:
    allowed.name = canonicalize_name(allowed.name)
    if allowed.created_by_id is None:
        allowed.created_by = actor
    with transaction.atomic():
        allowed.save()
        event_record("upstream:allow-name", actor=actor, name=allowed.name)
    return allowed


def allowed_name_delete(allowed: AllowedName, *, actor: User | None) -> None:
    with transaction.atomic():
        event_record("upstream:disallow-name", actor=actor, name=allowed.name)
        allowed.delete()


def cache_purge_pages(pages: QuerySet[CachedPage], *, actor: User | None) -> tuple[int, int]:
    """Forget cached pages and their files (the next request fetches again)."""
    names = sorted(set(pages.values_list("name", flat=True)))
    removed = cache_purge(pages)
    event_record(
        "upstream:purge", actor=actor, names=names[:100], pages=removed[0], files=removed[1]
    )
    return removed
