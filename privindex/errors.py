"""The answers to errors raised outside our views: Django's ``handler400/403/404/500`` (see
``privindex.urls``) and ``CSRF_FAILURE_VIEW``.

Our views answer their own refusals (``privindex.web`` for the web UI, ``simple_api.responses``
and DRF for the machine surfaces); these handlers see only what escapes them: an unknown
route, a ``PermissionDenied`` from the admin, a ``SuspiciousOperation`` (too many form fields,
a disallowed host), a failed CSRF check, an exception.

Each answers in the language of the surface the path belongs to:

* the web UI: a page styled like the rest of the site; the 404 is ``privindex.web.not_found``
  itself, so an unknown route cannot be told from a private project;
* the REST API (``/api/``): an RFC 9457 problem (``privindex.problems``), as DRF answers
  (``api.errors``);
* the PyPI JSON API (``/pypi/``): a problem too, and the 404 is
  ``simple_api.problems.not_found``, the JSON API's own, byte for byte;
* the package-tool surfaces (``/simple/``, files, uploads, namespaces, health): plain text,
  and the 404 is ``simple_api.responses.not_found``, byte for byte.

The 500 page renders a template with no request and no context processor: nothing in it reads
the database, the session or the user, whichever of them failed.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from privindex import web
from privindex.problems import problem
from simple_api import problems, responses

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
JSON_API_PREFIX = "/pypi/"
# Paths pip, uv, twine and the other tools talk to (privindex.urls).
TOOL_PREFIXES = (
    "/simple/",
    "/auth/simple/",
    "/files/",
    "/legacy",
    "/namespaces",
    "/namespace/",
    "/healthz",
)

# The last resort when even the 500 template cannot be rendered (a broken template, a
# missing static file manifest): no template, no static file, no URL lookup.
FALLBACK_500 = (
    b'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    b"<title>Server error \xc2\xb7 privindex</title></head>\n"
    b"<body><h1>Server error</h1><p>Something went wrong on our side. Try again in a moment."
    b"</p></body></html>\n"
)


def _surface(request: HttpRequest) -> str:
    path = request.path_info
    if path.startswith(API_PREFIX):
        return "api"
    if path.startswith(JSON_API_PREFIX):
        return "json-api"
    if path.startswith(TOOL_PREFIXES):
        return "tool"
    return "web"


def machine_answer(request: HttpRequest, status: int, detail: str) -> HttpResponse | None:
    """The JSON or plain-text answer on the API and tool surfaces; None on the web UI."""
    surface = _surface(request)
    if surface in ("api", "json-api"):
        return problem(status, detail)
    if surface == "tool":
        return responses.message_response(status, detail)
    return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    answer = machine_answer(request, 400, "The request could not be understood.")
    if answer is not None:
        return answer
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The exception's message is not shown: it is written for the log, not for the caller.
    answer = machine_answer(request, 403, "You do not have permission to do this.")
    if answer is not None:
        return answer
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    surface = _surface(request)
    if surface == "api":
        return problem(404, "Not found.")
    if surface == "json-api":
        return problems.not_found()
    if surface == "tool":
        return responses.not_found()
    return web.not_found(request)


def server_error(request: HttpRequest) -> HttpResponse:
    answer = machine_answer(request, 500, "Something went wrong on our side. Try again later.")
    if answer is not None:
        return answer
    try:
        body = loader.get_template("500.html").render().encode()
    except Exception:
        log.exception("the 500 page could not be rendered")
        body = FALLBACK_500
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form posted without a valid CSRF token (an old tab, a session
    that ended, cookies refused, or another site posting here). The reason is not shown:
    Django's CSRF middleware has logged it (``django.security.csrf``)."""
    answer = machine_answer(request, 403, "CSRF verification failed.")
    if answer is not None:
        return answer
    return render(request, "403_csrf.html", status=403)
