"""createorg, orgmember, team and transferproject (issue 9): an administrator scripts
organizations with commands alone. Each command writes through its service, so each action is
one audit event recorded as the system's (``system (<OS user>)``); each refusal is a
CommandError with the service's message that writes nothing."""

import io
import shlex

import pytest
from django.core.management import CommandError, call_command

from access import Action, Principal, decide
from accounts.models import Organization, OrganizationMember, Team, TeamMember
from audit.models import ActorKind, Event
from projects.models import ProjectRole, TeamProjectRole
from tests import factories
from tokens.services import token_authenticate, token_issue


def run(command_line):
    out, err = io.StringIO(), io.StringIO()
    call_command(*shlex.split(command_line), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def system_event(action, **filters):
    """The one event of ``action``, checked to be the system's (a command's)."""
    event = Event.objects.get(action=action, **filters)
    assert event.actor is None
    assert event.actor_kind == ActorKind.SYSTEM
    assert event.actor_name.startswith("system (")
    return event


def refused(command_line, match):
    """Run ``command_line``, expecting a CommandError matching ``match`` that wrote nothing."""
    events = Event.objects.count()
    with pytest.raises(CommandError, match=match):
        run(command_line)
    assert Event.objects.count() == events


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
def bob(db):
    return factories.UserFactory(username="bob")


@pytest.fixture
def devs(acme, alice):
    team = factories.TeamFactory(organization=acme, name="devs")
    factories.TeamMemberFactory(team=team, user=alice)
    return team


@pytest.fixture
def acme_project(acme):
    return factories.ProjectFactory(name="Acme-Lib", organization=acme, visibility="private")


# createorg


def test_createorg_creates_organization_with_its_owner(bob):
    out, _ = run("createorg Acme_Corp --owner bob --default-visibility public")

    org = Organization.objects.get(normalized_name="acme-corp")
    assert (org.name, org.default_visibility, org.is_active) == ("Acme_Corp", "public", True)
    assert list(org.members.values_list("user__username", "role")) == [("bob", "owner")]
    assert system_event("organization:create").organization == org
    member_set = system_event("organization:member-set")
    assert member_set.data["user"] == "bob" and member_set.data["role"] == "owner"
    assert "Acme_Corp" in out and "bob" in out


def test_createorg_defaults_to_private(bob):
    run("createorg Acme --owner bob")

    assert Organization.objects.get(name="Acme").default_visibility == "private"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("Acme --owner nobody", "Unknown user 'nobody'"),
        ("Acme --owner Bob", "Unknown user 'Bob'"),  # usernames exactly
        ("ACME --owner bob", "conflicts with an existing organization"),  # normalized
        ("'  ' --owner bob", "must not be empty"),
        ("Beta --owner bob --default-visibility secret", "invalid choice"),
        ("Beta", "--owner"),
    ],
)
def test_createorg_refusals_write_nothing(acme, bob, args, message):
    refused(f"createorg {args}", message)

    assert list(Organization.objects.all()) == [acme]


def test_createorg_with_a_deactivated_owner_leaves_no_organization(bob):
    bob.is_active = False
    bob.save()

    refused("createorg Acme --owner bob", "deactivated")

    assert not Organization.objects.exists()


# orgmember


def test_orgmember_add_makes_a_member_by_default(acme, bob):
    out, _ = run("orgmember add ACME bob")

    assert OrganizationMember.objects.get(organization=acme, user=bob).role == "member"
    event = system_event("organization:member-set")
    assert event.organization == acme
    assert (event.data["user"], event.data["role"], event.data["previous"]) == (
        "bob",
        "member",
        None,
    )
    assert "bob" in out


def test_orgmember_add_with_a_role(acme, bob):
    run("orgmember add acme bob --role manager")

    assert OrganizationMember.objects.get(organization=acme, user=bob).role == "manager"


def test_orgmember_role_changes_a_members_role(acme, alice):
    out, _ = run("orgmember role acme alice --role owner")

    assert OrganizationMember.objects.get(organization=acme, user=alice).role == "owner"
    event = system_event("organization:member-set")
    assert (event.data["role"], event.data["previous"]) == ("owner", "member")
    assert "was member" in out


def test_orgmember_role_unchanged_records_nothing(acme, alice):
    out, _ = run("orgmember role acme alice --role member")

    assert "already member" in out
    assert not Event.objects.exists()


def test_orgmember_remove_takes_everything_of_the_organization(acme, alice, devs, acme_project):
    factories.ProjectRoleFactory(project=acme_project, user=alice, role="maintainer")
    personal = token_issue(user=alice, scopes=["read"], organization=acme, actor=None)
    Event.objects.all().delete()  # the retention sweep's right; only the command's event below

    run("orgmember remove acme alice")

    assert not OrganizationMember.objects.filter(organization=acme, user=alice).exists()
    assert not TeamMember.objects.filter(user=alice).exists()
    assert not ProjectRole.objects.filter(user=alice).exists()
    assert token_authenticate(personal.secret) is None
    event = system_event("organization:member-remove")
    assert event.data["teams"] == ["devs"]
    assert event.data["project_roles"] == ["acme-lib"]
    assert event.data["tokens_revoked"] == [personal.token.identifier]
    assert system_event("token:revoke").token == personal.token


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("remove acme owner", "at least one owner"),
        ("role acme owner --role member", "at least one owner"),
        ("add acme alice", r"already a member of 'Acme' \(member\)"),
        ("role acme bob --role manager", "'bob' is not a member of 'Acme'"),
        ("remove acme bob", "'bob' is not a member of 'Acme'"),
        ("role acme alice", "--role"),
        ("add acme bob --role admin", "invalid choice"),
        ("add nowhere bob", "Unknown organization 'nowhere'"),
        ("add acme nobody", "Unknown user 'nobody'"),
        ("promote acme bob", "invalid choice"),
    ],
)
def test_orgmember_refusals_write_nothing(acme, alice, bob, args, message):
    members = set(OrganizationMember.objects.values_list("user__username", "role"))

    refused(f"orgmember {args}", message)

    assert set(OrganizationMember.objects.values_list("user__username", "role")) == members


def test_orgmember_add_of_a_deactivated_user_is_refused(acme, bob):
    bob.is_active = False
    bob.save()

    refused("orgmember add acme bob", "deactivated")


# team


def test_team_create_add_remove_delete(acme, alice):
    run("team create acme devs")
    team = Team.objects.get(organization=acme, name="devs")
    assert system_event("team:create").organization == acme

    run("team add acme devs alice")
    assert list(team.users.all()) == [alice]
    assert system_event("team:member-add").data["user"] == "alice"

    run("team remove acme devs alice")
    assert not team.users.exists()
    assert system_event("team:member-remove").data["user"] == "alice"

    run("team delete acme devs")
    assert not Team.objects.exists()
    assert system_event("team:delete").data["team"] == "devs"


def test_team_grant_and_revoke_a_project_role(acme, devs, alice, acme_project):
    out, _ = run("team grant acme devs --project acme_lib --role maintainer")

    role = TeamProjectRole.objects.get(team=devs, project=acme_project)
    assert role.role == "maintainer"
    event = system_event("project:team-role-set")
    assert (event.project, event.organization) == (acme_project, acme)
    assert (event.data["team"], event.data["role"]) == ("devs", "maintainer")
    assert decide(Principal(user=alice), Action.UPLOAD, acme_project, surface=None)
    assert "maintainer" in out

    run("team revoke acme devs --project Acme-Lib")

    assert not TeamProjectRole.objects.exists()
    assert system_event("project:team-role-remove").project == acme_project


def test_team_delete_drops_its_project_roles(acme, devs, acme_project):
    factories.TeamProjectRoleFactory(team=devs, project=acme_project, role="reader")

    run("team delete acme devs")

    assert not TeamProjectRole.objects.exists()
    assert system_event("team:delete").data["project_roles"] == {"acme-lib": "reader"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("create acme devs", "already has a team 'devs'"),
        ("create acme '  '", "must not be empty"),
        ("add acme devs bob", "'bob' must be a member of 'Acme' to join its teams"),
        ("remove acme devs owner", "'owner' is not in the team 'devs'"),
        ("grant acme devs --project globex-app --role reader", "Only teams of the project's"),
        ("grant acme devs --project own-pkg --role reader", "Only teams of the project's"),
        ("grant acme devs --project acme-lib --role admin", "invalid choice"),
        ("grant acme devs --project acme-lib", "--role"),
        ("grant acme devs --role reader", "--project"),
        ("grant acme devs --project no-such --role reader", "Unknown project 'no-such'"),
        ("revoke acme devs --project acme-lib", "Team 'devs' has no role on 'Acme-Lib'"),
        ("add acme ghosts alice", "'Acme' has no team 'ghosts'"),
        ("add acme globex-team alice", "'Acme' has no team 'globex-team'"),
        ("delete nowhere devs", "Unknown organization 'nowhere'"),
        ("add acme devs nobody", "Unknown user 'nobody'"),
        ("add acme devs", "username"),
    ],
)
def test_team_refusals_write_nothing(acme, devs, bob, owner, acme_project, args, message):
    globex = factories.OrganizationFactory(name="globex")
    factories.TeamFactory(organization=globex, name="globex-team")
    factories.ProjectFactory(name="globex-app", organization=globex)
    own = factories.ProjectFactory(name="own-pkg")  # a user's project: no organization
    factories.ProjectRoleFactory(project=own, user=owner, role="owner")
    before = (
        set(Team.objects.values_list("organization__name", "name")),
        set(TeamMember.objects.values_list("team__name", "user__username")),
        TeamProjectRole.objects.count(),
    )

    refused(f"team {args}", message)

    assert before == (
        set(Team.objects.values_list("organization__name", "name")),
        set(TeamMember.objects.values_list("team__name", "user__username")),
        TeamProjectRole.objects.count(),
    )


# transferproject


def test_transferproject_into_an_organization_drops_personal_roles(acme, owner):
    project = factories.ProjectFactory(name="Own-Pkg")
    factories.ProjectRoleFactory(project=project, user=owner, role="owner")

    out, _ = run("transferproject own_pkg --org ACME")

    project.refresh_from_db()
    assert project.organization == acme
    assert not ProjectRole.objects.filter(project=project).exists()
    event = system_event("project:transfer")
    assert event.data["current"]["organization"] == "Acme"
    assert event.data["dropped_user_roles"] == {"owner": "owner"}
    assert "Acme" in out


def test_transferproject_to_a_user_makes_them_owner(acme, alice, devs, acme_project):
    factories.TeamProjectRoleFactory(team=devs, project=acme_project, role="reader")

    run("transferproject acme-lib --user alice")

    acme_project.refresh_from_db()
    assert acme_project.organization is None
    assert ProjectRole.objects.get(project=acme_project).user == alice
    assert not TeamProjectRole.objects.exists()
    assert system_event("project:transfer").data["dropped_team_roles"] == {"devs": "reader"}
    out = system_event("project:transfer-out")
    assert out.organization == acme and out.data["to"] == "user alice"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("acme-lib --org acme", "already belongs to 'Acme'"),
        ("no-such --org acme", "Unknown project 'no-such'"),
        ("acme-lib --org nowhere", "Unknown organization 'nowhere'"),
        ("acme-lib --user nobody", "Unknown user 'nobody'"),
        ("acme-lib", "one of the arguments --org --user is required"),
        ("acme-lib --org acme --user alice", "not allowed with"),
    ],
)
def test_transferproject_refusals_write_nothing(acme, alice, acme_project, args, message):
    refused(f"transferproject {args}", message)

    acme_project.refresh_from_db()
    assert acme_project.organization == acme


def test_transferproject_into_a_deactivated_organization_is_refused(acme, acme_project):
    factories.OrganizationFactory(name="Closed", is_active=False)

    refused("transferproject acme-lib --org closed", "deactivated")


# An administrator with commands alone


def test_administrator_scripts_an_organization_with_commands_alone(db):
    carol, dave, _ = (factories.UserFactory(username=n) for n in ("carol", "dave", "erin"))
    project = factories.ProjectFactory(name="Widget", visibility="private")
    factories.ProjectRoleFactory(project=project, user=carol, role="owner")

    run("createorg Initech --owner carol")
    run("orgmember add initech dave")
    run("orgmember add initech erin")
    run("transferproject widget --org initech")
    run("team create initech builders")
    run("team add initech builders dave")
    run("team grant initech builders --project widget --role maintainer")
    org_secret, org_err = run("createtoken --org-owned initech --scope read --name deploy")
    erin_secret, _ = run("createtoken erin --org initech --scope read")
    run("orgmember remove initech erin")

    project.refresh_from_db()
    org = Organization.objects.get(name="Initech")
    assert project.organization == org
    assert decide(Principal(user=dave), Action.UPLOAD, project, surface=None)
    # The leaver's personal token restricted to the organization is dead...
    assert token_authenticate(erin_secret.strip()) is None
    # ...the organization's own token is not, and reads its private project.
    org_token = token_authenticate(org_secret.strip())
    assert org_token is not None and org_token.user is None and org_token.organization == org
    assert org_token.identifier in org_err
    assert decide(Principal(token=org_token), Action.READ, project, surface=None)
    # Every step is in the trail, as the system's.
    for action, count in [
        ("organization:create", 1),
        ("organization:member-set", 3),  # carol (owner), dave, erin
        ("project:transfer", 1),
        ("team:create", 1),
        ("team:member-add", 1),
        ("project:team-role-set", 1),
        ("token:issue", 2),
        ("token:revoke", 1),
        ("organization:member-remove", 1),
    ]:
        events = Event.objects.filter(action=action)
        assert events.count() == count, action
        assert all(
            e.actor_kind == ActorKind.SYSTEM and e.actor_name.startswith("system (") for e in events
        ), action
    issued = Event.objects.get(action="token:issue", token=org_token)
    assert issued.organization == org and issued.data["organization_token"] is True
