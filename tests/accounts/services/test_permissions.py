"""A user's groups and direct permissions (``accounts.services.user_permissions_set``): each
change is an event naming what was added and removed."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.services import user_permissions_set
from audit.models import Event
from tests.accounts.services.expect import only_event

pytestmark = pytest.mark.django_db


def permission(label):
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def groups(db):
    return {name: Group.objects.create(name=name) for name in ("auditors", "support")}


def test_user_permissions_set_records_what_was_added_and_removed(alice, admin, groups):
    alice.groups.add(groups["support"])
    alice.user_permissions.add(permission("audit.view_event"))

    user_permissions_set(
        user=alice,
        groups=[groups["auditors"]],
        permissions=[permission("projects.view_project"), permission("tokens.view_token")],
        actor=admin,
    )

    assert set(alice.groups.all()) == {groups["auditors"]}
    assert {p.codename for p in alice.user_permissions.all()} == {"view_project", "view_token"}
    event = only_event("user:permissions")
    assert event.actor == admin
    assert event.data == {
        "user": "alice",
        "groups": {"added": ["auditors"], "removed": ["support"]},
        "permissions": {
            "added": ["projects.view_project", "tokens.view_token"],
            "removed": ["audit.view_event"],
        },
    }


def test_user_permissions_set_leaves_what_it_is_not_given(alice, groups):
    alice.groups.add(groups["support"])

    user_permissions_set(user=alice, permissions=[permission("audit.view_event")], actor=None)

    assert set(alice.groups.all()) == {groups["support"]}
    assert only_event("user:permissions").data == {
        "user": "alice",
        "permissions": {"added": ["audit.view_event"], "removed": []},
    }


def test_user_permissions_set_without_a_change_records_nothing(alice, groups):
    alice.groups.add(groups["support"])

    user_permissions_set(user=alice, groups=[groups["support"]], permissions=[], actor=None)

    assert not Event.objects.filter(action="user:permissions").exists()
