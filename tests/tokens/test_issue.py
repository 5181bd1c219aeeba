"""``token_issue`` keeps the token limits (``tokens.limits``) whoever calls it, and records who
issued the token: its owner, an administrator, or the system (None)."""

import datetime as dt

import pytest

from audit.models import Event
from tests import factories
from tokens import limits
from tokens.models import Token
from tokens.services import TokenError, token_issue, token_revoke


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"expires_in": dt.timedelta(days=limits.MAX_EXPIRY_DAYS + 1)}, "at most 3650 days"),
        ({"expires_in": dt.timedelta(days=99_999_999)}, "at most 3650 days"),
        ({"name": "n" * (limits.NAME_MAX + 1)}, "at most 100 characters"),
    ],
    ids=["expiry", "far expiry", "name"],
)
def test_token_issue_refuses_what_the_limits_do_not_allow(owner, arguments, message):
    with pytest.raises(TokenError, match=message):
        token_issue(user=owner, scopes=["read"], actor=None, **arguments)
    assert not Token.objects.exists() and not Event.objects.exists()


def test_token_issue_refuses_more_projects_than_the_limit(owner, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PROJECTS", 2)
    projects = [factories.ProjectFactory() for _ in range(3)]

    with pytest.raises(TokenError, match="at most 2 projects"):
        token_issue(user=owner, scopes=["read"], projects=projects, actor=None)

    assert not Token.objects.exists()
    token_issue(user=owner, scopes=["read"], projects=projects[:2], actor=None)


def test_token_issue_accepts_the_limits_themselves(owner):
    issued = token_issue(
        user=owner,
        scopes=["read"],
        name="n" * limits.NAME_MAX,
        expires_in=dt.timedelta(days=limits.MAX_EXPIRY_DAYS),
        actor=None,
    )
    assert issued.token.expires is not None


@pytest.mark.parametrize("issuer", ["owner", "admin", "system"])
def test_token_events_record_who_issued_and_revoked(owner, issuer):
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    actor = {"owner": owner, "admin": admin, "system": None}[issuer]

    issued = token_issue(user=owner, scopes=["read"], actor=actor)
    token_revoke(token=issued.token, actor=actor)

    events = Event.objects.filter(token=issued.token).order_by("pk")
    assert [(e.action, e.actor) for e in events] == [
        ("token:issue", actor),
        ("token:revoke", actor),
    ]


def test_only_superusers_issue_personal_tokens_for_someone_else(owner):
    staff = factories.UserFactory(is_staff=True)
    root = factories.UserFactory(is_staff=True, is_superuser=True)
    with pytest.raises(TokenError, match="Only superusers issue personal tokens"):
        token_issue(user=root, scopes=["read", "manage"], actor=staff)
    with pytest.raises(TokenError, match="Only superusers issue personal tokens"):
        token_issue(user=owner, scopes=["read"], actor=staff)
    assert not Token.objects.exists()


def test_token_services_require_the_actor_to_be_said(owner):
    with pytest.raises(TypeError, match="actor"):
        token_issue(user=owner, scopes=["read"])
    issued = token_issue(user=owner, scopes=["read"], actor=owner)
    with pytest.raises(TypeError, match="actor"):
        token_revoke(token=issued.token)
