"""Turn access decisions into HTTP answers. Adapters only: nothing here decides.

Every denial on the read surfaces comes from these functions, so a 404 for a private name is
byte-for-byte the 404 for a name that does not exist (DESIGN 4, S4.12).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from access import Decision, Denial
from privindex.requests import PrincipalRequest

NOT_FOUND_BODY = b"404 Not Found\n"
# Headers every read answer carries, whoever asks and whatever exists.
READ_VARY = "Accept, Authorization"


def reason_phrase(message: str) -> str:
    """An HTTP reason phrase: one line, ISO-8859-1 (S2.12)."""
    line = " ".join(message.split())
    return line.encode("latin-1", "replace").decode("latin-1")[:1000]


def message_response(status: int, message: str, **headers: str) -> HttpResponse:
    response = HttpResponse(
        message.rstrip("\n") + "\n",
        status=status,
        content_type="text/plain; charset=utf-8",
        reason=reason_phrase(message),
    )
    for key, value in headers.items():
        response[key.replace("_", "-")] = value
    return response


def etag_matches(request: HttpRequest, etag: str) -> bool:
    """Does ``If-None-Match`` name ``etag`` (a list, weak or strong, or ``*``)? (S1.38)"""
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return etag in tags or "*" in tags


def not_found() -> HttpResponse:
    response = HttpResponse(NOT_FOUND_BODY, status=404, content_type="text/plain; charset=utf-8")
    response["Vary"] = READ_VARY
    response["Cache-Control"] = "private, no-cache"
    return response


def unauthenticated(message: str = "Authentication required.") -> HttpResponse:
    response = message_response(401, message)
    response["WWW-Authenticate"] = f'Basic realm="{settings.PRIVINDEX_REALM}"'
    response["Vary"] = READ_VARY
    response["Cache-Control"] = "private, no-cache"
    return response


def forbidden(message: str) -> HttpResponse:
    response = message_response(403, message)
    response["Vary"] = READ_VARY
    response["Cache-Control"] = "private, no-cache"
    return response


# Says where an answer proxied from an upstream came from: "fetched" (now), "revalidated",
# "cached", or "stale" (the upstream is failing; this is the last good copy).
UPSTREAM_HEADER = "Privindex-Upstream"


def upstream_failed(status: int, message: str) -> HttpResponse:
    """An upstream could not answer: 502/504 (503 when too busy), never a 404, never kept."""
    response = message_response(status, message)
    response["Vary"] = READ_VARY
    response["Cache-Control"] = "no-store"
    if status == 503:
        response["Retry-After"] = "5"
    return response


def deny(decision: Decision) -> HttpResponse:
    if decision.denial == Denial.UNAUTHENTICATED:
        return unauthenticated(decision.reason)
    if decision.denial == Denial.FORBIDDEN:
        return forbidden(decision.reason)
    return not_found()


def credentials_error(request: PrincipalRequest) -> HttpResponse | None:
    """401 for credentials that were sent but are not valid (S4.10): never anonymous."""
    error: str | None = getattr(request, "auth_error", None)
    if error:
        return unauthenticated(error)
    return None
