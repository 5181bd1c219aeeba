"""Sign-ins and sign-outs in the audit trail: ``user:login``, ``user:login-failed``,
``user:logout``, for every way in through Django's auth (``/account/login/``,
``/admin/login/``), connected in ``AccountsConfig.ready``.

Failed sign-ins are counted per address and hour (``audit.services.failure_counted``): the
first of each hour is an event. It records the username that was given (cut to its column's
length), never the password or any other credential; the address and user agent come from
the request (``audit.context``). Only a request records: Django's test client also sends
these signals from ``login()``, ``force_login()`` and ``logout()``, outside any request, and
those are no one signing in.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.context import current_origin
from audit.services import FAILURES_COUNTED, event_record, failure_counted

USERNAME_MAX = 150  # User.username
LOGIN_KEY = "@sign-in"  # the AuthFailure bucket of failed sign-ins (no token has an @)


@receiver(user_logged_in, dispatch_uid="accounts.signals.logged_in")
def logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None or current_origin() is None:
        return
    event_record("user:login", actor=user, target=f"user:{user.get_username()}")


@receiver(user_login_failed, dispatch_uid="accounts.signals.login_failed")
def login_failed(
    sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **kwargs: Any
) -> None:
    # ``credentials`` has its secrets masked by Django already; only the username is kept.
    given = (credentials or {}).get(get_user_model().USERNAME_FIELD, "")
    failed_sign_in_recorded(given if isinstance(given, str) else "")


def failed_sign_in_recorded(given: str) -> None:
    """Count a failed sign-in as ``given`` (and record the first of its bucket): a wrong
    password, or an attempt refused by the throttling (``accounts.adapter``) before any
    password was checked."""
    origin = current_origin()
    if origin is None:
        return
    username = given[:USERNAME_MAX]
    # Counted per address and hour like bad tokens: only the first failure is an event. An
    # account that exists has a bucket of its own, so a decoy first attempt cannot hide the
    # account really tried; names that exist nowhere share one (they cannot flood). The sign-in
    # takes a username in any case, so the account is found in any case too, and recorded
    # under its own spelling (its owner finds it in their activity).
    found = (
        get_user_model()
        .objects.filter(username__iexact=username)
        .values_list("pk", "username")
        .first()
    )
    if found is not None:
        username = found[1]
    key = f"@user{found[0]}" if found is not None else LOGIN_KEY
    window = failure_counted(ip=origin.ip, key=key)
    if window is None:
        return
    event_record(
        "user:login-failed",
        actor=None,
        target=f"user:{username}",
        username=username,
        window=window.isoformat(),
        note=FAILURES_COUNTED,
    )


@receiver(user_logged_out, dispatch_uid="accounts.signals.logged_out")
def logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None or current_origin() is None:  # None: no one was signed in
        return
    event_record("user:logout", actor=user, target=f"user:{user.get_username()}")


# Two-factor authentication (django-allauth's signals): set up, removed, recovery codes
# regenerated, and a wrong code at the sign-in's second step (counted like a wrong password,
# in the account's bucket; allauth throttles those codes with the login_failed limit).
_MFA_EVENTS = {
    "added": "user:mfa-added",
    "removed": "user:mfa-removed",
    "reset": "user:mfa-recovery-codes-regenerated",
}


def _mfa_changed(change: str) -> Any:
    def record(sender: Any, user: Any = None, authenticator: Any = None, **kwargs: Any) -> None:
        if user is None:
            return
        event_record(
            _MFA_EVENTS[change],
            actor=user,
            target=f"user:{user.get_username()}",
            authenticator=str(authenticator.type) if authenticator is not None else "",
        )

    return record


mfa_added = _mfa_changed("added")
mfa_removed = _mfa_changed("removed")
mfa_reset = _mfa_changed("reset")
mfa_signals.authenticator_added.connect(mfa_added, dispatch_uid="accounts.signals.mfa_added")
mfa_signals.authenticator_removed.connect(mfa_removed, dispatch_uid="accounts.signals.mfa_removed")
mfa_signals.authenticator_reset.connect(mfa_reset, dispatch_uid="accounts.signals.mfa_reset")


@receiver(mfa_signals.authentication_failed, dispatch_uid="accounts.signals.mfa_failed")
def mfa_failed(sender: Any, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        failed_sign_in_recorded(user.get_username())
