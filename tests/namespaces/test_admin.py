"""The namespace admin writes through ``namespaces.services``: a grant, a change of its flags
and a revocation each leave their event, and a refused one shows as an error message and
writes nothing."""

import pytest
from django.contrib.messages import get_messages

from audit.models import Event
from namespaces.models import NamespaceGrant
from tests.test_admin import admin_url, dump_database, form_data

LABEL = "namespaces_namespacegrant"


def add(admin_client, **fields):
    data = {"name": "", "organization": "", "user": "", "parent": "", **fields}
    return admin_client.post(admin_url(LABEL, "add"), data, follow=True)


def errors(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_pages_render_and_search(admin_client, scene, grant):
    grant("foo", organization=scene.acme)
    grant("bar", user=scene.alice, hidden=True)
    assert admin_client.get(admin_url(LABEL, "add")).status_code == 200
    listing = admin_client.get(admin_url(LABEL, "changelist"), {"q": "alice"})
    assert [g.normalized_name for g in listing.context["cl"].result_list] == ["bar"]
    change = admin_client.get(admin_url(LABEL, "change", NamespaceGrant.objects.get(name="foo").pk))
    assert change.status_code == 200


def test_add_grants_through_the_service(admin_client, scene, grant):
    root = grant("foo", organization=scene.acme)
    response = add(admin_client, name="Foo.Bar", organization=scene.acme.pk, open="on")
    assert response.status_code == 200 and not errors(response)
    child = NamespaceGrant.objects.get(normalized_name="foo-bar")
    assert (child.name, child.parent, child.open) == ("Foo.Bar", root, True)
    assert child.created_by.username == "admin"
    event = Event.objects.get(action="namespace:grant", data__namespace="foo-bar")
    assert event.actor.username == "admin"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "foo"}, "The namespace 'foo' overlaps the granted namespace 'foo-bar'"),
        ({"name": "foo-bar-x"}, "lies inside 'foo-bar', granted to organization 'Acme'"),
        ({"name": "foo!"}, "'foo!' is not a valid project name"),
    ],
)
def test_a_refused_grant_shows_a_message_and_writes_nothing(
    admin_client, scene, grant, fields, message
):
    grant("foo-bar", organization=scene.acme)
    snapshot = dump_database()
    response = add(admin_client, user=scene.alice.pk, **fields)
    assert response.status_code == 200
    assert len(errors(response)) == 1 and message in errors(response)[0]
    assert dump_database() == snapshot


def test_the_form_refuses_two_owners_and_open_hidden_grants(admin_client, scene):
    for fields in (
        {"organization": scene.acme.pk, "user": scene.alice.pk},
        {"organization": scene.acme.pk, "open": "on", "hidden": "on"},
    ):
        response = add(admin_client, name="foo", **fields)
        assert response.context["adminform"].form.errors
    assert not NamespaceGrant.objects.exists()


def test_change_sets_the_flags_through_the_service(admin_client, scene, grant):
    made = grant("foo", organization=scene.acme)
    url = admin_url(LABEL, "change", made.pk)
    data = form_data(admin_client.get(url))
    data.update(open="on", name="renamed")  # the name is read-only: ignored
    response = admin_client.post(url, data, follow=True)
    assert not errors(response)
    made.refresh_from_db()
    assert (made.name, made.open) == ("foo", True)
    event = Event.objects.get(action="namespace:update")
    assert (event.actor.username, event.data["previous"]) == (
        "admin",
        {"open": False, "hidden": False},
    )


def test_a_refused_change_shows_a_message_and_writes_nothing(admin_client, scene, grant):
    grant("typing", organization=scene.acme, hidden=True)
    child = grant("typing-x", organization=scene.acme, hidden=True)
    url = admin_url(LABEL, "change", child.pk)
    data = form_data(admin_client.get(url))
    data.pop("hidden")
    snapshot = dump_database()
    response = admin_client.post(url, data, follow=True)
    assert errors(response) == [
        "The namespace 'typing-x' lies inside the hidden namespace 'typing', "
        "so it must stay hidden."
    ]
    assert dump_database() == snapshot


def test_delete_revokes_through_the_service(admin_client, scene, grant):
    grant("foo", organization=scene.acme)
    child = grant("foo-bar", organization=scene.acme)
    response = admin_client.post(admin_url(LABEL, "delete", child.pk), {"post": "yes"})
    assert response.status_code == 302
    assert list(NamespaceGrant.objects.values_list("normalized_name", flat=True)) == ["foo"]
    assert Event.objects.get(action="namespace:revoke").data["namespace"] == "foo-bar"


def test_a_root_with_children_is_not_deleted_alone(admin_client, scene, grant):
    root = grant("foo", organization=scene.acme)
    grant("foo-bar", organization=scene.acme)
    response = admin_client.post(admin_url(LABEL, "delete", root.pk), {"post": "yes"})
    assert response.status_code == 200  # Django's "would require deleting protected objects"
    assert NamespaceGrant.objects.count() == 2
    assert not Event.objects.filter(action="namespace:revoke").exists()


def test_delete_selected_revokes_children_before_their_root(admin_client, scene, grant):
    root = grant("foo", organization=scene.acme)
    child = grant("foo-bar", organization=scene.acme)
    response = admin_client.post(
        admin_url(LABEL, "changelist"),
        {"action": "delete_selected", "_selected_action": [root.pk, child.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not NamespaceGrant.objects.exists()
    events = Event.objects.filter(action="namespace:revoke").order_by("pk")
    assert [e.data["namespace"] for e in events] == ["foo-bar", "foo"]


def test_the_revoke_action_takes_the_children_along(admin_client, scene, grant):
    root = grant("foo", organization=scene.acme)
    grant("foo-bar", organization=scene.acme)
    grant("other", user=scene.alice)
    response = admin_client.post(
        admin_url(LABEL, "changelist"),
        {"action": "revoke_with_children", "_selected_action": [root.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert list(NamespaceGrant.objects.values_list("normalized_name", flat=True)) == ["other"]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["2 namespace(s) revoked: foo-bar, foo."]
