"""Yanking and un-yanking releases (PEP 592)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from projects.models import Release
from projects.services.base import record

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import User


@transaction.atomic
def release_yank_set(
    *,
    release: Release,
    yanked: bool,
    reason: str = "",
    actor: User | None = None,
    principal: Principal | None = None,
) -> Release:
    """Yank (``yanked=True``) or un-yank a release (PEP 592)."""
    release.yanked = yanked
    release.yanked_reason = reason if yanked else ""
    release.save(update_fields=["yanked", "yanked_reason"])
    record(
        "release:yank" if yanked else "release:unyank",
        principal=principal,
        actor=actor,
        project=release.project,
        version=release.version,
        reason=reason,
    )
    return release
