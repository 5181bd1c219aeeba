"""REST API organizations: members see their organizations; everyone else sees nothing."""

import pytest
from django.urls import reverse

from tests import factories
from tests.api.helpers import bearer, detail
from tokens.services import token_issue


@pytest.fixture
def acme(owner, outsider):
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    alice = factories.UserFactory(username="alice")
    factories.OrganizationMemberFactory(organization=org, user=alice, role="member")
    team = factories.TeamFactory(organization=org, name="devs")
    factories.TeamMemberFactory(team=team, user=alice)
    factories.OrganizationFactory(name="Other")
    return org


def test_member_lists_own_organizations(api, owner, acme):
    api.force_login(owner)

    response = api.get(reverse("api:org-list"))

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "name": "Acme",
                "normalized_name": "acme",
                "role": "owner",
                "url": "http://testserver/api/v1/orgs/acme/",
            }
        ],
    }


def test_member_sees_the_organization_its_members_and_teams(api, owner, acme):
    api.force_login(owner)

    response = api.get(reverse("api:org-detail", args=["ACME"]))
    members = api.get(response.json()["members_url"])
    teams = api.get(response.json()["teams_url"])

    assert response.status_code == 200
    base = "http://testserver/api/v1/orgs/acme/"
    assert response.json() == {
        "name": "Acme",
        "normalized_name": "acme",
        "role": "owner",
        "url": base,
        "default_visibility": "private",
        "mfa_required": False,
        "created": response.json()["created"],
        "members_url": f"{base}members/",
        "teams_url": f"{base}teams/",
        "invitations_url": f"{base}invitations/",
        "tokens_url": f"{base}tokens/",
    }
    assert [(m["username"], m["role"]) for m in members.json()["results"]] == [
        ("alice", "member"),
        ("owner", "owner"),
    ]
    [team] = teams.json()["results"]
    assert team["name"] == "devs"
    team_members = api.get(team["members_url"]).json()["results"]
    assert [m["username"] for m in team_members] == ["alice"]


def test_non_member_gets_the_same_404_as_unknown(api, outsider, acme):
    api.force_login(outsider)

    member_of_none = api.get(reverse("api:org-list"))
    existing = api.get(reverse("api:org-detail", args=["acme"]))
    unknown = api.get(reverse("api:org-detail", args=["nope"]))

    assert member_of_none.json()["results"] == []
    assert existing.status_code == unknown.status_code == 404
    assert existing.content == unknown.content


def test_inactive_organization_is_invisible(api, owner, acme):
    acme.is_active = False
    acme.save()
    api.force_login(owner)

    assert api.get(reverse("api:org-list")).json()["results"] == []
    assert api.get(reverse("api:org-detail", args=["acme"])).status_code == 404


def test_anonymous_is_challenged(api, acme):
    response = api.get(reverse("api:org-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


def test_read_token_sees_organizations(api, owner, acme, read_token):
    response = api.get(reverse("api:org-detail", args=["acme"]), **bearer(read_token))

    assert response.status_code == 200


def test_token_without_read_scope_is_forbidden(api, owner, acme, upload_token):
    response = api.get(reverse("api:org-list"), **bearer(upload_token))

    assert response.status_code == 403
    assert detail(response) == "The token does not have the 'read' scope."


def test_tokens_narrow_organizations(api, owner, acme, token_for_other_project):
    other = factories.OrganizationFactory(name="Beta")
    factories.OrganizationMemberFactory(organization=other, user=owner, role="member")
    org_token = token_issue(user=owner, scopes=["read"], organization=acme, actor=None).secret

    by_org_token = api.get(reverse("api:org-list"), **bearer(org_token))
    beta_by_org_token = api.get(reverse("api:org-detail", args=["beta"]), **bearer(org_token))
    by_project_token = api.get(reverse("api:org-list"), **bearer(token_for_other_project))

    assert [o["name"] for o in by_org_token.json()["results"]] == ["Acme"]
    assert beta_by_org_token.status_code == 404
    assert by_project_token.json()["results"] == []
