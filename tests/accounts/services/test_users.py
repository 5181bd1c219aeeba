"""Users (``accounts.services.users``): creating, changing, setting a password and deleting;
the event each records (never a password) and the owners a deletion keeps."""

import pytest

from accounts.models import OrganizationMember, User
from accounts.services import (
    AccountError,
    user_create,
    user_delete,
    user_password_set,
    user_permissions_set,
    user_update,
)
from audit.models import Event
from projects.services import project_role_set
from tests import factories
from tests.accounts.services.expect import only_event, refused
from tests.principals import PASSWORD
from tests.projects.services.test_roles import held_in_another_transaction
from tokens.models import Token
from tokens.services import token_issue


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


# Changing a user


def test_user_update_records_changed_fields_and_flag_values(alice, admin):
    user_update(
        user=alice,
        actor=admin,
        email="Alice@EXAMPLE.org",
        first_name="Alice",
        last_name="",  # already empty: not a change
        is_staff=True,
        is_active=True,  # already active
    )

    alice.refresh_from_db()
    assert (alice.email, alice.first_name, alice.is_staff) == ("Alice@example.org", "Alice", True)
    event = only_event("user:update")
    assert event.actor == admin
    # The email and names are named, not recorded; the flags' values are.
    assert event.data == {
        "user": "alice",
        "fields": ["email", "first_name", "is_staff"],
        "previous": {"is_staff": False},
        "current": {"is_staff": True},
    }


def test_user_update_without_change_records_nothing(alice):
    user_update(
        user=alice,
        actor=None,
        email=alice.email,
        first_name="",
        is_active=True,
        is_staff=False,
        is_superuser=False,
    )
    assert not Event.objects.exists()


def test_user_update_compares_with_the_stored_row(alice):
    alice.is_staff = True  # as the admin's form leaves the instance before save_model

    user_update(user=alice, actor=None, is_staff=True)

    assert only_event("user:update").data["previous"] == {"is_staff": False}
    assert User.objects.get(pk=alice.pk).is_staff


def test_user_update_superuser_is_also_staff(alice):
    user_update(user=alice, actor=None, is_superuser=True)

    assert alice.is_staff and alice.is_superuser  # the instance too
    alice.refresh_from_db()
    assert alice.is_staff and alice.is_superuser
    assert only_event("user:update").data["current"] == {"is_staff": True, "is_superuser": True}


def test_user_update_refuses_taking_staff_from_a_superuser(admin):
    with refused(400, "a superuser is also staff"):
        user_update(user=admin, actor=None, is_staff=False)
    admin.refresh_from_db()
    assert admin.is_staff

    user_update(user=admin, actor=None, is_staff=False, is_superuser=False)
    admin.refresh_from_db()
    assert not (admin.is_staff or admin.is_superuser)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"email": "not-an-email"}, "not a valid email"),
        ({"first_name": "x" * 151}, "first name must be at most 150"),
        ({"last_name": "x" * 151}, "last name must be at most 150"),
    ],
)
def test_user_update_refuses_invalid_input(alice, change, match):
    with refused(400, match):
        user_update(user=alice, actor=None, **change)
    alice.refresh_from_db()
    assert (alice.email, alice.first_name) == ("alice@example.org", "")


def test_user_deactivation_keeps_memberships_even_of_a_last_owner(acme, owner, devs):
    user_update(user=owner, actor=None, is_active=False)

    owner.refresh_from_db()
    assert not owner.is_active
    assert acme.members.filter(user=owner, role="owner").exists()
    assert only_event("user:update").data == {
        "user": "owner",
        "fields": ["is_active"],
        "previous": {"is_active": True},
        "current": {"is_active": False},
    }


# Setting a password


def test_user_password_set_records_event_without_the_password(alice, admin):
    user_password_set(user=alice, password="a new long passphrase", actor=admin)

    alice.refresh_from_db()
    assert alice.check_password("a new long passphrase")
    event = only_event("user:password-set")
    assert event.actor == admin
    assert event.data == {"user": "alice", "usable_password": True}
    assert "a new long passphrase" not in str(event.data)


def test_user_password_set_none_makes_it_unusable(alice):
    user_password_set(user=alice, password=None, actor=None)

    alice.refresh_from_db()
    assert not alice.has_usable_password()
    assert only_event("user:password-set").data == {"user": "alice", "usable_password": False}


@pytest.mark.parametrize(
    ("password", "match"),
    [("short", "This password is too short"), ("password", "This password is too common")],
)
def test_user_password_set_runs_the_password_validators(alice, password, match):
    with refused(400, match):
        user_password_set(user=alice, password=password, actor=None)
    alice.refresh_from_db()
    assert alice.check_password("correct horse battery")  # the factory's


# Deleting a user


def test_user_delete_records_what_the_user_had(acme, alice, devs, admin):
    project = factories.ProjectFactory(name="Acme-Lib", organization=acme)
    factories.ProjectRoleFactory(project=project, user=alice, role="owner")  # acme's owners too
    token = token_issue(user=alice, scopes=["read"], name="ci", actor=None).token

    user_delete(user=alice, actor=admin)

    assert not User.objects.filter(username="alice").exists()
    assert not OrganizationMember.objects.filter(organization=acme, user__username="alice")
    assert not devs.memberships.exists() and not Token.objects.filter(pk=token.pk).exists()
    event = only_event("user:delete")
    assert event.actor == admin
    assert event.data == {
        "user": "alice",
        "organizations": {"Acme": "member"},
        "teams": ["Acme/devs"],
        "project_roles": {"acme-lib": "owner"},
        "tokens": [token.identifier],
    }
    # The event of the token's issue stays, without the token.
    assert only_event("token:issue").token is None


def test_user_delete_refuses_the_last_owner_of_an_active_organization(acme, owner):
    with refused(409, r"'owner' is the last owner of the organization 'Acme': make someone"):
        user_delete(user=owner, actor=None)
    assert acme.members.filter(user=owner, role="owner").exists()


def test_user_delete_refuses_the_last_owner_of_a_project_without_organization(owner):
    factories.ProjectRoleFactory(project=factories.ProjectFactory(name="Lib"), user=owner)

    with refused(409, r"'owner' is the last owner of the project 'Lib': make someone"):
        user_delete(user=owner, actor=None)
    assert User.objects.filter(pk=owner.pk).exists()


def test_user_delete_keeps_the_last_owner_of_a_deactivated_organization(acme, owner):
    # Reactivating it would leave an organization without an owner (issue 9).
    acme.is_active = False
    acme.save()
    with refused(409, "the organization 'Acme'"):
        user_delete(user=owner, actor=None)


@pytest.mark.parametrize("target", ["superuser", "staff member"])
def test_staff_cannot_take_over_a_more_powerful_account(db, target):
    flags = {"is_staff": True, "is_superuser": target == "superuser"}
    victim = factories.UserFactory(**flags)
    staff = factories.UserFactory(is_staff=True)
    with refused(403, f"Only superusers may set the password of a {target}."):
        user_password_set(user=victim, password="a much longer pass phrase 42", actor=staff)
    with refused(403, f"Only superusers may change a {target}."):
        user_update(user=victim, email="mine@example.org", actor=staff)
    with refused(403, f"Only superusers may delete a {target}."):
        user_delete(user=victim, actor=staff)
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD) and victim.email != "mine@example.org"
    # Their own account, and ordinary users, stay theirs to change.
    user_password_set(user=staff, password="a much longer pass phrase 42", actor=staff)
    ordinary = factories.UserFactory()
    user_update(user=ordinary, email="new@example.org", actor=staff)


def test_user_delete_refusal_names_every_organization_and_project(acme, owner):
    factories.ProjectRoleFactory(project=factories.ProjectFactory(name="Lib"), user=owner)
    beta = factories.OrganizationFactory(name="Beta")
    factories.OrganizationMemberFactory(organization=beta, user=owner, role="owner")

    with refused(409, "the organization 'Acme', the organization 'Beta' and the project 'Lib'"):
        user_delete(user=owner, actor=None)


def test_user_delete_allows_an_organization_owner_who_is_not_the_last(acme, owner):
    factories.OrganizationMemberFactory(organization=acme, role="owner")

    user_delete(user=owner, actor=None)

    assert not User.objects.filter(pk=owner.pk).exists()
    assert only_event("user:delete").data["organizations"] == {"Acme": "owner"}


@pytest.mark.parametrize("situation", ["another owner", "organization's project"])
def test_user_delete_allows_a_project_owner_who_is_not_the_last(owner, situation):
    project = factories.ProjectFactory(name="Lib")
    factories.ProjectRoleFactory(project=project, user=owner, role="owner")
    if situation == "another owner":
        factories.ProjectRoleFactory(project=project, role="owner")
    else:  # the organization's owners manage it
        project.organization = factories.OrganizationFactory()
        project.save()

    user_delete(user=owner, actor=None)

    assert not User.objects.filter(pk=owner.pk).exists()
    assert only_event("user:delete").data["project_roles"] == {"lib": "owner"}


def test_user_delete_of_oneself_leaves_an_event_without_actor(alice):
    user_delete(user=alice, actor=alice)

    event = only_event("user:delete")
    assert event.actor is None and event.data["user"] == "alice"


@pytest.mark.django_db(transaction=True)
def test_user_delete_waits_for_a_concurrent_demotion_of_the_other_project_owner(db):
    project = factories.ProjectFactory(name="Shared")
    first, second = factories.UserFactory(), factories.UserFactory()
    for user in (first, second):
        factories.ProjectRoleFactory(project=project, user=user, role="owner")

    def demote_first():
        project_role_set(project=project, user=first, role="reader", actor=None)

    with (
        held_in_another_transaction(demote_first),
        pytest.raises(AccountError, match="last owner of the project 'Shared'") as refusal,
    ):
        user_delete(user=second, actor=None)

    assert refusal.value.status == 409
    assert User.objects.filter(pk=second.pk).exists()
    assert not Event.objects.filter(action="user:delete").exists()


def test_user_delete_refuses_a_user_who_holds_namespaces(db):
    from namespaces.services import namespace_grant

    holder = factories.UserFactory(username="holder")
    namespace_grant(name="holder-tools", user=holder, actor=None)

    with refused(409, r"'holder' holds the namespace 'holder-tools': revoke it first"):
        user_delete(user=holder, actor=None)
    assert User.objects.filter(pk=holder.pk).exists()


@pytest.mark.parametrize(
    "change", [{"is_staff": True}, {"is_superuser": True}], ids=["staff", "superuser"]
)
def test_only_superusers_grant_staff_or_superuser_status(db, change):
    staff = factories.UserFactory(username="staffer", is_staff=True)
    target = factories.UserFactory(username="target")
    with refused(403, "Only superusers may grant or take away staff or superuser status"):
        user_update(user=target, actor=staff, **change)
    with refused(403, "Only superusers may"):
        user_update(user=staff, actor=staff, is_superuser=True)  # not themselves either
    target.refresh_from_db()
    assert not target.is_staff and not target.is_superuser
    boss = factories.UserFactory(username="boss", is_staff=True, is_superuser=True)
    user_update(user=target, actor=boss, **change)
    user_update(user=factories.UserFactory(), actor=None, is_staff=True)  # a command


def test_only_superusers_change_permissions(db):
    from django.contrib.auth.models import Permission

    staff = factories.UserFactory(username="staffer", is_staff=True)
    perm = Permission.objects.get(codename="change_user")
    with refused(403, "Only superusers may change groups or permissions"):
        user_permissions_set(user=staff, permissions=[perm], actor=staff)
    assert not staff.user_permissions.exists()
    boss = factories.UserFactory(username="boss", is_staff=True, is_superuser=True)
    user_permissions_set(user=staff, permissions=[perm], actor=boss)
    assert staff.user_permissions.filter(pk=perm.pk).exists()
