"""Where the current action comes from: the request's address and user agent, set by
``privindex.middleware.AuditOriginMiddleware`` for the length of a request. Outside a request
(a command, a Celery task) there is none, and events name the system and the OS user."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

USER_AGENT_MAX = 300


@dataclass(frozen=True)
class Origin:
    ip: str | None
    user_agent: str


_ORIGIN: ContextVar[Origin | None] = ContextVar("privindex_audit_origin", default=None)


@contextmanager
def origin(ip: str | None, user_agent: str) -> Iterator[Origin]:
    """Events recorded inside come from ``ip`` with ``user_agent`` (cut to its column)."""
    current = Origin(ip=ip or None, user_agent=(user_agent or "")[:USER_AGENT_MAX])
    reset = _ORIGIN.set(current)
    try:
        yield current
    finally:
        _ORIGIN.reset(reset)


def current_origin() -> Origin | None:
    return _ORIGIN.get()


@cache
def os_user() -> str:
    """Who runs this process, and where (``user@host``), for events of commands and tasks."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (containers)
        user = f"uid {os.getuid()}"
    return f"{user}@{socket.gethostname()}"
