"""What every project service shares: the error it raises and how it records an event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.services import event_record

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import User
    from audit.models import Event
    from projects.models import Project


class ServiceError(ValueError):
    """A request that is well formed but cannot be carried out; the message is for the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def record(
    action: str,
    *,
    principal: Principal | None = None,
    actor: User | None = None,
    project: Project | None = None,
    **data: Any,
) -> Event:
    """The audit event for a service call made by ``principal`` (a request) or ``actor`` (an
    administrator or a command). The token a principal used is recorded with it."""
    token = principal.token if principal is not None else None
    user = actor if actor is not None else (principal.user if principal is not None else None)
    return event_record(action, actor=user, token=token, project=project, **data)
