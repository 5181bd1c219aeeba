"""The namespaces scene: the organization acme with an owner, a manager and a plain member,
the user alice, an outsider and a staff user; ``token`` issues a token for any of them."""

from types import SimpleNamespace

import pytest

from namespaces.services import namespace_grant
from tests import factories
from tests.simple_api.helpers import basic
from tokens.services import token_issue


@pytest.fixture
def scene(db):
    acme = factories.OrganizationFactory(name="Acme")
    people = SimpleNamespace(acme=acme, globex=factories.OrganizationFactory(name="Globex"))
    for name, role in (
        ("acme_owner", "owner"),
        ("acme_manager", "manager"),
        ("acme_member", "member"),
    ):
        user = factories.UserFactory(username=name)
        factories.OrganizationMemberFactory(organization=acme, user=user, role=role)
        setattr(people, name, user)
    people.alice = factories.UserFactory(username="alice")
    people.outsider = factories.UserFactory(username="outsider")
    people.staff = factories.UserFactory(username="staff", is_staff=True)
    return people


@pytest.fixture
def grant():
    """``grant("foo", organization=...)``: a grant made by the system, every rule applied."""

    def make(name, **kwargs):
        return namespace_grant(name=name, actor=None, **kwargs)

    return make


@pytest.fixture
def token():
    """``token(user, "read", organization=...)``: a token's secret."""

    def issue(user, *scopes, **restriction):
        return token_issue(
            user=user, scopes=list(scopes or ("read",)), name="t", actor=user, **restriction
        )

    return issue


@pytest.fixture
def auth(token):
    """``auth(user, "read")``: the headers of a new token of ``user``."""

    def headers(user, *scopes, **restriction):
        return basic(token(user, *scopes, **restriction).secret)

    return headers
