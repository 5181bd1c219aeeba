"""Organization tokens through the REST API (issue 9): owners and managers list and issue them
(a session only: no token issues tokens), owners revoke them; anyone else gets the 404 of an
organization that does not exist."""

import pytest

from access import Action, Principal, decide
from audit.models import Event
from tests import factories
from tokens.models import Token
from tokens.services import token_authenticate, token_issue


@pytest.fixture
def scene(db):
    org = factories.OrganizationFactory(name="acme")
    people = {
        role: factories.OrganizationMemberFactory(organization=org, role=role).user
        for role in ("owner", "manager", "member")
    }
    project = factories.ProjectFactory(name="internal", visibility="private", organization=org)
    elsewhere = factories.ProjectFactory(name="elsewhere", visibility="private")
    return org, people, project, elsewhere


URL = "/api/v1/orgs/acme/tokens/"


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owners_and_managers_issue_an_organization_token(api, scene, role):
    org, people, project, _ = scene
    api.force_login(people[role])

    response = api.post(URL, {"scopes": ["read"], "name": "deploy"}, format="json")

    assert response.status_code == 201
    body = response.json()
    token = token_authenticate(body["token"])
    assert token is not None and token.user is None and token.organization == org
    assert body["organization_owned"] is True and body["created_by"] == people[role].username
    assert decide(Principal(token=token), Action.READ, project, surface=None)
    listed = api.get(URL).json()["results"]
    assert [t["identifier"] for t in listed] == [body["identifier"]]
    assert "token" not in listed[0]
    event = Event.objects.get(action="token:issue")
    assert event.actor == people[role] and event.organization == org


def test_members_are_refused_and_outsiders_see_nothing(api, scene):
    _, people, _, _ = scene
    api.force_login(people["member"])
    assert api.post(URL, {"scopes": ["read"]}, format="json").status_code == 403
    outsider = factories.UserFactory()
    api.force_login(outsider)
    refused = api.post(URL, {"scopes": ["read"]}, format="json")
    unknown = api.post("/api/v1/orgs/nope/tokens/", {"scopes": ["read"]}, format="json")
    assert refused.status_code == unknown.status_code == 404
    assert refused.content == unknown.content
    assert not Token.objects.exists()


def test_a_token_cannot_issue_organization_tokens(api, scene):
    _org, people, _, _ = scene
    mine = token_issue(user=people["owner"], scopes=["read", "upload", "manage"], actor=None)
    response = api.post(
        URL, {"scopes": ["read"]}, format="json", HTTP_AUTHORIZATION=f"Bearer {mine.secret}"
    )
    assert response.status_code == 403
    assert not Token.objects.filter(user__isnull=True).exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"scopes": ["manage"]}, "scopes"),
        ({"scopes": ["read"], "projects": ["elsewhere"]}, "No project named elsewhere"),
    ],
)
def test_scopes_and_projects_are_kept_to_the_organization(api, scene, payload, message):
    _, people, _, _ = scene
    api.force_login(people["owner"])
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400 and message in response.json()["detail"]
    assert not Token.objects.exists()


def test_only_owners_revoke(api, scene):
    org, people, _, _ = scene
    issued = token_issue(user=None, organization=org, scopes=["read"], actor=people["manager"])
    url = f"{URL}{issued.token.identifier}/"
    api.force_login(people["manager"])
    assert api.delete(url).status_code == 403
    api.force_login(people["owner"])
    assert api.delete(url).status_code == 200
    assert token_authenticate(issued.secret) is None
    assert Event.objects.get(action="token:revoke").actor == people["owner"]
    # A member's personal token is not the organization's to revoke here.
    personal = token_issue(
        user=people["member"], organization=org, scopes=["read"], actor=people["member"]
    )
    assert api.delete(f"{URL}{personal.token.identifier}/").status_code == 404


def test_an_organization_token_is_refused_where_a_person_is_needed(api, scene):
    org, people, _project, _ = scene
    issued = token_issue(user=None, organization=org, scopes=["read"], actor=people["owner"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}
    assert api.get("/api/v1/projects/internal/", **headers).status_code == 200
    assert api.get("/api/v1/projects/elsewhere/", **headers).status_code == 404
    refused = api.get("/api/v1/orgs/", **headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "An organization token reads and uploads projects only."
