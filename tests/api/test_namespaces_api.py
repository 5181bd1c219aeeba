"""PEP 752 namespaces in the REST API (issue 11): ``/api/v1/namespaces/`` and
``/api/v1/namespaces/{name}/``, read only. What each caller sees is what ``/namespaces``
shows them (decision 0016): hidden grants only to their holders and staff, owners only to
those who see the owner; a namespace the caller does not see is the 404 of one never granted.
"""

import pytest
from django.urls import reverse

from namespaces.services import namespace_grant
from tests import factories
from tests.api.helpers import bearer, detail
from tokens.services import token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db):
    return factories.OrganizationFactory(name="Acme")


@pytest.fixture
def member(acme):
    user = factories.UserFactory(username="acme_member")
    factories.OrganizationMemberFactory(organization=acme, user=user, role="member")
    return user


@pytest.fixture
def granted(acme):
    """acme: foo with the children foo-bar (open) and foo-secret (hidden); acme: typing
    (hidden)."""
    for name, options in (
        ("Foo", {}),
        ("Foo.Bar", {"open": True}),
        ("foo-secret", {"hidden": True}),
        ("typing", {"hidden": True}),
    ):
        namespace_grant(name=name, organization=acme, actor=None, **options)


def listed(response):
    assert response.status_code == 200, response.content
    return [entry["name"] for entry in response.json()["results"]]


def test_anyone_sees_the_grants_that_are_not_hidden_without_their_owner(api, granted):
    # A list: anonymous callers are challenged (issue 11); anyone signed in sees these.
    assert api.get(reverse("api:namespace-list")).status_code == 401
    api.force_login(factories.UserFactory(username="passer-by"))
    response = api.get(reverse("api:namespace-list"))

    assert listed(response) == ["foo", "foo-bar"]
    foo = response.json()["results"][0]
    assert foo == {
        "name": "foo",
        "owner": None,
        "open": False,
        "parent": None,
        "children": ["foo-bar"],
        "url": "http://testserver/api/v1/namespaces/foo/",
    }


def test_a_member_sees_the_hidden_grants_and_the_owner(api, granted, member):
    api.force_login(member)

    response = api.get(reverse("api:namespace-list"))

    assert listed(response) == ["foo", "foo-bar", "foo-secret", "typing"]
    assert {entry["owner"] for entry in response.json()["results"]} == {"Acme"}


def test_the_list_is_paginated_and_its_parameters_checked(api, granted):
    api.force_login(factories.UserFactory(username="passer-by"))
    page = api.get(reverse("api:namespace-list"), {"limit": 1})
    bad = api.get(reverse("api:namespace-list"), {"limit": "x", "sort": "name"})

    assert page.json()["count"] == 2 and len(page.json()["results"]) == 1
    assert page.json()["next"]
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"limit", "sort"}


def test_a_namespace_in_any_spelling(api, granted):
    response = api.get(reverse("api:namespace-detail", args=["FOO_bar"]))

    assert response.status_code == 200
    assert response.json()["name"] == "foo-bar"
    assert response.json()["parent"] == "foo"


def test_a_hidden_namespace_is_the_404_of_one_never_granted(api, granted):
    hidden = api.get(reverse("api:namespace-detail", args=["typing"]))
    never = api.get(reverse("api:namespace-detail", args=["nothing-here"]))

    assert hidden.status_code == never.status_code == 404
    assert hidden.content == never.content
    detail(hidden)


def test_a_hidden_namespace_for_its_holders(api, granted, member):
    api.force_login(member)

    response = api.get(reverse("api:namespace-detail", args=["typing"]))

    assert response.status_code == 200
    assert response.json()["owner"] == "Acme"


@pytest.mark.parametrize("path", [("api:namespace-list", []), ("api:namespace-detail", ["foo"])])
def test_credentials_are_answered_first(api, granted, member, path):
    name, args = path
    url = reverse(name, args=args)
    upload_only = token_issue(user=member, scopes=["upload"], actor=None).secret

    assert api.get(url, **bearer("nonsense")).status_code == 401
    assert api.get(url, **bearer(upload_only)).status_code == 403


def test_a_closed_index_challenges_anonymous_callers(api, granted, settings):
    settings.PRIVINDEX_ANONYMOUS_READ = False

    response = api.get(reverse("api:namespace-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'
