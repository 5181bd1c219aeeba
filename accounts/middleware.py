"""Two-factor authentication where it is required (``accounts.mfa.mfa_requirers``): a
signed-in session of someone who must use it and has not set it up reaches only the pages
that set it up (and sign-out). A page is answered with a redirect to the authenticator setup
with the reason; anything else with a 403 in the surface's own form (JSON on the API, text
for the tools, the styled page on the web).

Only session sign-ins are concerned: tokens have their own scopes and expiry, and pip
cannot answer a second factor, so a request without a session cookie (every client's) costs
nothing here and is never refused. A request with the session cookie is checked whatever
else it carries: a header, valid or not, must not open the pages that go by the session
(the admin, the tokens page).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.mfa import mfa_missing, mfa_requirers
from privindex import web
from privindex.errors import machine_answer

# Setting up the authenticator (allauth.mfa's pages, and the re-authentication they may
# ask for), signing out, and the static files those pages use.
EXEMPT = ("/account/2fa/", "/account/logout/", "/account/reauthenticate/", "/healthz")


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = (*EXEMPT, "/" + settings.STATIC_URL.lstrip("/"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and not request.path_info.startswith(self.exempt)
            and request.user.is_authenticated
            and mfa_missing(request.user)  # type: ignore[arg-type]
        ):
            return self.refuse(request, mfa_requirers(request.user))  # type: ignore[arg-type]
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, reasons: list[str]) -> HttpResponse:
        why = ", ".join(
            "staff accounts" if reason == "staff" else f"the organization {reason}"
            for reason in reasons
        )
        message = (
            f"Two-factor authentication is required for {why}: set up an authenticator app "
            "to go on."
        )
        answer = machine_answer(request, 403, message)
        if answer is not None:
            return answer
        if request.method in ("GET", "HEAD"):
            messages.warning(request, message)
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return web.error(request, 403, message)
