"""The account pages around allauth's: the overview (password, two-factor authentication,
sessions, tokens, with what requires two-factor authentication), the email address, and the
admin's sign-in,
which is the account sign-in (throttled, with the two-factor stage) rather than a second
form with neither."""

from __future__ import annotations

from typing import cast

from allauth.core import ratelimit
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts import services
from accounts.limits import EMAIL_MAX
from accounts.mfa import mfa_enabled, mfa_requirers
from accounts.models import User
from accounts.signals import failed_sign_in_recorded
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


class EmailForm(forms.Form):
    email = forms.EmailField(label="New email address", max_length=EMAIL_MAX)
    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={
            "autocomplete": "current-password"})
    )  # fmt: skip


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    """``/account/email/``: one address, changed after the password is given again, through
    ``accounts.services.user_update`` (validated, recorded as ``user:update``). Password
    resets go to it; guesses at the password count like failed sign-ins and are throttled
    with allauth's ``change_password`` limit."""
    user = cast(User, request.user)
    form = EmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="change_password", user=user):
            form.add_error(None, "Too many attempts. Try again in a minute.")
        elif not user.check_password(form.cleaned_data["password"]):
            failed_sign_in_recorded(user.username)
            form.add_error("password", "That is not your password.")
        else:
            try:
                services.user_update(user=user, email=form.cleaned_data["email"], actor=user)
            except services.AccountError as exc:
                form.add_error("email", exc.message)
            else:
                messages.success(request, f"Your email address is now {user.email}.")
                return HttpResponseRedirect(reverse("accounts:overview"))
    return render(request, "accounts/email.html", {"form": form})


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
