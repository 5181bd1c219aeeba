"""``audit`` 0002: the content type of ``Event`` follows the model from ``projects`` to ``audit``,
with the permissions and admin log entries that point at it."""

import importlib

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories

pytestmark = pytest.mark.django_db
BEFORE, AFTER = ("audit", "0001_initial"), ("audit", "0002_event_content_type")
relabel_to_audit = importlib.import_module(
    "audit.migrations.0002_event_content_type"
).relabel_to_audit


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()  # the test's rows are rolled back


def migrate(target):
    """Migrate the test database to ``target`` (inside the test's transaction: rolled back)."""
    MigrationExecutor(connection).migrate([target])


def test_a_database_from_before_the_move_keeps_permissions_and_log_entries(owner):
    migrate(BEFORE)
    # As such a database has it: the row created when Event was the projects app's.
    old = ContentType.objects.get(app_label="audit", model="event")
    old.app_label = "projects"
    old.save()
    view = Permission.objects.get(content_type=old, codename="view_event")
    owner.user_permissions.add(view)
    entry = LogEntry.objects.create(
        user=factories.UserFactory(is_staff=True),
        content_type=old,
        object_id="1",
        object_repr="event",
        action_flag=2,
    )

    migrate(AFTER)

    relabelled = ContentType.objects.get(pk=old.pk)
    assert (relabelled.app_label, relabelled.model) == ("audit", "event")
    assert not ContentType.objects.filter(app_label="projects", model="event").exists()
    assert list(owner.user_permissions.all()) == [view]
    owner = type(owner).objects.get(pk=owner.pk)  # no cached permissions
    assert owner.has_perm("audit.view_event")
    entry.refresh_from_db()
    assert entry.content_type_id == old.pk


def test_migrating_back_and_forth_on_a_fresh_database_changes_nothing():
    ours = ContentType.objects.get(app_label="audit", model="event")

    migrate(BEFORE)
    migrate(AFTER)

    assert ContentType.objects.get(app_label="audit", model="event").pk == ours.pk
    assert not ContentType.objects.filter(app_label="projects", model="event").exists()


class _SchemaEditor:
    connection = connection


def test_a_database_with_both_rows_is_left_alone():
    ours = ContentType.objects.get(app_label="audit", model="event")
    stale = ContentType.objects.create(app_label="projects", model="event")

    relabel_to_audit(apps, _SchemaEditor())

    assert ContentType.objects.get(pk=ours.pk).app_label == "audit"
    assert ContentType.objects.get(pk=stale.pk).app_label == "projects"


def test_nothing_is_created_where_there_is_no_row():
    ContentType.objects.filter(model="event").delete()

    relabel_to_audit(apps, _SchemaEditor())

    assert not ContentType.objects.filter(model="event").exists()
