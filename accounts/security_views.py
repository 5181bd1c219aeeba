"""The account pages around allauth's: the overview (password, two-factor authentication,
sessions, tokens, with what requires two-factor authentication), and the admin's sign-in,
which is the account sign-in (throttled, with the two-factor stage) rather than a second
form with neither."""

from __future__ import annotations

from typing import cast

from allauth.usersessions.models import UserSession
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.mfa import mfa_enabled, mfa_requirers
from accounts.models import User
from privindex import web


@never_cache
@require_safe
@login_required
def account_overview(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    context = {
        "mfa_enabled": mfa_enabled(user),
        "mfa_required_by": mfa_requirers(user),
        "session_count": UserSession.objects.filter(user=user).count(),
    }
    return render(request, "accounts/overview.html", context)


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    """``/admin/login/``: to the account sign-in, then back to the admin page asked for."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    target = target or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(target)
    if request.user.is_staff:  # type: ignore[union-attr]
        return HttpResponseRedirect(target)
    # Signed in but not staff: sending them to sign in again would go round in circles.
    return web.error(request, 403, "This account has no access to the administration pages.")
