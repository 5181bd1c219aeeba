"""Teams and their members (``accounts.services.teams``): each write, the rule that a team's
members belong to its organization, and the event recorded."""

from accounts.models import OrganizationMember, Team, TeamMember
from accounts.services import (
    team_create,
    team_delete,
    team_member_add,
    team_member_remove,
    team_rename,
)
from audit.models import Event
from tests import factories
from tests.accounts.services.expect import only_event, refused


def test_team_create_rename_delete_record_events(acme, alice, admin):
    project = factories.ProjectFactory(name="Acme-Lib", organization=acme)
    team = team_create(organization=acme, name=" devs ", actor=admin)
    team_member_add(team=team, user=alice, actor=admin)
    factories.TeamProjectRoleFactory(project=project, team=team, role="maintainer")

    team_rename(team=team, name="developers", actor=admin)
    assert Team.objects.get(pk=team.pk).name == "developers" == team.name
    team_delete(team=team, actor=admin)

    assert not Team.objects.filter(organization=acme).exists()
    assert OrganizationMember.objects.filter(organization=acme, user=alice).exists()
    assert only_event("team:create").data == {"organization": "Acme", "team": "devs"}
    assert only_event("team:rename").data == {
        "organization": "Acme",
        "team": "developers",
        "previous": "devs",
    }
    assert only_event("team:delete").data == {
        "organization": "Acme",
        "team": "developers",
        "members": ["alice"],
        "project_roles": {"acme-lib": "maintainer"},
    }
    assert set(Event.objects.values_list("actor", flat=True)) == {admin.pk}


def test_team_names_are_unique_in_an_organization(acme, devs):
    with refused(409, "already has a team 'devs'"):
        team_create(organization=acme, name="devs", actor=None)
    ops = team_create(organization=acme, name="ops", actor=None)
    with refused(409, "already has a team 'devs'"):
        team_rename(team=ops, name="devs", actor=None)
    team_create(organization=factories.OrganizationFactory(), name="devs", actor=None)


def test_team_rename_to_same_name_records_nothing(devs):
    team_rename(team=devs, name="devs", actor=None)
    assert not Event.objects.exists()


def test_team_member_add_and_remove_record_events(acme, owner, devs, admin):
    team_member_add(team=devs, user=owner, actor=admin)
    team_member_add(team=devs, user=owner, actor=admin)  # already in: nothing new
    assert devs.memberships.filter(user=owner).count() == 1
    team_member_remove(team=devs, user=owner, actor=admin)

    assert not devs.memberships.filter(user=owner).exists()
    expected = {"organization": "Acme", "team": "devs", "user": "owner"}
    assert only_event("team:member-add").data == expected
    assert only_event("team:member-remove").data == expected


def test_team_member_must_belong_to_the_organization(devs, outsider):
    with refused(400, "must be a member of 'Acme'"):
        team_member_add(team=devs, user=outsider, actor=None)
    assert not TeamMember.objects.filter(user=outsider).exists()


def test_team_member_remove_refuses_non_member(devs, owner):
    with refused(404, "not in the team"):
        team_member_remove(team=devs, user=owner, actor=None)
