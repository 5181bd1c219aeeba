"""The PEP 752 grant rules (S1.40, S4.16): naming, overlap, children and their depth, owners,
hidden and open grants, updates and revocation, each recorded in the audit trail."""

import pytest
from django.db import IntegrityError, connection, transaction

from audit.models import Event
from namespaces.models import NamespaceGrant
from namespaces.services import (
    NamespaceError,
    namespace_grant,
    namespace_revoke,
    namespace_update,
)
from tests import factories


def refusal(call, **kwargs) -> NamespaceError:
    count = NamespaceGrant.objects.count()
    with pytest.raises(NamespaceError) as caught:
        call(actor=None, **kwargs)
    assert NamespaceGrant.objects.count() == count
    return caught.value


# --- naming --------------------------------------------------------------------------------


def test_a_namespace_is_stored_normalized_and_keeps_its_spelling(scene, grant):  # S1.40
    made = grant("Foo.Bar_Baz", organization=scene.acme)
    assert (made.name, made.normalized_name) == ("Foo.Bar_Baz", "foo-bar-baz")
    assert made.parent is None and not made.open and not made.hidden


def test_surrounding_spaces_are_not_part_of_the_name(scene, grant):
    assert grant("  Foo ", user=scene.alice).name == "Foo"


@pytest.mark.parametrize("name", ["", "-foo", "foo-", "fo o", "foo!", "é", "a" * 201])
def test_a_namespace_must_be_a_valid_project_name(scene, name):
    error = refusal(namespace_grant, name=name, organization=scene.acme)
    assert error.status == 400
    assert "valid project name" in error.message or "at most 200" in error.message


def test_a_namespace_granted_in_another_spelling_is_granted_already(scene, grant):
    grant("foo-bar", organization=scene.acme)
    error = refusal(namespace_grant, name="Foo_Bar", user=scene.alice)
    assert error.status == 409
    assert error.message == "The namespace 'foo-bar' is granted already, to organization 'Acme'."


# --- overlap -------------------------------------------------------------------------------


def test_a_root_may_not_be_granted_above_another_owners_root(scene, grant):  # S1.40 overlap
    grant("foo-bar", organization=scene.acme)
    error = refusal(namespace_grant, name="foo", user=scene.alice)
    assert error.status == 409
    assert error.message == (
        "The namespace 'foo' overlaps the granted namespace 'foo-bar': grants may not overlap."
    )


def test_a_root_may_not_be_granted_above_its_owners_own_root_either(scene, grant):
    grant("foo-bar", organization=scene.acme)
    grant("foo-baz", organization=scene.acme)
    error = refusal(namespace_grant, name="Foo", organization=scene.acme)
    assert "namespaces 'foo-bar' and 'foo-baz'" in error.message


def test_a_name_inside_another_owners_root_is_refused(scene, grant):  # overlap, other way
    grant("foo", organization=scene.acme)
    error = refusal(namespace_grant, name="foo.bar", user=scene.alice)
    assert error.status == 409
    assert error.message == (
        "The namespace 'foo-bar' lies inside 'foo', granted to organization 'Acme': only the "
        "same owner may have a namespace inside it."
    )


def test_overlap_is_compared_with_a_hyphen_appended(scene, grant):  # S1.40
    grant("foo", organization=scene.acme)
    other = grant("foobar", user=scene.alice)
    assert other.parent is None
    assert grant("fo", user=scene.outsider).parent is None


# --- children and depth --------------------------------------------------------------------


def test_a_name_inside_a_root_becomes_its_child(scene, grant):
    root = grant("foo", organization=scene.acme)
    child = grant("Foo-Bar", organization=scene.acme)
    assert child.parent == root


def test_children_never_nest_a_name_inside_a_child_is_another_child_of_the_root(scene, grant):
    root = grant("foo", organization=scene.acme)
    grant("foo-bar", organization=scene.acme)
    deeper = grant("foo-bar-baz", organization=scene.acme)
    assert deeper.parent == root
    assert sorted(root.children.values_list("normalized_name", flat=True)) == [
        "foo-bar",
        "foo-bar-baz",
    ]


def test_a_given_parent_must_be_the_root_the_name_lies_inside(scene, grant):
    root = grant("foo", organization=scene.acme)
    child = grant("foo-bar", organization=scene.acme)
    unrelated = grant("qux", organization=scene.acme)
    error = refusal(namespace_grant, name="foo-bar-baz", organization=scene.acme, parent=child)
    assert (
        error.message == "'foo-bar-baz' lies inside 'foo', so its parent is 'foo', not 'foo-bar'."
    )
    error = refusal(namespace_grant, name="zap-x", organization=scene.acme, parent=unrelated)
    assert error.message == "'zap-x' does not lie inside 'qux', so it cannot be its child."
    assert grant("foo-qux", organization=scene.acme, parent=root).parent == root


def test_a_users_root_takes_children_of_the_same_user_only(scene, grant):
    grant("alice", user=scene.alice)
    assert grant("alice-tools", user=scene.alice).parent.normalized_name == "alice"
    error = refusal(namespace_grant, name="alice-x", organization=scene.acme)
    assert "granted to user 'alice'" in error.message


# --- owners, open and hidden ---------------------------------------------------------------


def test_a_grant_has_exactly_one_owner(scene):
    for owners in ({}, {"organization": scene.acme, "user": scene.alice}):
        error = refusal(namespace_grant, name="foo", **owners)
        assert error.message == "Grant a namespace to an organization or to a user (one of them)."


def test_the_database_keeps_one_owner_and_no_open_hidden_grant(scene):
    for fields in (
        {"organization": scene.acme, "user": scene.alice},
        {},
        {"organization": scene.acme, "open": True, "hidden": True},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            NamespaceGrant.objects.create(name="x", normalized_name="x", **fields)


def test_inactive_owners_get_no_grant(scene):
    scene.acme.is_active = False
    scene.acme.save()
    scene.alice.is_active = False
    scene.alice.save()
    assert "not active" in refusal(namespace_grant, name="a", organization=scene.acme).message
    assert "not active" in refusal(namespace_grant, name="b", user=scene.alice).message


def test_a_hidden_grant_cannot_be_open(scene):  # PEP 752 hidden grants
    error = refusal(namespace_grant, name="foo", user=scene.alice, open=True, hidden=True)
    assert error.message == "A hidden namespace cannot be open."


def test_a_hidden_roots_children_are_hidden(scene, grant):
    grant("typing", organization=scene.acme, hidden=True)
    error = refusal(namespace_grant, name="typing-x", organization=scene.acme)
    assert "must be hidden too" in error.message
    assert grant("typing-x", organization=scene.acme, hidden=True).hidden


def test_grant_records_an_event(scene, grant, admin_user):
    namespace_grant(name="Foo", organization=scene.acme, open=True, actor=admin_user)
    event = Event.objects.get(action="namespace:grant")
    assert event.actor == admin_user
    assert event.data == {
        "namespace": "foo",
        "name": "Foo",
        "organization": "Acme",
        "user": None,
        "parent": None,
        "open": True,
        "hidden": False,
    }
    assert NamespaceGrant.objects.get().created_by == admin_user


# --- update --------------------------------------------------------------------------------


def test_update_opens_and_hides_and_records_the_previous_flags(scene, grant):
    made = grant("foo", organization=scene.acme)
    namespace_update(grant=made, open=True, actor=None)
    namespace_update(grant=made, open=False, hidden=True, actor=None)
    made.refresh_from_db()
    assert (made.open, made.hidden) == (False, True)
    events = Event.objects.filter(action="namespace:update").order_by("pk")
    assert [e.data["previous"] for e in events] == [
        {"open": False, "hidden": False},
        {"open": True, "hidden": False},
    ]


def test_update_without_change_records_nothing(scene, grant):
    made = grant("foo", organization=scene.acme)
    namespace_update(grant=made, open=False, hidden=False, actor=None)
    assert not Event.objects.filter(action="namespace:update").exists()


def test_update_keeps_the_hidden_rules(scene, grant):
    root = grant("foo", organization=scene.acme)
    grant("foo-bar", organization=scene.acme)
    hidden_root = grant("typing", organization=scene.acme, hidden=True)
    hidden_child = grant("typing-x", organization=scene.acme, hidden=True)
    cases = [
        (root, {"hidden": True}, "Hide the namespace 'foo-bar' inside 'foo' first"),
        (hidden_root, {"open": True}, "A hidden namespace cannot be open."),
        (hidden_child, {"hidden": False}, "so it must stay hidden"),
    ]
    for made, change, message in cases:
        error = refusal(namespace_update, grant=made, **change)
        assert message in error.message
    assert not Event.objects.filter(action="namespace:update").exists()


# --- revoke --------------------------------------------------------------------------------


def test_revoke_frees_the_name_for_anyone(scene, grant):  # PEP 752 grant removal
    made = grant("foo", organization=scene.acme)
    assert [g.normalized_name for g in namespace_revoke(grant=made, actor=None)] == ["foo"]
    assert not NamespaceGrant.objects.exists()
    assert grant("foo", user=scene.alice).user == scene.alice
    event = Event.objects.get(action="namespace:revoke")
    assert (event.data["namespace"], event.data["organization"]) == ("foo", "Acme")


def test_revoking_a_root_with_children_needs_children(scene, grant):
    root = grant("foo", organization=scene.acme)
    grant("foo-bar", organization=scene.acme)
    grant("foo-baz", organization=scene.acme)
    error = refusal(namespace_revoke, grant=root)
    assert error.status == 409
    assert error.message == (
        "The namespace 'foo' has child namespaces 'foo-bar' and 'foo-baz': revoke them first, "
        "or revoke it with its children."
    )
    revoked = namespace_revoke(grant=root, children=True, actor=None)
    assert [g.normalized_name for g in revoked] == ["foo-bar", "foo-baz", "foo"]
    assert not NamespaceGrant.objects.exists()
    events = Event.objects.filter(action="namespace:revoke").order_by("pk")
    assert [(e.data["namespace"], e.data["parent"]) for e in events] == [
        ("foo-bar", "foo"),
        ("foo-baz", "foo"),
        ("foo", None),
    ]


def test_revoking_a_child_leaves_its_root(scene, grant):
    grant("foo", organization=scene.acme)
    child = grant("foo-bar", organization=scene.acme)
    namespace_revoke(grant=child, actor=None)
    assert list(NamespaceGrant.objects.values_list("normalized_name", flat=True)) == ["foo"]


def test_revoking_a_grant_revoked_meanwhile_is_refused(scene, grant):
    made = grant("foo", organization=scene.acme)
    NamespaceGrant.objects.filter(pk=made.pk).delete()
    error = refusal(namespace_revoke, grant=made)
    assert (error.status, error.message) == (404, "The namespace 'foo' is not granted.")


def test_projects_in_a_namespace_outlive_its_grants(scene, grant):
    project = factories.ProjectFactory(name="foo-app")
    made = grant("foo", organization=scene.acme)
    namespace_revoke(grant=made, actor=None)
    project.refresh_from_db()


def test_a_user_holding_a_grant_is_not_deleted_with_it(scene, grant):
    grant("alice", user=scene.alice)
    with pytest.raises(Exception, match="protected"), transaction.atomic():
        scene.alice.delete()


def test_every_grant_write_holds_the_grant_lock_to_its_commit(scene, grant):
    """Two overlapping grants submitted at once must not both pass the overlap check."""
    grant("foo", organization=scene.acme)  # inside the test's transaction: the lock stays
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        assert cursor.fetchone() == (1,)
