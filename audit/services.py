"""Writing the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.models import Event

if TYPE_CHECKING:
    from accounts.models import User
    from projects.models import Project
    from tokens.models import Token


def event_record(
    action: str,
    *,
    actor: User | None,
    token: Token | None = None,
    project: Project | None = None,
    **data: Any,
) -> Event:
    """Record that ``actor`` (None: the system, or an anonymous caller) did ``action``.

    ``token`` is the credential the actor used, if any; ``data`` must never hold a secret.
    Called inside the service's transaction, so the event exists exactly when the change does.
    """
    return Event.objects.create(action=action, actor=actor, token=token, project=project, data=data)
