"""Organization tokens and the rules of tokens tied to an organization (issue 9): what they may
hold, when they stop working, and what their use records."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from access import Action, Principal, decide
from accounts import services as account_services
from audit.context import origin
from audit.models import AuthFailure, Event
from tests import factories
from tokens import format as token_format
from tokens.models import Token
from tokens.services import (
    TokenError,
    token_authenticate,
    token_issue,
    tokens_expired_record,
)


@pytest.fixture
def org(db):
    return factories.OrganizationFactory(name="acme")


@pytest.fixture
def owner(org):
    return factories.OrganizationMemberFactory(organization=org, role="owner").user


def test_an_organization_token_outlives_its_creator(org, owner):
    manager = factories.OrganizationMemberFactory(organization=org, role="manager").user
    project = factories.ProjectFactory(visibility="private", organization=org)
    issued = token_issue(user=None, organization=org, scopes=["read"], actor=manager)
    assert issued.token.created_by == manager

    account_services.organization_member_remove(organization=org, user=manager, actor=owner)
    account_services.user_update(user=manager, is_active=False, actor=None)

    token = token_authenticate(issued.secret)
    assert token == issued.token
    assert decide(Principal(token=token), Action.READ, project, surface=None)


@pytest.mark.parametrize("scopes", [["manage"], ["read", "manage"]])
def test_an_organization_token_never_manages(org, owner, scopes):
    with pytest.raises(TokenError, match="read and upload scopes only"):
        token_issue(user=None, organization=org, scopes=scopes, actor=owner)
    assert not Token.objects.exists()


def test_an_organization_token_covers_its_own_projects_only(org, owner):
    foreign = factories.ProjectFactory(name="foreign")
    with pytest.raises(TokenError, match="covers only projects of 'acme'"):
        token_issue(user=None, organization=org, scopes=["read"], projects=[foreign], actor=owner)
    with pytest.raises(TokenError, match="needs its organization"):
        token_issue(user=None, scopes=["read"], actor=owner)


def test_restricted_to_chosen_projects(org, owner):
    chosen = factories.ProjectFactory(name="chosen", visibility="private", organization=org)
    other = factories.ProjectFactory(name="other", visibility="private", organization=org)
    issued = token_issue(
        user=None, organization=org, scopes=["read"], projects=[chosen], actor=owner
    )
    principal = Principal(token=issued.token)
    assert decide(principal, Action.READ, chosen, surface=None)
    assert not decide(principal, Action.READ, other, surface=None)


def test_a_personal_token_restricted_to_an_organization_needs_membership(org, owner):
    outsider = factories.UserFactory()
    with pytest.raises(TokenError, match="is not a member of 'acme'"):
        token_issue(user=outsider, organization=org, scopes=["read"], actor=outsider)


def test_a_personal_token_stops_with_its_users_membership(org, owner):
    member = factories.OrganizationMemberFactory(organization=org, role="member").user
    issued = token_issue(user=member, organization=org, scopes=["read"], actor=member)
    assert token_authenticate(issued.secret) is not None
    # Even without the service (a row deleted by hand), the token stops with the membership.
    org.members.filter(user=member).delete()
    assert token_authenticate(issued.secret) is None


def test_a_deactivated_organizations_tokens_stop(org, owner):
    member = factories.OrganizationMemberFactory(organization=org, role="member").user
    own = token_issue(user=None, organization=org, scopes=["read"], actor=owner)
    personal = token_issue(user=member, organization=org, scopes=["read"], actor=member)
    unrestricted = token_issue(user=member, scopes=["read"], actor=member)

    account_services.organization_update(organization=org, is_active=False, actor=None)

    assert token_authenticate(own.secret) is None
    assert token_authenticate(personal.secret) is None
    assert token_authenticate(unrestricted.secret) is not None  # not the organization's


def test_expiry_is_recorded_once(owner):
    issued = token_issue(user=owner, scopes=["read"], expires_in=dt.timedelta(days=1), actor=None)
    Token.objects.filter(pk=issued.token.pk).update(expires=timezone.now() - dt.timedelta(1))

    assert token_authenticate(issued.secret) is None
    assert token_authenticate(issued.secret) is None
    assert tokens_expired_record() == 0
    event = Event.objects.get(action="token:expire")
    assert event.token == issued.token and event.actor_kind == "system"


def test_the_periodic_pass_records_expiries_nobody_noticed(owner):
    issued = token_issue(user=owner, scopes=["read"], expires_in=dt.timedelta(days=1), actor=None)
    Token.objects.filter(pk=issued.token.pk).update(expires=timezone.now() - dt.timedelta(1))
    assert tokens_expired_record() == 1
    assert tokens_expired_record() == 0
    assert Event.objects.filter(action="token:expire").count() == 1


@override_settings(PRIVINDEX_TOKEN_LAST_USED_INTERVAL=3600)
def test_first_use_from_a_new_address_is_recorded(owner):
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    for ip in ("192.0.2.1", "192.0.2.1", "198.51.100.7", "192.0.2.1"):
        assert token_authenticate(issued.secret, ip=ip) is not None
    events = Event.objects.filter(action="token:new-address").order_by("id")
    assert [e.data["address"] for e in events] == ["192.0.2.1", "198.51.100.7"]
    assert {e.actor for e in events} == {owner}
    assert {e.actor_kind for e in events} == {"token"}


def test_failed_authentication_is_counted_not_flooded(owner):
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    # A well-formed token (valid checksum) naming the real identifier with a wrong secret.
    body = f"{token_format.PREFIX}{issued.token.identifier}_{'a' * token_format.SECRET_LENGTH}"
    wrong = body + token_format._checksum(body)
    with origin("203.0.113.9", "curl/8"):  # as AuditOriginMiddleware sets it for a request
        for _ in range(25):
            assert token_authenticate("pvi_garbage", ip="203.0.113.9") is None
        for _ in range(5):
            assert token_authenticate(wrong, ip="203.0.113.9") is None

    failures = Event.objects.filter(action="token:auth-failed")
    assert failures.count() == 2  # one per bucket: unknown credentials, and the named token
    assert {(e.ip, e.user_agent, e.actor_kind) for e in failures} == {
        ("203.0.113.9", "curl/8", "anonymous")
    }
    buckets = {b.identifier: b.count for b in AuthFailure.objects.all()}
    assert buckets == {"": 25, issued.token.identifier: 5}
