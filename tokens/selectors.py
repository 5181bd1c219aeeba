"""Reads of tokens. Each fixes its own joins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tokens.models import Token

if TYPE_CHECKING:
    from accounts.models import User


def token_list(*, user: User) -> QuerySet[Token]:
    """``user``'s tokens, newest first, with their restrictions (three queries)."""
    return (
        Token.objects.filter(user=user)
        .select_related("organization")
        .prefetch_related("projects")
        .order_by("-created", "-id")
    )


def token_get(*, user: User, identifier: str) -> Token | None:
    """One of ``user``'s tokens; someone else's reads as missing."""
    return token_list(user=user).filter(identifier=identifier).first()
