"""Organizations and their members (``accounts.services.organizations``): each write, the
last-owner rule and the event recorded."""

import pytest

from accounts.models import Organization
from accounts.services import (
    organization_create,
    organization_member_remove,
    organization_member_set,
    organization_update,
)
from audit.models import Event
from tests import factories
from tests.accounts.services.expect import only_event, refused


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
        "invitations_withdrawn": [],
        "project_roles": [],
        "tokens_revoked": [],
    }


def test_member_remove_takes_their_project_roles_and_organization_tokens(acme, alice, admin):
    from projects.models import ProjectRole
    from tokens.models import Token
    from tokens.services import token_issue

    theirs = factories.ProjectFactory(name="acme-lib", organization=acme)
    personal = factories.ProjectFactory(name="alice-lib")
    factories.ProjectRoleFactory(project=theirs, user=alice, role="owner")
    factories.ProjectRoleFactory(project=personal, user=alice, role="owner")
    org_token = token_issue(user=alice, scopes=["upload"], organization=acme, actor=None).token
    own_token = token_issue(user=alice, scopes=["read"], actor=None).token

    organization_member_remove(organization=acme, user=alice, actor=admin)

    assert not ProjectRole.objects.filter(project=theirs, user=alice).exists()
    assert ProjectRole.objects.filter(project=personal, user=alice).exists()
    assert Token.objects.get(pk=org_token.pk).revoked is not None
    assert Token.objects.get(pk=own_token.pk).revoked is None
    event = Event.objects.get(action="organization:member-remove")
    assert event.data["project_roles"] == ["acme-lib"]
    assert event.data["tokens_revoked"] == [org_token.identifier]


def test_member_remove_refuses_last_owner(acme, owner):
    with refused(409, "at least one owner"):
        organization_member_remove(organization=acme, user=owner, actor=None)
    assert acme.members.filter(user=owner, role="owner").exists()


def test_member_remove_refuses_non_member(acme, outsider):
    with refused(404, "not a member"):
        organization_member_remove(organization=acme, user=outsider, actor=None)
