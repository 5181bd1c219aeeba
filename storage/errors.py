"""The two ways storing a file can fail: worth retrying, or not."""

from __future__ import annotations


class StoreError(OSError):
    """The store cannot be reached or refused an operation; retrying later may succeed."""


class FileLost(Exception):
    """A staged file cannot be stored because its staged copy is gone or damaged.

    No retry can help; the file stays ``staged`` and ``checkstorage`` reports it.
    """
