"""Writing the audit trail (``audit.services.event_record``)."""

import pytest
from django.db import transaction

from audit.models import Event
from audit.services import event_record
from tests import factories
from tokens.services import token_issue

pytestmark = pytest.mark.django_db


def test_event_record_stores_the_actor_token_project_and_data(owner, private_project):
    token = token_issue(user=owner, scopes=["upload"], actor=None).token

    event = event_record(
        "file:upload", actor=owner, token=token, project=private_project, filename="x.whl", size=3
    )

    stored = Event.objects.get(pk=event.pk)
    assert stored.action == "file:upload"
    assert (stored.actor, stored.token, stored.project) == (owner, token, private_project)
    assert stored.data == {"filename": "x.whl", "size": 3}
    assert stored.created is not None and stored.created.tzinfo is not None
    assert list(private_project.events.all()) == [stored]


def test_a_system_event_has_no_actor_token_or_project():
    event = event_record("storage:sweep", actor=None)
    stored = Event.objects.get(pk=event.pk)
    assert (stored.actor, stored.token, stored.project, stored.data) == (None, None, None, {})


def test_an_event_exists_exactly_when_the_change_it_records_does(owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record("project:create", actor=owner, name="gone")
        raise RuntimeError("the service failed after recording")
    assert not Event.objects.exists()


def test_the_trail_outlives_the_project_token_and_user_it_names(owner):
    project = factories.ProjectFactory()
    token = token_issue(user=owner, scopes=["read"], actor=None).token
    event = event_record("project:delete", actor=owner, token=token, project=project, name="p")

    project.delete()
    token.delete()
    owner.delete()

    stored = Event.objects.get(pk=event.pk)
    assert (stored.actor, stored.token, stored.project) == (None, None, None)
    assert stored.data == {"name": "p"}
