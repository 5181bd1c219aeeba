"""Which names a new project may take (S3.6, PEP 752 namespaces, the upstream name policy).

Every name that is unavailable because of what exists here (a project the caller cannot see,
a namespace the caller does not hold, a project it is too similar to) gets one answer, 409
with ``UNAVAILABLE``: an upload token cannot tell a private name from a reserved or a similar
one. Names refused by public rules (the standard library, the prohibited list, a name an
upstream index has) say why.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from django.conf import settings
from packaging.utils import canonicalize_name

from access import Surface
from audit.services import event_record
from namespaces.selectors import namespace_reserving, namespace_upload_verdict
from projects.models import Project
from projects.services.base import ServiceError
from upstream.client import UpstreamError
from upstream.models import AllowedName
from upstream.proxy import exists_upstream

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import Organization

log = logging.getLogger(__name__)

_CONFUSABLES = str.maketrans({"l": "1", "i": "1", "o": "0", ".": None, "_": None, "-": None})

UNAVAILABLE = (
    "The name '{name}' is not available: it is taken, too similar to an existing project, "
    "or inside a namespace you do not hold. Choose another name, or ask an administrator."
)
ON_UPSTREAM = (
    "The name '{name}' exists on the upstream index: a private project of that name could be "
    "confused with the public one (dependency confusion). Choose another name, or ask an "
    "administrator to allow it."
)
UPSTREAM_UNREACHABLE = (
    "The name '{name}' cannot be checked against the upstream index right now; "
    "retry the upload later."
)


def ultranormalize_name(name: str) -> str:
    """Fold names that read alike (S3.6): drop ``._-``, l/i -> 1, o -> 0, lowercase."""
    return name.lower().translate(_CONFUSABLES)


def _stdlib_names() -> frozenset[str]:
    return frozenset(canonicalize_name(n) for n in sys.stdlib_module_names if not n.startswith("_"))


def _prohibited_names() -> list[str]:
    return list(getattr(settings, "PRIVINDEX_PROHIBITED_NAMES", []))


def unavailable(name: str) -> ServiceError:
    return ServiceError(UNAVAILABLE.format(name=name), 409)


def upstream_name_check(name: str, *, principal: Principal | None, exempt: bool = False) -> None:
    """The upstream name policy (``PRIVINDEX_UPSTREAM_NAME_POLICY``): refuse (409), warn
    (allow, and record it) or allow a new project whose name an upstream has. ``exempt``: the
    name lies in a namespace the uploader holds. Names an administrator allowed pass."""
    policy = settings.PRIVINDEX_UPSTREAM_NAME_POLICY
    normalized = canonicalize_name(name)
    if policy == "allow" or exempt or AllowedName.objects.filter(name=normalized).exists():
        return
    try:
        found = exists_upstream(normalized)
    except UpstreamError:
        if policy == "warn":
            return
        raise ServiceError(UPSTREAM_UNREACHABLE.format(name=name), 503) from None
    if not found:
        return
    if policy == "warn":
        user = principal.user if principal is not None else None
        log.warning("new project %s has a name an upstream index has", normalized)
        event_record("project:upstream-name", actor=user, name=normalized)
        return
    raise ServiceError(ON_UPSTREAM.format(name=name), 409)


def project_name_check(
    name: str,
    *,
    principal: Principal | None = None,
    organization: Organization | None = None,
    surface: Surface = Surface.UPLOAD,
) -> Organization | None:
    """Refuse names no new project may take; return the organization the project goes to
    (a namespace held through an organization places it there). ``surface`` is the one the
    project is created through (who holds a namespace is asked there). Raises ServiceError."""
    normalized = canonicalize_name(name)
    if normalized in _stdlib_names():
        raise ServiceError(
            f"The name '{name}' isn't allowed (conflict with Python Standard Library module name)."
        )
    if normalized in {canonicalize_name(n) for n in _prohibited_names()}:
        raise ServiceError(f"The name '{name}' isn't allowed.")
    held = False
    if principal is not None:
        verdict = namespace_upload_verdict(
            normalized_name=normalized,
            principal=principal,
            organization=organization,
            surface=surface,
        )
        if not verdict.allowed:
            # Never asked of an upstream: a reserved name stays here (decision 0015).
            raise unavailable(name)
        # Any namespace, open ones too: its names are never proxied, so never confused with
        # an upstream's, and never sent to one (decision 0015).
        held = verdict.grant is not None
        organization = verdict.organization or organization
    upstream_name_check(name, principal=principal, exempt=held)
    taken = Project.objects.filter(normalized_name=normalized).exists()
    if taken or Project.objects.filter(ultranormalized_name=ultranormalize_name(name)).exists():
        raise unavailable(name)
    return organization


def hidden_name_refusal(name: str, *, principal: Principal) -> ServiceError:
    """The answer for an upload to an existing project the uploader cannot see: the answer a
    free name would get (the upstream's, or UNAVAILABLE), never "it exists"."""
    if namespace_reserving(canonicalize_name(name)) is not None:
        return unavailable(name)  # reserved: never asked of an upstream
    try:
        upstream_name_check(name, principal=principal)
    except ServiceError as exc:
        return exc
    return unavailable(name)
