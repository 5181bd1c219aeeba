"""Reads of namespace grants (being written)."""

from __future__ import annotations

from typing import Any


def project_namespaces(*, project: Any, principal: Any) -> list[dict[str, Any]] | None:
    """The ``namespaces`` value of ``project``'s JSON detail page for ``principal``."""
    return None
