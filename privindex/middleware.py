"""Turn a lost database into a clear 503 instead of a traceback or a 500 page.

A database error in a view reaches ``process_exception``. One raised by a middleware inside
this one (token authentication, sessions) has already been turned into a 500 by Django's
per-middleware exception handler before it gets here; the ``got_request_exception`` signal
marks the request so that 500 is replaced too.
"""

import ipaddress
import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse

from audit.context import origin
from privindex.problems import problem

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
MESSAGE = "Service temporarily unavailable: the database cannot be reached. Retry shortly."


def unavailable() -> HttpResponse:
    response = HttpResponse(
        MESSAGE + "\n", status=503, content_type="text/plain; charset=utf-8", reason=MESSAGE
    )
    response["Retry-After"] = "5"
    response["Cache-Control"] = "no-store"
    return response


@receiver(got_request_exception, dispatch_uid="privindex.middleware.database_unavailable")
def _mark_database_error(sender, request=None, **kwargs):
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        request._database_unavailable = True


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_database_unavailable", False):
            log.warning("database unavailable (in a middleware)")
            return unavailable()
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            log.warning("database unavailable: %s", type(exception).__name__)
            return unavailable()
        return None


class RejectNulMiddleware:
    """No name, version, filename or search term holds a NUL byte, and PostgreSQL refuses
    them in text: answer before any lookup. A path gets the ordinary 404 (so nothing is told
    apart), a query string a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith("/api/")
        json_api = request.path_info.startswith("/pypi/")
        if "\x00" in request.path_info:
            from simple_api import problems, responses

            if api:
                return problem(404, "Not found.")
            return problems.not_found() if json_api else responses.not_found()
        if "%00" in request.META.get("QUERY_STRING", "").lower():
            message = "Bad request: NUL byte in the query string."
            if api or json_api:
                return problem(400, message)
            return HttpResponse(
                message + "\n", status=400, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


def client_ip(request) -> str | None:
    """The caller's address: ``REMOTE_ADDR``, or, behind ``PRIVINDEX_TRUSTED_PROXIES``
    reverse proxies, the address the outermost trusted one saw (``X-Forwarded-For`` is read
    from the right, so a client cannot choose what is recorded)."""
    hops = settings.PRIVINDEX_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR") or None
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate


class AuditOriginMiddleware:
    """Every event recorded during a request carries its address and user agent
    (``audit.context``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = client_ip(request)
        request.client_ip = ip
        with origin(ip, request.META.get("HTTP_USER_AGENT", "")):
            return self.get_response(request)
