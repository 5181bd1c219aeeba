"""The read surfaces' refusals for JSON clients, as RFC 9457 problems (``privindex.problems``):
every error of the PyPI JSON API (``/pypi/``), and of ``/simple/`` when the request
negotiated ``application/vnd.pypi.simple.v1+json``.

The same statuses and headers as ``simple_api.responses`` (``Vary``, ``Cache-Control``,
``WWW-Authenticate`` on a 401), only the body differs. PEP 691 defines the JSON of the answers
it describes (the project list and a project page) and requires a ``Content-Type`` on every
response; it says nothing of error bodies, which clients read by their status (pip and uv
check the status before the content type), so a problem is allowed there.

The 404 is one answer for a name that does not exist and one the caller may not read, byte
for byte (DESIGN 4, S4.12).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from access import Decision, Denial
from privindex.problems import problem
from privindex.requests import PrincipalRequest
from simple_api.responses import READ_VARY

NOT_FOUND = "Not found."
AUTHENTICATION_REQUIRED = "Authentication required."


def _read_headers(response: HttpResponse) -> HttpResponse:
    response["Vary"] = READ_VARY
    response["Cache-Control"] = "private, no-cache"
    return response


def not_found() -> HttpResponse:
    return _read_headers(problem(404, NOT_FOUND))


def unauthenticated(message: str = AUTHENTICATION_REQUIRED) -> HttpResponse:
    response = _read_headers(problem(401, message))
    response["WWW-Authenticate"] = f'Basic realm="{settings.PRIVINDEX_REALM}"'
    return response


def forbidden(message: str) -> HttpResponse:
    return _read_headers(problem(403, message))


def not_allowed(*methods: str) -> HttpResponse:
    response = problem(405, f"Use {' or '.join(methods)}.")
    response["Allow"] = ", ".join(methods)
    return response


def upstream_failed(status: int, message: str) -> HttpResponse:
    """An upstream could not answer (``simple_api.responses.upstream_failed``'s headers)."""
    response = problem(status, message)
    response["Vary"] = READ_VARY
    response["Cache-Control"] = "no-store"
    if status == 503:
        response["Retry-After"] = "5"
    return response


def deny(decision: Decision) -> HttpResponse:
    if decision.denial == Denial.UNAUTHENTICATED:
        return unauthenticated(decision.reason or AUTHENTICATION_REQUIRED)
    if decision.denial == Denial.FORBIDDEN:
        return forbidden(decision.reason)
    return not_found()


def credentials_error(request: PrincipalRequest) -> HttpResponse | None:
    """401 for credentials that were sent but are not valid (S4.10): never anonymous."""
    error: str | None = getattr(request, "auth_error", None)
    return unauthenticated(error) if error else None
