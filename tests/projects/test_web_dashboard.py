"""The dashboard (issue 10): my projects, projects shared with me, my organizations, recent
activity on projects I manage; for signed-in people only."""

from django.urls import reverse

from projects import services
from tests import factories
from tests.principals import token_headers
from tokens.services import token_issue

DASHBOARD = reverse("web:dashboard")


def test_own_shared_organizations_and_activity(client, db):
    ann = factories.UserFactory(username="ann")
    mine = factories.ProjectFactory(name="Mine", visibility="private")
    factories.ProjectRoleFactory(project=mine, user=ann, role="owner")
    theirs = factories.ProjectFactory(name="Theirs", visibility="private")
    factories.ProjectRoleFactory(project=theirs, user=ann, role="reader")
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=ann, role="member")
    team_project = factories.ProjectFactory(name="Teamwork", organization=org)
    team = factories.TeamFactory(organization=org, name="devs")
    factories.TeamMemberFactory(team=team, user=ann)
    factories.TeamProjectRoleFactory(project=team_project, team=team, role="maintainer")
    factories.ProjectFactory(name="Unrelated", visibility="private")
    services.project_visibility_set(project=mine, visibility="public", actor=ann)
    services.project_visibility_set(project=theirs, visibility="public", actor=None)
    client.force_login(ann)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert [p.name for p in response.context["own"]] == ["Mine"]
    assert [p.name for p in response.context["shared"]] == ["Teamwork", "Theirs"]
    assert [m.organization.name for m in response.context["memberships"]] == ["Acme"]
    # Activity on projects she manages only: Mine, not Theirs (she only reads it).
    assert [e.project.name for e in response.context["recent"]] == ["Mine"]
    assert b"Unrelated" not in response.content


def test_anonymous_go_to_sign_in_and_tokens_are_refused(client, db):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    owner = factories.UserFactory()
    secret = token_issue(user=owner, scopes=["read"], actor=None).secret
    assert client.get(DASHBOARD, **token_headers(secret)).status_code == 403
    assert client.get(DASHBOARD, HTTP_AUTHORIZATION="Basic ***").status_code == 401


def test_activity_starts_at_a_projects_latest_transfer_as_its_history_does(client, db):
    """After a transfer, the new owners see none of what the previous ones did (their names and
    addresses stay in the previous organization's log), on the dashboard as on the history."""
    alice = factories.UserFactory(username="alice")
    dave = factories.UserFactory(username="dave")
    moved = factories.ProjectFactory(name="Moved", visibility="private")
    factories.ProjectRoleFactory(project=moved, user=alice, role="owner")
    acme = factories.OrganizationFactory(name="acme")
    for user in (alice, dave):
        factories.OrganizationMemberFactory(organization=acme, user=user, role="owner")
    services.project_visibility_set(project=moved, visibility="public", actor=alice)
    services.project_transfer(project=moved, organization=acme, actor=alice)
    services.project_visibility_set(project=moved, visibility="private", actor=dave)
    client.force_login(dave)

    recent = client.get(DASHBOARD).context["recent"]

    assert [(e.action, e.actor) for e in recent] == [
        ("project:visibility", dave),
        ("project:transfer", alice),
    ]
