"""How the web UI answers a refusal: the one 404 page (nothing from the request in it, so a
private name and a name that does not exist cannot be told apart), the error page, the 401
with its challenge, and a decision turned into one of them. Used by every web view
(``projects.views``, ``accounts.views``, ``audit.views``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from access import Decision, Denial, Principal


def not_found(request: HttpRequest) -> HttpResponse:
    # No name, no query string, no CSRF token in the body.
    return render(request, "web/not_found.html", status=404)


def error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(request, "web/error.html", {"status": status, "message": message}, status=status)


def unauthenticated(request: HttpRequest, message: str) -> HttpResponse:
    response = error(request, 401, message)
    response["WWW-Authenticate"] = f'Basic realm="{settings.PRIVINDEX_REALM}"'
    return response


def deny(
    request: HttpRequest,
    principal: Principal,
    decision: Decision,
    *,
    login_then: str | None = None,
) -> HttpResponse:
    """403 with the reason, the 404, or a 401. With ``login_then``, an anonymous caller is
    sent to sign in and then to that address instead (decision 0013): a Basic challenge would
    open the browser's password dialog, and passwords are refused."""
    if decision.denial == Denial.UNAUTHENTICATED:
        if login_then is not None and principal.is_anonymous:
            return redirect_to_login(login_then)
        return unauthenticated(request, decision.reason)
    if decision.denial == Denial.FORBIDDEN:
        return error(request, 403, decision.reason)
    return not_found(request)
