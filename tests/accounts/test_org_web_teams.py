"""Teams through the web UI (issue 9): owners and managers create and delete teams, add and
remove their members (members of the organization only: the service refuses anyone else)
and grant or revoke a team's role on the organization's projects (only those are offered;
a forged post naming another project is refused)."""

from __future__ import annotations

import pytest
from django.test import Client

from access import Action, Principal, Surface, decide
from accounts.models import Team, TeamMember
from audit.models import Event
from projects.models import TeamProjectRole
from tests import factories
from tests.accounts.test_org_web_pages import make_scene, url


@pytest.fixture
def scene(cast):
    return make_scene(cast)


@pytest.fixture
def manager(cast):
    return cast.user("org_manager")


@pytest.fixture
def manager_client(client, manager, scene):
    client.force_login(manager)
    return client


def test_manager_creates_and_deletes_a_team(manager_client, manager, scene):
    created = manager_client.post(url("team-create", "acme"), {"name": "release"})
    team = Team.objects.get(organization=scene.org, name="release")
    deleted = manager_client.post(url("team-delete", "acme", team.pk))

    assert created.status_code == deleted.status_code == 302
    assert not Team.objects.filter(name="release").exists()
    assert Event.objects.get(action="team:create").actor == manager
    assert Event.objects.get(action="team:delete").actor == manager


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [("devs", 409, "already has a team 'devs'"), ("", 400, "required"), ("x" * 101, 400, "100")],
)
def test_refused_team_name_is_shown_on_the_page(manager_client, scene, name, status, message):
    response = manager_client.post(url("team-create", "acme"), {"name": name})

    assert response.status_code == status
    assert message in response.context["error"]
    assert Team.objects.filter(organization=scene.org).count() == 1


def test_manager_adds_and_removes_a_team_member(manager_client, manager, scene):
    added = manager_client.post(
        url("team-member-add", "acme", scene.team.pk), {"username": "extra"}
    )
    page = manager_client.get(url("detail", "acme"))
    removed = manager_client.post(url("team-member-remove", "acme", scene.team.pk, "extra"))

    assert added.status_code == removed.status_code == 302
    [team] = page.context["teams"]
    assert [m.user.username for m in team.memberships.all()] == ["extra", "org_member"]
    assert not TeamMember.objects.filter(team=scene.team, user=scene.extra).exists()
    assert Event.objects.get(action="team:member-add").actor == manager
    assert Event.objects.get(action="team:member-remove").target == "user:extra"


def test_team_member_add_of_a_non_member_is_refused_with_the_services_message(
    manager_client, cast, scene
):
    cast.ensure("outsider")
    events = Event.objects.count()

    response = manager_client.post(
        url("team-member-add", "acme", scene.team.pk), {"username": "outsider"}
    )

    assert response.status_code == 400
    assert response.context["error"] == ("'outsider' must be a member of 'acme' to join its teams.")
    assert not TeamMember.objects.filter(user=cast.user("outsider")).exists()
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("form", "status"),
    [("team-member-add", 400), ("team-member-remove", 404)],
)
def test_unknown_team_member_is_refused(manager_client, scene, form, status):
    path = (
        url(form, "acme", scene.team.pk)
        if form == "team-member-add"
        else url(form, "acme", scene.team.pk, "extra")
    )

    response = manager_client.post(path, {"username": "nobody"})

    assert response.status_code == status
    assert response.context["error"]


def test_team_of_another_organization_is_not_found_here(manager_client, cast, scene):
    foreign = factories.TeamFactory(organization=cast.other_org, name="theirs")

    response = manager_client.post(url("team-delete", "acme", foreign.pk))

    assert response.status_code == 404
    assert response.context["error"] == "No such team."
    assert Team.objects.filter(pk=foreign.pk).exists()


def test_manager_grants_and_revokes_a_teams_role_on_an_org_project(manager_client, manager, scene):
    granted = manager_client.post(
        url("team-role-set", "acme", scene.team.pk), {"project": "acme-app", "role": "maintainer"}
    )
    role = TeamProjectRole.objects.get(team=scene.team, project=scene.project).role
    revoked = manager_client.post(url("team-role-remove", "acme", scene.team.pk, "acme-app"))

    assert granted.status_code == revoked.status_code == 302
    assert role == "maintainer"
    assert not TeamProjectRole.objects.filter(team=scene.team).exists()
    event = Event.objects.get(action="project:team-role-set")
    assert (event.actor, event.project, event.data["role"], event.data["previous"]) == (
        manager,
        scene.project,
        "maintainer",
        "reader",
    )
    assert Event.objects.get(action="project:team-role-remove").actor == manager


def test_only_the_organizations_projects_are_offered(manager_client, cast, scene):
    factories.ProjectFactory(name="globex-app", organization=cast.other_org, visibility="public")
    factories.ProjectFactory(name="loose", visibility="public")

    page = manager_client.get(url("detail", "acme"))

    assert [p.name for p in page.context["projects"]] == ["acme-app"]
    assert b'<option value="acme-app">' in page.content
    assert b"globex-app" not in page.content
    assert b"loose" not in page.content


def test_forged_post_naming_another_organizations_project_is_refused(manager_client, cast, scene):
    """A project the manager may read (public, of Globex) is refused by the service; one they
    may not read reads as a name that does not exist."""
    factories.ProjectFactory(name="globex-app", organization=cast.other_org, visibility="public")
    factories.ProjectFactory(name="globex-secret", organization=cast.other_org)
    events = Event.objects.count()

    def grant(project):
        return manager_client.post(
            url("team-role-set", "acme", scene.team.pk), {"project": project, "role": "owner"}
        )

    readable, hidden, unknown = grant("globex-app"), grant("globex-secret"), grant("no-such")

    assert readable.status_code == hidden.status_code == unknown.status_code == 400
    assert readable.context["error"] == (
        "Only teams of the project's organization can hold roles on it."
    )
    assert hidden.context["error"] == "No project is named 'globex-secret'."
    assert unknown.context["error"] == "No project is named 'no-such'."
    assert TeamProjectRole.objects.filter(team=scene.team).count() == 1  # acme-app's
    assert Event.objects.count() == events


def test_revoking_a_role_the_team_does_not_have_is_refused(manager_client, scene):
    manager_client.post(url("team-role-remove", "acme", scene.team.pk, "acme-app"))

    again = manager_client.post(url("team-role-remove", "acme", scene.team.pk, "acme-app"))

    assert again.status_code == 404
    assert "has no role on" in again.context["error"]


def test_team_role_is_what_the_policy_reads(manager_client, cast, scene):
    """What the page grants is what ``access`` reads: devs, readers of acme-app, become its
    maintainers and may yank its releases."""

    def may_yank():
        member = Principal(user=cast.user("org_member"))
        return bool(decide(member, Action.YANK, scene.project, surface=Surface.WEB))

    before = may_yank()
    manager_client.post(
        url("team-role-set", "acme", scene.team.pk), {"project": "acme-app", "role": "maintainer"}
    )

    assert (before, may_yank()) == (False, True)


def test_member_sees_teams_but_no_team_forms(client, cast, scene):
    client.force_login(cast.user("org_member"))

    page = client.get(url("detail", "acme"))

    assert page.context["can_manage_teams"] is False
    assert b"devs" in page.content
    assert b"Create team" not in page.content
    member = Client()
    member.force_login(cast.user("org_member"))
    assert member.post(url("team-create", "acme"), {"name": "ops"}).status_code == 403
