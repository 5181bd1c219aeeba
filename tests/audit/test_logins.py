"""Sign-ins in the audit trail (``accounts.signals``): ``user:login``, ``user:login-failed`` and
``user:logout``, through ``/account/login/`` (where ``/admin/login/`` leads), with the
request's address and user agent; a failed sign-in keeps the username given, never the
password."""

import pytest
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse

from audit.context import origin
from audit.models import AuthFailure, Event
from tests import factories
from tests.principals import PASSWORD

pytestmark = pytest.mark.django_db

BROWSER = {"REMOTE_ADDR": "192.0.2.44", "HTTP_USER_AGENT": "Mozilla/5.0 (sign-in test)"}
WRONG = "not the password at all"


def sign_ins():
    return list(Event.objects.filter(action__startswith="user:").order_by("pk"))


def every_value(event):
    return " ".join(
        str(value)
        for value in (
            event.action,
            event.actor_name,
            event.target,
            event.ip,
            event.user_agent,
            event.data,
        )
    )


def test_a_sign_in_and_sign_out_are_recorded_with_the_address_and_user_agent(client, owner):
    login = client.post(
        reverse("accounts:login"), {"login": "owner", "password": PASSWORD}, **BROWSER
    )
    logout = client.post(reverse("accounts:logout"), **BROWSER)

    assert (login.status_code, logout.status_code) == (302, 302)
    signed_in, signed_out = sign_ins()
    for event, action in ((signed_in, "user:login"), (signed_out, "user:logout")):
        assert event.action == action
        assert (event.actor, event.actor_kind, event.actor_name) == (owner, "user", "owner")
        assert event.target == "user:owner"
        assert (event.ip, event.user_agent) == ("192.0.2.44", "Mozilla/5.0 (sign-in test)")


def test_a_failed_sign_in_keeps_the_username_never_the_password(client, owner):
    response = client.post(
        reverse("accounts:login"), {"login": "owner", "password": WRONG}, **BROWSER
    )

    assert response.status_code == 200  # the form again, with its error
    (event,) = sign_ins()
    assert event.action == "user:login-failed"
    assert (event.actor, event.actor_kind) == (None, "anonymous")
    assert event.target == "user:owner"
    assert event.data["username"] == "owner" and "password" not in str(event.data)
    assert event.ip == "192.0.2.44"
    assert WRONG not in every_value(event)
    assert "*" not in every_value(event)  # not even Django's masked password


def test_a_failed_sign_in_as_nobody_names_the_username_given(client, db):
    client.post(reverse("accounts:login"), {"login": "ghost", "password": WRONG}, **BROWSER)

    (event,) = sign_ins()
    assert (event.action, event.target, {"username": event.data["username"]}) == (
        "user:login-failed",
        "user:ghost",
        {"username": "ghost"},
    )


def test_the_admin_login_is_recorded_too(client):
    """/admin/login/ sends to the account sign-in, which records the same events."""
    staff = factories.UserFactory(username="ops", is_staff=True, is_superuser=True)
    to_sign_in = client.get(reverse("admin:login"), {"next": "/admin/"}, **BROWSER)
    assert to_sign_in["Location"] == "/account/login/?next=/admin/"

    ok = client.post(
        to_sign_in["Location"], {"login": "ops", "password": PASSWORD, "next": "/admin/"}, **BROWSER
    )
    client.logout()
    failed = client.post(
        to_sign_in["Location"], {"login": "ops", "password": WRONG, "next": "/admin/"}, **BROWSER
    )

    assert (ok.status_code, ok["Location"], failed.status_code) == (302, "/admin/", 200)
    assert [(e.action, e.actor, e.ip) for e in sign_ins()] == [
        ("user:login", staff, "192.0.2.44"),
        ("user:login-failed", None, "192.0.2.44"),
    ]


def test_the_username_given_is_cut_to_its_column():
    with origin("192.0.2.1", "test"):
        user_login_failed.send(
            sender=__name__, credentials={"username": "x" * 500, "password": "********"}
        )

    (event,) = sign_ins()
    assert event.data["username"] == "x" * 150
    assert event.target == "user:" + "x" * 150


def test_the_test_clients_shortcuts_are_no_sign_in(client, owner):
    """``force_login`` and ``logout`` of the test client send the signals outside any request:
    nobody signed in, and nothing is recorded (the other tests' trails stay theirs)."""
    client.force_login(owner)
    client.logout()
    assert client.login(username="owner", password=WRONG) is False

    assert sign_ins() == []


def test_failed_sign_ins_are_counted_not_flooded(client, owner):
    for _ in range(25):
        client.post(reverse("accounts:login"), {"login": "owner", "password": WRONG}, **BROWSER)
    assert Event.objects.filter(action="user:login-failed").count() == 1
    assert AuthFailure.objects.get(identifier=f"@user{owner.pk}").count == 25
    # A decoy first cannot hide the account tried next: each existing account has its bucket;
    # names that exist nowhere share one.
    root = factories.UserFactory(username="root")
    for username in ("root", "ghost-1", "ghost-2", "root"):
        client.post(reverse("accounts:login"), {"login": username, "password": WRONG}, **BROWSER)
    failed = Event.objects.filter(action="user:login-failed").order_by("id")
    assert [e.data["username"] for e in failed] == ["owner", "root", "ghost-1"]
    assert AuthFailure.objects.get(identifier=f"@user{root.pk}").count == 2
    assert AuthFailure.objects.get(identifier="@sign-in").count == 2
