"""The one exception the validation layer raises, and how its messages end."""

from __future__ import annotations


class UploadError(Exception):
    """An upload rejected by validation; ``message`` goes in the reason phrase and the body."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def with_link(message: str, link: str) -> str:
    """Append Warehouse's "See <link> for more information." to a message (one full stop)."""
    if not message.endswith("."):
        message += "."
    return f"{message} See {link} for more information."
