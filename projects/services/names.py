"""Which names a new project may take (S3.6)."""

from __future__ import annotations

import sys

from django.conf import settings
from packaging.utils import canonicalize_name

from projects.models import Project
from projects.services.base import ServiceError

_CONFUSABLES = str.maketrans({"l": "1", "i": "1", "o": "0", ".": None, "_": None, "-": None})


def ultranormalize_name(name: str) -> str:
    """Fold names that read alike (S3.6): drop ``._-``, l/i -> 1, o -> 0, lowercase."""
    return name.lower().translate(_CONFUSABLES)


def _stdlib_names() -> frozenset[str]:
    return frozenset(canonicalize_name(n) for n in sys.stdlib_module_names if not n.startswith("_"))


def project_name_check(name: str) -> None:
    """Refuse names no new project may take (S3.6). Raises ServiceError."""
    normalized = canonicalize_name(name)
    if normalized in _stdlib_names():
        raise ServiceError(
            f"The name '{name}' isn't allowed (conflict with Python Standard Library module name)."
        )
    if normalized in {canonicalize_name(n) for n in _prohibited_names()}:
        raise ServiceError(f"The name '{name}' isn't allowed.")
    if Project.objects.filter(ultranormalized_name=ultranormalize_name(name)).exists():
        raise ServiceError(f"The name '{name}' is too similar to an existing project.")


def _prohibited_names() -> list[str]:
    return list(getattr(settings, "PRIVINDEX_PROHIBITED_NAMES", []))
