"""The scene of the accounts service tests: an administrator, the organization Acme (owned by
``owner``), its member alice and its team devs."""

import pytest

from tests import factories


@pytest.fixture
def admin(db):
    return factories.UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def acme(owner):
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    return org


@pytest.fixture
def alice(acme):
    user = factories.UserFactory(username="alice")
    factories.OrganizationMemberFactory(organization=acme, user=user, role="member")
    return user


@pytest.fixture
def devs(acme, alice):
    team = factories.TeamFactory(organization=acme, name="devs")
    factories.TeamMemberFactory(team=team, user=alice)
    return team
