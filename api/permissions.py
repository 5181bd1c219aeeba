"""Adapters: a ``projects.access`` decision becomes a DRF exception. Nothing here decides.

A 404 carries the same body whether the project is private or does not exist (DESIGN 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from rest_framework.exceptions import APIException, NotAuthenticated, NotFound, PermissionDenied

from projects import selectors
from projects.access import Action, Decision, Denial, Principal, decide

if TYPE_CHECKING:
    from accounts.models import User
    from projects.models import Project
    from projects.services import ServiceError

NOT_FOUND = "Not found."
AUTHENTICATION_REQUIRED = "Authentication required."
TOKENS_NEED_SESSION = "Use the web UI or a session to manage tokens."


class BadRequest(APIException):
    status_code = 400
    default_detail = "Bad request."
    default_code = "invalid"


class ServiceFailure(APIException):
    """A ``ServiceError`` with the status the service chose."""

    def __init__(self, error: ServiceError) -> None:
        self.status_code = error.status
        super().__init__(error.message)


def not_found() -> NotFound:
    return NotFound(NOT_FOUND)


def deny(decision: Decision) -> NoReturn:
    if decision.denial == Denial.UNAUTHENTICATED:
        raise NotAuthenticated(decision.reason or AUTHENTICATION_REQUIRED)
    if decision.denial == Denial.FORBIDDEN:
        raise PermissionDenied(decision.reason)
    raise not_found()


def authorize(request, name: str, action: Action) -> Project:
    """The project ``name`` (any spelling) if the caller may do ``action`` on it, else raise."""
    project = selectors.project_get(name=name)
    decision = decide(request.principal, action, project)
    if not decision:
        deny(decision)
    assert project is not None
    return project


def require_user(request) -> User:
    """The caller's user (through a session or a token); 401 for anonymous callers."""
    principal: Principal = request.principal
    if principal.user is None:
        raise NotAuthenticated(AUTHENTICATION_REQUIRED)
    return principal.user


def require_session_user(request) -> User:
    """The signed-in user. A token may not manage tokens, so a leaked one cannot escalate."""
    user = require_user(request)
    if request.principal.token is not None:
        raise PermissionDenied(TOKENS_NEED_SESSION)
    return user
