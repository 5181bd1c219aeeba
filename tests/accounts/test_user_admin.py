"""The user admin writes through ``accounts.services``: adding (``user_create``), changing
(``user_update``), the password page (``user_password_set``), the delete page and the "delete
selected" action (``user_delete``). Each leaves its event, no event holds a password, and a
refusal shows as an error message and changes nothing."""

from types import SimpleNamespace

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts import services
from accounts.models import User
from audit.models import Event
from tests import factories
from tests.accounts.test_admin import actions
from tests.principals import PASSWORD
from tests.test_admin import admin_url, dump_database, form_data
from tokens.models import Token
from tokens.services import token_issue


@pytest.fixture
def carol(db):
    """An ordinary user: a member of an organization, in a team, holding a token."""
    user = factories.UserFactory(username="carol")
    org = factories.OrganizationFactory(name="Beta")
    factories.OrganizationMemberFactory(organization=org, user=user, role="member")
    factories.TeamMemberFactory(team=factories.TeamFactory(organization=org), user=user)
    token_issue(user=user, scopes=["read"], name="ci", actor=None)
    return user


@pytest.fixture
def acme(owner):
    """``owner`` is the last owner of the organization Acme."""
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    return org


def password_url(user):
    return reverse("admin:auth_user_password_change", args=(user.pk,))


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# Adding


def test_admin_adds_user_through_user_create(admin_client, db):
    response = admin_client.post(
        admin_url("accounts_user", "add"),
        {
            "username": "carol",
            "email": "carol@example.org",
            "usable_password": "true",
            "password1": "a long passphrase",
            "password2": "a long passphrase",
        },
    )

    carol = User.objects.get(username="carol")
    assert response.status_code == 302
    assert response["Location"] == admin_url("accounts_user", "change", carol.pk)
    assert carol.check_password("a long passphrase")
    assert actions() == [("user:create", "admin")]


def test_admin_user_add_refused_by_service_shows_message(admin_client, db, monkeypatch):
    def refuse(**kwargs):
        raise services.AccountError("User 'dave' already exists.", 409)

    monkeypatch.setattr(services, "user_create", refuse)  # as when created meanwhile
    url = admin_url("accounts_user", "add")

    response = admin_client.post(
        url, {"username": "dave", "email": "", "usable_password": "false"}, follow=True
    )

    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == ["User 'dave' already exists."]
    assert not User.objects.filter(username="dave").exists()


# Changing


def test_admin_user_change_records_user_update(admin_client, carol):
    url = admin_url("accounts_user", "change", carol.pk)
    data = form_data(admin_client.get(url))
    data.update(is_staff=True, first_name="Carol")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    carol.refresh_from_db()
    assert carol.is_staff and carol.first_name == "Carol"
    event = Event.objects.get(action="user:update")
    assert event.actor.username == "admin"
    assert event.data == {
        "user": "carol",
        "fields": ["first_name", "is_staff"],
        "previous": {"is_staff": False},
        "current": {"is_staff": True},
    }


def test_admin_user_change_without_changes_records_nothing(admin_client, carol):
    url = admin_url("accounts_user", "change", carol.pk)

    assert admin_client.post(url, form_data(admin_client.get(url))).status_code == 302

    assert not Event.objects.filter(action="user:update").exists()


def test_admin_user_change_refused_by_service_shows_message(admin_client, carol):
    carol.is_staff = carol.is_superuser = True
    carol.save()
    url = admin_url("accounts_user", "change", carol.pk)
    data = form_data(admin_client.get(url))
    data.update(is_staff=False, first_name="Carol")  # the whole submit is refused
    snapshot = dump_database()

    response = admin_client.post(url, data, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert messages_of(response) == [
        "'carol' is a superuser, and a superuser is also staff: take superuser status away "
        "too, or keep staff status."
    ]
    assert dump_database() == snapshot


def test_admin_user_groups_and_permissions_record_user_permissions(admin_client, carol):
    support = Group.objects.create(name="support")
    view_event = Permission.objects.get(content_type__app_label="audit", codename="view_event")
    url = admin_url("accounts_user", "change", carol.pk)
    data = form_data(admin_client.get(url))
    data.update(groups=[support.pk], user_permissions=[view_event.pk])

    assert admin_client.post(url, data).status_code == 302
    assert admin_client.post(url, form_data(admin_client.get(url))).status_code == 302  # again

    assert list(carol.groups.all()) == [support]
    assert list(carol.user_permissions.all()) == [view_event]
    event = Event.objects.get(action="user:permissions")  # one: the second submit changed nothing
    assert event.actor.username == "admin"
    assert event.data == {
        "user": "carol",
        "groups": {"added": ["support"], "removed": []},
        "permissions": {"added": ["audit.view_event"], "removed": []},
    }


def test_admin_user_username_and_dates_are_read_only(admin_client, carol):
    url = admin_url("accounts_user", "change", carol.pk)
    data = form_data(admin_client.get(url))
    data.update(username="mallory", date_joined="2000-01-01 00:00:00")

    assert admin_client.post(url, data).status_code == 302

    carol.refresh_from_db()
    assert carol.username == "carol" and carol.date_joined.year != 2000


# The password page


def test_admin_password_change_records_user_password_set(admin_client, carol):
    response = admin_client.post(
        password_url(carol),
        {
            "usable_password": "true",
            "password1": "a new long passphrase",
            "password2": "a new long passphrase",
        },
        follow=True,
    )

    url = admin_url("accounts_user", "change", carol.pk)
    assert response.redirect_chain == [(url, 302)]
    assert messages_of(response) == ["Password changed successfully."]
    carol.refresh_from_db()
    assert carol.check_password("a new long passphrase")
    event = Event.objects.get(action="user:password-set")
    assert event.actor.username == "admin"
    assert event.data == {"user": "carol", "usable_password": True}
    assert "passphrase" not in str(event.data)
    log = LogEntry.objects.get(object_id=str(carol.pk))
    assert log.get_change_message() == "Changed password."


def test_admin_password_disable_records_user_password_set(admin_client, carol):
    response = admin_client.post(
        password_url(carol), {"usable_password": "false", "unset-password": "1"}
    )

    assert response.status_code == 302
    carol.refresh_from_db()
    assert not carol.has_usable_password()
    event = Event.objects.get(action="user:password-set")
    assert event.data == {"user": "carol", "usable_password": False}


def test_admin_password_change_of_oneself_keeps_the_session(admin_client, db):
    admin = User.objects.get(username="admin")
    data = {"password1": "a new long passphrase", "password2": "a new long passphrase"}

    assert admin_client.post(password_url(admin), data).status_code == 302

    assert admin_client.get(admin_url("accounts_user", "changelist")).status_code == 200


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        (
            {"password1": "a long passphrase", "password2": "another"},
            "The two password fields didn",
        ),
    ],
    ids=["validator", "mismatch"],
)
def test_admin_password_form_errors_record_nothing(admin_client, carol, data, error):
    response = admin_client.post(password_url(carol), {"usable_password": "true", **data})

    assert response.status_code == 200
    assert error in response.content.decode()
    carol.refresh_from_db()
    assert carol.check_password("correct horse battery")
    assert not Event.objects.filter(action="user:password-set").exists()


def test_admin_password_refused_by_service_shows_message(admin_client, carol, monkeypatch):
    def refuse(**kwargs):
        raise services.AccountError("No.")

    monkeypatch.setattr(services, "user_password_set", refuse)
    data = {
        "usable_password": "true",
        "password1": "a long passphrase",
        "password2": "a long passphrase",
    }

    response = admin_client.post(password_url(carol), data, follow=True)

    assert response.redirect_chain == [(password_url(carol), 302)]
    assert messages_of(response) == ["No."]
    assert not LogEntry.objects.exists()


# Deleting: the delete page and the "delete selected" action


def delete_page(client, users):
    (user,) = users
    url = admin_url("accounts_user", "delete", user.pk)
    return SimpleNamespace(url=url, response=client.post(url, {"post": "yes"}, follow=True))


def delete_selected(client, users):
    url = admin_url("accounts_user", "changelist")
    data = {"action": "delete_selected", "_selected_action": [u.pk for u in users], "post": "yes"}
    return SimpleNamespace(url=url, response=client.post(url, data, follow=True))


DELETIONS = pytest.mark.parametrize("delete", [delete_page, delete_selected])


@DELETIONS
def test_admin_deletes_ordinary_user_through_user_delete(admin_client, carol, delete):
    done = delete(admin_client, [carol])

    assert done.response.status_code == 200
    assert not User.objects.filter(username="carol").exists()
    assert not Token.objects.exists()
    event = Event.objects.get(action="user:delete")
    assert event.actor.username == "admin"
    assert event.data["user"] == "carol"
    assert event.data["organizations"] == {"Beta": "member"}


@DELETIONS
def test_admin_refuses_to_delete_the_last_owner_of_an_organization(
    admin_client, carol, acme, owner, delete
):
    # With the bulk action carol (an earlier pk) is deleted first, then rolled back.
    users = [owner] if delete is delete_page else [carol, owner]
    snapshot = dump_database()

    done = delete(admin_client, users)

    assert done.response.redirect_chain == [(done.url, 302)]
    assert messages_of(done.response) == [
        "'owner' is the last owner of the organization 'Acme': make someone else owner first, "
        "then delete the user."
    ]
    assert dump_database() == snapshot
    assert not actions("user:")


def test_admin_delete_page_lists_what_goes_with_the_user(admin_client, carol):
    response = admin_client.get(admin_url("accounts_user", "delete", carol.pk))

    assert response.status_code == 200
    assert not response.context["perms_lacking"]
    assert "Token" in response.content.decode()


def test_staff_with_the_user_change_permission_cannot_make_itself_superuser(client, db):
    staff = factories.UserFactory(username="staffer", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client.force_login(staff)
    url = admin_url("accounts_user", "change", staff.pk)
    data = form_data(client.get(url))
    data.update(is_superuser="on")
    response = client.post(url, data, follow=True)
    assert "Only superusers may grant or take away staff or superuser status." in (
        messages_of(response)
    )
    staff.refresh_from_db()
    assert not staff.is_superuser


@pytest.mark.parametrize("target", ["superuser", "staff member"])
def test_limited_staff_cannot_set_a_more_powerful_accounts_password(client, db, target):
    victim = factories.UserFactory(
        username="victim", is_staff=True, is_superuser=target == "superuser"
    )
    staff = factories.UserFactory(username="staffer", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client.force_login(staff)
    url = reverse("admin:auth_user_password_change", args=(victim.pk,))
    response = client.post(
        url,
        {
            "password1": "a much longer pass phrase 42",
            "password2": "a much longer pass phrase 42",
            "set_usable_password": "true",
        },
        follow=True,
    )
    assert f"Only superusers may set the password of a {target}." in messages_of(response)
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)
