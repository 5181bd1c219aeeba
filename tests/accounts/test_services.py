"""accounts.services: each write, the invariant it keeps and the event it records."""

import contextlib

import pytest

from accounts.models import Organization, OrganizationMember, Team, TeamMember, User
from accounts.services import (
    AccountError,
    organization_create,
    organization_member_remove,
    organization_member_set,
    organization_update,
    team_create,
    team_delete,
    team_member_add,
    team_member_remove,
    team_rename,
    user_create,
)
from audit.models import Event
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


def only_event(action):
    """The one event recorded for ``action``."""
    return Event.objects.get(action=action)


@contextlib.contextmanager
def refused(status, match):
    """Expect an AccountError with ``status`` whose message matches ``match``, and no event."""
    events = Event.objects.count()
    with pytest.raises(AccountError, match=match) as info:
        yield info
    assert info.value.status == status
    assert Event.objects.count() == events


# Users


def test_user_create_records_event(admin):
    user = user_create(
        username=" bob ", email="bob@EXAMPLE.org", password="a long passphrase", actor=admin
    )

    assert (user.username, user.email) == ("bob", "bob@example.org")
    assert user.check_password("a long passphrase") and user.is_active
    event = only_event("user:create")
    assert event.actor == admin
    assert event.data == {
        "user": "bob",
        "is_staff": False,
        "is_superuser": False,
        "usable_password": True,
    }
    assert "a long passphrase" not in str(event.data)


def test_user_create_without_password_is_unusable_and_superuser_implies_staff(db):
    user = user_create(username="root", email="", password=None, is_superuser=True, actor=None)

    assert not user.has_usable_password()
    assert user.is_staff and user.is_superuser
    assert only_event("user:create").actor is None


@pytest.mark.parametrize("username", ["owner", "OWNER"])
def test_user_create_refuses_taken_username_in_any_case(owner, username):
    with refused(409, "User 'owner' already exists"):
        user_create(username=username, email="x@example.org", password=None, actor=None)


@pytest.mark.parametrize(
    ("username", "email", "match"),
    [
        ("  ", "a@example.org", "must not be empty"),
        ("has space", "a@example.org", "not a valid username"),
        ("alice", "not-an-email", "not a valid email"),
    ],
)
def test_user_create_refuses_invalid_input(db, username, email, match):
    with refused(400, match):
        user_create(username=username, email=email, password=None, actor=None)
    assert not User.objects.exists()


# Organizations


def test_organization_create_normalizes_and_records_event(admin):
    org = organization_create(name="Acme_Corp", default_visibility="public", actor=admin)

    assert (org.normalized_name, org.default_visibility, org.is_active) == (
        "acme-corp",
        "public",
        True,
    )
    assert not org.members.exists()
    event = only_event("organization:create")
    assert event.actor == admin
    assert event.data == {"organization": "Acme_Corp", "default_visibility": "public"}


@pytest.mark.parametrize(
    ("name", "visibility", "status", "match"),
    [
        ("acme", "private", 409, "conflicts"),
        ("ACME", "private", 409, "conflicts"),  # the same normalized name
        ("", "private", 400, "must not be empty"),
        ("x" * 101, "private", 400, "at most 100"),
        ("Beta", "secret", 400, "Visibility must be one of"),
    ],
)
def test_organization_create_refusals(acme, name, visibility, status, match):
    with refused(status, match):
        organization_create(name=name, default_visibility=visibility, actor=None)
    assert Organization.objects.count() == 1


def test_organization_update_records_previous_and_current(acme, admin):
    organization_update(
        organization=acme,
        name="Acme_Inc",
        is_active=False,
        default_visibility="private",
        actor=admin,
    )

    acme.refresh_from_db()
    assert (acme.name, acme.normalized_name, acme.is_active) == ("Acme_Inc", "acme-inc", False)
    event = only_event("organization:update")
    assert event.actor == admin
    # default_visibility was already private: not a change.
    assert event.data == {
        "organization": "Acme_Inc",
        "previous": {"name": "Acme", "is_active": True},
        "current": {"name": "Acme_Inc", "is_active": False},
    }


def test_organization_update_compares_with_the_stored_row(acme):
    acme.is_active = False  # as the admin's form leaves the instance before save_model

    organization_update(organization=acme, is_active=False, actor=None)

    assert only_event("organization:update").data["previous"] == {"is_active": True}
    acme.refresh_from_db()
    assert not acme.is_active


def test_organization_update_without_change_records_nothing(acme):
    organization_update(organization=acme, name="Acme", default_visibility="private", actor=None)
    assert not Event.objects.exists()


def test_organization_update_refuses_taken_name(acme):
    other = factories.OrganizationFactory(name="Other")
    with refused(409, "conflicts"):
        organization_update(organization=other, name="ACME", actor=None)
    other.refresh_from_db()
    assert other.name == "Other"


# Organization members


def test_member_set_adds_then_changes_role(acme, outsider, admin):
    member = organization_member_set(organization=acme, user=outsider, role="member", actor=admin)
    organization_member_set(organization=acme, user=outsider, role="manager", actor=admin)

    member.refresh_from_db()
    assert member.role == "manager"
    events = Event.objects.filter(action="organization:member-set").order_by("pk")
    assert [(e.data["previous"], e.data["role"]) for e in events] == [
        (None, "member"),
        ("member", "manager"),
    ]
    assert {e.actor for e in events} == {admin}
    assert events[0].data["organization"] == "Acme" and events[0].data["user"] == "outsider"


def test_member_set_same_role_records_nothing(acme, owner):
    organization_member_set(organization=acme, user=owner, role="owner", actor=None)
    assert not Event.objects.exists()


def test_member_set_refuses_unknown_role(acme, outsider):
    with refused(400, "Role must be one of"):
        organization_member_set(organization=acme, user=outsider, role="admin", actor=None)


def test_member_set_refuses_demoting_last_owner(acme, owner):
    with refused(409, "at least one owner"):
        organization_member_set(organization=acme, user=owner, role="manager", actor=None)
    assert acme.members.get(user=owner).role == "owner"


def test_member_set_demotes_an_owner_when_another_remains(acme, owner, alice):
    organization_member_set(organization=acme, user=alice, role="owner", actor=None)
    organization_member_set(organization=acme, user=owner, role="member", actor=None)
    assert acme.members.get(user=owner).role == "member"


def test_member_remove_leaves_the_organizations_teams(acme, alice, devs, admin):
    other_team = factories.TeamFactory(name="elsewhere")  # another organization's team
    factories.TeamMemberFactory(team=other_team, user=alice)

    organization_member_remove(organization=acme, user=alice, actor=admin)

    assert not acme.members.filter(user=alice).exists()
    assert not devs.memberships.exists()
    assert other_team.memberships.filter(user=alice).exists()
    event = only_event("organization:member-remove")
    assert event.actor == admin
    assert event.data == {
        "organization": "Acme",
        "user": "alice",
        "role": "member",
        "teams": ["devs"],
    }


def test_member_remove_refuses_last_owner(acme, owner):
    with refused(409, "at least one owner"):
        organization_member_remove(organization=acme, user=owner, actor=None)
    assert acme.members.filter(user=owner, role="owner").exists()


def test_member_remove_refuses_non_member(acme, outsider):
    with refused(404, "not a member"):
        organization_member_remove(organization=acme, user=outsider, actor=None)


# Teams


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
