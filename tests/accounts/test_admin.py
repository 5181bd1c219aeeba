"""The organization and team admins write through ``accounts.services``: every addition, change
and removal of an organization, member, team or team member leaves its event, and a refusal
(the last owner) shows as an error message and changes nothing. The user admin:
``test_user_admin.py``."""

from types import SimpleNamespace

import pytest

from accounts.models import Organization, Team
from audit.models import Event
from tests import factories
from tests.test_admin import add_row, admin_url, dump_database, form_data, resubmit


@pytest.fixture
def world(owner):
    org = factories.OrganizationFactory(name="Acme")
    member = factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    team = factories.TeamFactory(organization=org, name="devs")
    factories.TeamMemberFactory(team=team, user=owner)
    return SimpleNamespace(organization=org, member=member, team=team)


def actions(prefix=""):
    """(action, actor) of each event so far whose action starts with ``prefix``, oldest first."""
    events = Event.objects.filter(action__startswith=prefix).order_by("pk")
    return list(events.values_list("action", "actor__username"))


def test_admin_member_add_change_remove_record_events(admin_client, world, outsider):
    url = admin_url("accounts_organization", "change", world.organization.pk)

    assert add_row(admin_client, url, "members", user=outsider.pk, role="member").status_code == 302
    assert resubmit(admin_client, url, **{"members-1-role": "manager"}).status_code == 302
    assert world.organization.members.get(user=outsider).role == "manager"
    assert resubmit(admin_client, url, **{"members-1-DELETE": "on"}).status_code == 302

    assert not world.organization.members.filter(user=outsider).exists()
    assert actions() == [
        ("organization:member-set", "admin"),
        ("organization:member-set", "admin"),
        ("organization:member-remove", "admin"),
    ]


@pytest.mark.parametrize(
    "change", [{"members-0-DELETE": "on"}, {"members-0-role": "member"}], ids=["remove", "demote"]
)
def test_admin_refuses_to_leave_organization_without_owner(admin_client, world, outsider, change):
    url = admin_url("accounts_organization", "change", world.organization.pk)
    data = form_data(admin_client.get(url))
    data.update(change, default_visibility="public")  # the main form is rolled back too
    data["members-TOTAL_FORMS"] = 2
    data.update({"members-1-user": outsider.pk, "members-1-role": "manager"})
    snapshot = dump_database()

    response = admin_client.post(url, data, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "An organization needs at least one owner: make someone else owner first."
    ]
    assert dump_database() == snapshot
    world.member.refresh_from_db()
    assert world.member.role == "owner"


def test_admin_teams_add_rename_delete_record_events(admin_client, world):
    url = admin_url("accounts_organization", "change", world.organization.pk)

    assert add_row(admin_client, url, "teams", name="ops").status_code == 302
    assert resubmit(admin_client, url, **{"teams-0-name": "developers"}).status_code == 302
    assert resubmit(admin_client, url, **{"teams-0-DELETE": "on"}).status_code == 302

    assert list(world.organization.teams.values_list("name", flat=True)) == ["ops"]
    assert actions() == [
        ("team:create", "admin"),
        ("team:rename", "admin"),
        ("team:delete", "admin"),
    ]


def test_admin_team_member_add_remove_record_events(admin_client, world, outsider):
    url = admin_url("accounts_team", "change", world.team.pk)
    factories.OrganizationMemberFactory(organization=world.organization, user=outsider)

    assert add_row(admin_client, url, "memberships", user=outsider.pk).status_code == 302
    assert world.team.memberships.filter(user=outsider).exists()
    assert resubmit(admin_client, url, **{"memberships-1-DELETE": "on"}).status_code == 302

    assert not world.team.memberships.filter(user=outsider).exists()
    assert actions() == [
        ("team:member-add", "admin"),
        ("team:member-remove", "admin"),
    ]


def test_admin_team_member_must_belong_to_the_organization(admin_client, world, outsider):
    url = admin_url("accounts_team", "change", world.team.pk)

    response = add_row(admin_client, url, "memberships", user=outsider.pk, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "'outsider' must be a member of 'Acme' to join its teams."
    ]
    assert not world.team.memberships.filter(user=outsider).exists()
    assert actions() == []


def test_admin_adds_organization_with_its_owner(admin_client, outsider):
    response = admin_client.post(
        admin_url("accounts_organization", "add"),
        {
            "name": "Beta_Corp",
            "default_visibility": "public",
            "is_active": "on",
            "members-TOTAL_FORMS": 1,
            "members-INITIAL_FORMS": 0,
            "members-0-user": outsider.pk,
            "members-0-role": "owner",
            "teams-TOTAL_FORMS": 1,
            "teams-INITIAL_FORMS": 0,
            "teams-0-name": "core",
        },
    )

    assert response.status_code == 302
    org = Organization.objects.get(normalized_name="beta-corp")
    assert org.members.get().user == outsider
    assert list(org.teams.values_list("name", flat=True)) == ["core"]
    assert actions() == [
        ("organization:create", "admin"),
        ("organization:member-set", "admin"),
        ("team:create", "admin"),
    ]


def test_admin_deactivates_organization_through_service(admin_client, world):
    url = admin_url("accounts_organization", "change", world.organization.pk)
    data = form_data(admin_client.get(url))
    del data["is_active"]  # an unticked checkbox is not sent

    assert admin_client.post(url, data).status_code == 302

    world.organization.refresh_from_db()
    assert not world.organization.is_active
    event = Event.objects.get(action="organization:update")
    assert event.data["current"] == {"is_active": False}


def test_admin_deletes_an_organization_only_once_it_owns_no_project(admin_client, world):
    project = factories.ProjectFactory(name="widget", organization=world.organization)
    url = admin_url("accounts_organization", "delete", world.organization.pk)
    snapshot = dump_database()

    response = admin_client.post(url, {"post": "yes"}, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert any("still owns 1 project(s) (widget)" in m for m in messages)
    assert dump_database() == snapshot
    project.delete()
    admin_client.post(url, {"post": "yes"})
    assert not Organization.objects.filter(pk=world.organization.pk).exists()
    assert actions("organization:delete") == [("organization:delete", "admin")]


def test_admin_team_add_and_delete_go_through_services(admin_client, world):
    response = admin_client.post(
        admin_url("accounts_team", "add"),
        {
            "organization": world.organization.pk,
            "name": "ops",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    ops = Team.objects.get(name="ops")

    admin_client.post(admin_url("accounts_team", "delete", ops.pk), {"post": "yes"})
    admin_client.post(
        admin_url("accounts_team", "changelist"),
        {"action": "delete_selected", "_selected_action": [world.team.pk], "post": "yes"},
    )

    assert not Team.objects.exists()
    assert actions("team:") == [
        ("team:create", "admin"),
        ("team:delete", "admin"),
        ("team:delete", "admin"),
    ]


def test_admin_team_cannot_move_to_another_organization(admin_client, world):
    other = factories.OrganizationFactory(name="Other")
    url = admin_url("accounts_team", "change", world.team.pk)

    resubmit(admin_client, url, organization=other.pk)

    world.team.refresh_from_db()
    assert world.team.organization == world.organization


def test_admin_refuses_an_organization_without_an_owner(admin_client, outsider):
    snapshot = dump_database()
    response = admin_client.post(
        admin_url("accounts_organization", "add"),
        {
            "name": "Ownerless",
            "default_visibility": "private",
            "is_active": "on",
            "members-TOTAL_FORMS": 1,
            "members-INITIAL_FORMS": 0,
            "members-0-user": outsider.pk,
            "members-0-role": "member",
            "teams-TOTAL_FORMS": 0,
            "teams-INITIAL_FORMS": 0,
        },
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "An organization needs at least one owner: add one." in messages
    assert dump_database() == snapshot
