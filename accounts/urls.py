"""Account routes (namespace ``accounts``, mounted at ``/account/``). django-allauth's own
(two-factor authentication under ``2fa/``, sessions under ``sessions/``, sign-up, email) are
mounted after these, at the same prefix (``privindex.urls``): the sign-in and sign-out here
are allauth's views, under the names the templates use."""

from allauth.account import views as allauth_views
from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from accounts import password_views, security_views
from tokens import views as token_views

app_name = "accounts"

urlpatterns = [
    path("", security_views.account_overview, name="overview"),
    # allauth's sign-in: throttled (ACCOUNT_RATE_LIMITS), then the two-factor stage.
    path("login/", allauth_views.login, name="login"),
    # allauth's sign-out: a GET shows a confirmation, only a POST signs out.
    path("logout/", allauth_views.logout, name="logout"),
    # Before allauth's page of the same path (account_email), which would change the address
    # outside accounts.services and unrecorded.
    path("email/", security_views.email_change, name="email"),
    path("password/", password_views.PasswordChangeView.as_view(), name="password-change"),
    # allauth's own password change page would bypass the one above.
    path("password/change/", RedirectView.as_view(pattern_name="accounts:password-change")),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password-change-done",
    ),
    path("password/reset/", password_views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token-revoke"),
]
