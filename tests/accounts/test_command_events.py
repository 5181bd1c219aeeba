"""createuser and bootstrap create users through ``user_create``, so each leaves an event."""

import io

from django.core.management import call_command

from audit.models import Event


def test_createuser_records_user_create_event(db):
    call_command(
        "createuser", "alice", "--email", "alice@example.org", "--staff", stdout=io.StringIO()
    )

    event = Event.objects.get(action="user:create")
    assert event.actor is None  # the system: a command run by the operator
    assert event.data == {
        "user": "alice",
        "is_staff": True,
        "is_superuser": False,
        "usable_password": False,
    }


def test_bootstrap_records_user_create_event_once(db, monkeypatch):
    monkeypatch.setenv("PRIVINDEX_ADMIN_PASSWORD", "from the environment")

    call_command("bootstrap", stdout=io.StringIO())
    call_command("bootstrap", stdout=io.StringIO())

    event = Event.objects.get(action="user:create")
    assert event.actor is None
    assert event.data["user"] == "admin" and event.data["is_superuser"] is True
    assert "from the environment" not in str(event.data)
