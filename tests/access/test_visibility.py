"""The read twins of organizations (``access.visibility``): an organization is seen by its
members, and a token narrows what its user sees. ``projects_visible_to`` is checked against
``decide()`` in test_policy.py."""

import pytest

from access import Principal, memberships_visible_to, organizations_visible_to
from accounts.selectors import organization_for_token
from tests import factories
from tokens.services import token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    """acme and globex, which ``member`` belongs to, and dormant, inactive, which they also do."""
    member = factories.UserFactory(username="member")
    made = {}
    for name, active in (("acme", True), ("globex", True), ("dormant", False)):
        org = factories.OrganizationFactory(name=name, is_active=active)
        factories.OrganizationMemberFactory(organization=org, user=member, role="member")
        made[name] = org
    made["member"] = member
    return made


def _token(user, scopes=("read",), **restriction):
    return Principal(token=token_issue(user=user, scopes=scopes, actor=user, **restriction).token)


def _seen(principal):
    orgs = sorted(o.name for o in organizations_visible_to(principal))
    memberships = sorted(m.organization.name for m in memberships_visible_to(principal))
    assert orgs == memberships  # the two twins agree
    return orgs


def test_a_member_sees_their_active_organizations(orgs):
    assert _seen(Principal(user=orgs["member"])) == ["acme", "globex"]


def test_an_outsider_and_anonymous_see_none(orgs):
    assert _seen(Principal(user=factories.UserFactory())) == []
    assert _seen(Principal()) == []


def test_an_inactive_organization_is_seen_by_no_one(orgs):
    owner = factories.OrganizationMemberFactory(organization=orgs["dormant"], role="owner").user
    assert _seen(Principal(user=owner)) == []


def test_a_token_of_the_member_sees_what_they_see(orgs):
    assert _seen(_token(orgs["member"])) == ["acme", "globex"]


def test_an_organization_token_sees_only_its_organization(orgs):
    assert _seen(_token(orgs["member"], organization=orgs["globex"])) == ["globex"]


def test_a_token_restricted_to_projects_sees_no_organization(orgs):
    project = factories.ProjectFactory(organization=orgs["acme"])
    assert _seen(_token(orgs["member"], projects=[project])) == []


def test_a_token_without_the_read_scope_sees_none(orgs):
    assert _seen(_token(orgs["member"], scopes=("upload", "manage"))) == []


def test_a_token_is_restricted_to_an_organization_its_user_sees(orgs):
    """``accounts.selectors.organization_for_token`` asks the read twin."""
    member = orgs["member"]
    assert organization_for_token(user=member, name="ACME") == orgs["acme"]  # any spelling
    assert organization_for_token(user=member, name="dormant") is None
    assert organization_for_token(user=factories.UserFactory(), name="acme") is None
    assert organization_for_token(user=member, name="nope") is None
