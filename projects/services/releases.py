"""Yanking and un-yanking releases (PEP 592)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from projects.models import Release
from projects.services.base import UNSET, Unset, acting, record

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import User


@transaction.atomic
def release_yank_set(
    *,
    release: Release,
    yanked: bool,
    reason: str = "",
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> Release:
    """Yank (``yanked=True``) or un-yank a release (PEP 592), said by ``principal`` or
    ``actor`` (one of them). An un-yanked release keeps no reason. Records ``release:yank``
    or ``release:unyank``."""
    by = acting(principal=principal, actor=actor)
    release.yanked = yanked
    release.yanked_reason = reason if yanked else ""
    release.save(update_fields=["yanked", "yanked_reason"])
    record(
        "release:yank" if yanked else "release:unyank",
        by=by,
        project=release.project,
        version=release.version,
        reason=reason,
    )
    return release
