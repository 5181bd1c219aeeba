"""Password change and reset by email (issue 10), as Django's views, except that the new
password is written by ``accounts.services.user_password_set`` (validated, audited as
``user:password-set``), never by the form's own ``save()``.

Reset mails go through Django's email backend (the console by default). The reset page
answers the same whether or not the address belongs to an account (Django's behaviour), so
it tells no one who has an account. Requests are throttled by django-allauth's limit for
them (``ACCOUNT_RATE_LIMITS["reset_password"]``: per address and per email): past it the
page answers the same, and no mail is sent, so nobody can flood an inbox from here.
"""

from __future__ import annotations

from typing import Any

from allauth.core import ratelimit
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

from accounts import services


def _password_write(form: Any, *, actor: Any) -> bool:
    """Write the form's new password through the service; False (and the error on the form)
    when the service refuses it."""
    try:
        services.user_password_set(
            user=form.user, password=form.cleaned_data["new_password1"], actor=actor
        )
    except services.AccountError as exc:
        form.add_error("new_password1", exc.message)
        return False
    return True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        # Guesses at the old password are throttled (allauth's "change_password" limit: 5 a
        # minute): past it nothing is checked.
        if not ratelimit.consume(request, action="change_password", user=request.user):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, "Too many attempts. Try again in a minute.")
            return self.form_invalid(form)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        if not _password_write(form, actor=self.request.user):
            return self.form_invalid(form)
        # Other sessions signed in with the old password end; this one stays.
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        if not ratelimit.consume(self.request, action="reset_password", key=email):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        # The person holding the mailed link acts as the account's owner.
        if not _password_write(form, actor=form.user):
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())
