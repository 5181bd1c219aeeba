"""What every project service shares: the error it raises, who acts, and how it records an event.

Every service is told who acts: ``principal=`` (a request's: the event records its user and
the token it used) or ``actor=`` (an administrator, or a command: None for the system). Both
default to ``UNSET``, which ``acting`` refuses, so a caller that forgets cannot record "nobody"
by accident, and the web views can keep saying ``principal=`` while commands say ``actor=``.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

from audit.services import event_record

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import User
    from audit.models import Event
    from projects.models import Project
    from tokens.models import Token


class ServiceError(ValueError):
    """A request that is well formed but cannot be carried out; the message is for the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class _Unset(enum.Enum):
    UNSET = enum.auto()


# The default of ``principal`` and ``actor``: "not said", which ``acting`` refuses. Not None,
# since ``actor=None`` says "the system".
UNSET: Final = _Unset.UNSET
Unset = Literal[_Unset.UNSET]


class Acting(NamedTuple):
    """Who a service call is recorded as: the user (None: the system or an anonymous caller)
    and the token they used, if any."""

    user: User | None
    token: Token | None


def acting(*, principal: Principal | Unset = UNSET, actor: User | Unset | None = UNSET) -> Acting:
    """Who acts, from exactly one of ``principal`` and ``actor``. Raises TypeError when the
    caller gave neither or both: a programming error, not the user's."""
    if principal is UNSET and actor is UNSET:
        raise TypeError(
            "Say who acts: principal= (a request's) or actor= (a user; None for the system)."
        )
    if principal is not UNSET and actor is not UNSET:
        raise TypeError("Say who acts once: principal= or actor=, not both.")
    if principal is not UNSET:
        return Acting(user=principal.user, token=principal.token)
    assert actor is not UNSET  # for mypy: one of the two was given
    return Acting(user=actor, token=None)


def record(action: str, *, by: Acting, project: Project | None = None, **data: Any) -> Event:
    """The audit event of a service call made ``by`` someone (see ``acting``); the project's
    organization is recorded with it (``audit.event_record``)."""
    if project is not None:
        data.setdefault("target", f"project:{project.normalized_name}")
    return event_record(action, actor=by.user, token=by.token, project=project, **data)
