"""django-allauth's hooks (``ACCOUNT_ADAPTER``): sign-up is open only when
``PRIVINDEX_SIGNUP`` says so; accounts are created and passwords set through the accounts
services, so that every way in validates and records the same way (``user:create``,
``user:password-set``)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.mfa import mfa_requirers
from accounts.models import User
from accounts.services import AccountError, user_create, user_password_set
from accounts.signals import failed_sign_in_recorded
from privindex import web
from privindex.middleware import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.PRIVINDEX_SIGNUP)

    def clean_username(self, username: str, shallow: bool = False) -> str:
        username = super().clean_username(username, shallow=shallow)
        # user_create refuses "Alice" next to "alice": say so on the form, not after it.
        if not shallow and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is already taken.")
        return username

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        if not commit:
            return super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        try:
            return user_create(
                username=data["username"],
                email=data.get("email") or "",
                password=data.get("password1") or None,
                actor=None,
            )
        except AccountError as exc:  # a name taken between the form's check and now
            raise ImmediateHttpResponse(web.error(request, exc.status, exc.message)) from None

    def get_client_ip(self, request: HttpRequest) -> str:
        # The address the audit trail records (PRIVINDEX_TRUSTED_PROXIES): behind a proxy,
        # the throttling counts each client, not the proxy.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's address.")
        return ip

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth prefixes the Host header, which the client chooses: one count per username,
        # whatever host name or port it is reached by.
        login = credentials.get("username", "")
        return f"sign-in:{login.lower() if isinstance(login, str) else ''}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            # Throttled: no password is checked, but the attempt still counts (a flood shows).
            given = credentials.get("username")
            failed_sign_in_recorded(given if isinstance(given, str) else "")
            raise

    def set_password(self, user: Any, password: str) -> None:
        user_password_set(user=user, password=password, actor=user)


class MfaAdapter(DefaultMFAAdapter):
    """Authenticator secrets are stored encrypted (Fernet, with a key derived from
    ``SECRET_KEY``: rotating it means setting up the authenticator apps again), and an
    authenticator cannot be removed while something requires two-factor authentication."""

    @staticmethod
    def _fernet() -> Fernet:
        digest = hashlib.sha256(b"privindex.mfa:" + settings.SECRET_KEY.encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, text: str) -> str:
        return self._fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return self._fernet().decrypt(encrypted_text.encode()).decode()

    def can_delete_authenticator(self, authenticator: Any) -> bool:
        return not mfa_requirers(authenticator.user)
