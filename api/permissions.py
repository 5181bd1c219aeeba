"""Adapters: a ``access`` decision becomes a DRF exception. Nothing here decides.

A 404 carries the same body whether the project is private or does not exist (DESIGN 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from rest_framework.exceptions import APIException, NotAuthenticated, NotFound, PermissionDenied

from access import Action, Decision, Denial, Surface, decide, precheck
from access.credentials import AUTHENTICATION_REQUIRED
from projects import selectors

if TYPE_CHECKING:
    from accounts.models import User
    from projects.models import Project
    from projects.services import ServiceError

NOT_FOUND = "Not found."
ORGANIZATION_TOKEN_REFUSED = "An organization token reads and uploads projects only."


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
    decision = decide(request.principal, action, project, surface=Surface.API)
    if not decision:
        deny(decision)
    assert project is not None
    return project


def require(request, action: Action) -> User:
    """The caller's user, if the API accepts this caller's credential and scope for
    ``action`` (an action on no single project: organizations, tokens); else raise."""
    decision = precheck(request.principal, action, surface=Surface.API)
    if not decision:
        deny(decision)
    user = request.principal.user
    if user is None and request.principal.organization_token:
        # A valid credential, but no person: it reads and uploads projects, nothing more.
        raise PermissionDenied(ORGANIZATION_TOKEN_REFUSED)
    if user is None:  # every such action needs a signed-in caller: the table says so
        raise NotAuthenticated(AUTHENTICATION_REQUIRED)
    return user
