"""Retention: ``audit.tasks.prune_events`` (daily, beat) and ``manage.py pruneaudit`` delete
events older than ``PRIVINDEX_AUDIT_RETENTION_DAYS`` (0: none) and authentication-failure
counters older than ``max(retention, 30)`` days, and record that they did; and the hourly
``tokens.tasks.record_expired``."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit import tasks
from audit.models import AuthFailure, Event
from audit.services import events_prune
from privindex.celery import app
from tokens import tasks as token_tasks

pytestmark = pytest.mark.django_db


def aged(action, days):
    """An event recorded ``days`` days ago."""
    event = Event.objects.create(action=action)
    Event.objects.filter(pk=event.pk).update(created=timezone.now() - dt.timedelta(days=days))
    return event


def bucket(days, ip="198.51.100.1"):
    when = timezone.now() - dt.timedelta(days=days)
    return AuthFailure.objects.create(window=when, ip=ip, count=3, last_seen=when)


def remaining():
    return sorted(Event.objects.exclude(action="audit:prune").values_list("action", flat=True))


def test_the_task_deletes_events_older_than_the_retention(settings):
    settings.PRIVINDEX_AUDIT_RETENTION_DAYS = 90
    aged("old", 91)
    aged("kept", 89)
    aged("new", 0)

    assert tasks.prune_events() == {"events": 1, "auth_failures": 0}

    assert remaining() == ["kept", "new"]
    prune = Event.objects.get(action="audit:prune")
    assert prune.actor_kind == "system"
    assert prune.actor_name.startswith("system (")
    assert prune.data == {"days": 90, "events": 1, "auth_failures": 0, "auth_failure_days": 90}


def test_a_retention_of_zero_keeps_every_event(settings):
    settings.PRIVINDEX_AUDIT_RETENTION_DAYS = 0
    aged("ancient", 5000)

    assert tasks.prune_events() == {"events": 0, "auth_failures": 0}

    assert remaining() == ["ancient"]
    assert not Event.objects.filter(action="audit:prune").exists()  # nothing was deleted


@pytest.mark.parametrize(("days", "left"), [(0, [10, 29]), (7, [10, 29]), (60, [10, 29, 31, 45])])
def test_failure_counters_are_kept_at_least_30_days_and_as_long_as_events(days, left):
    for age in (10, 29, 31, 45, 400):
        bucket(age, ip=f"198.51.100.{age % 250}")

    deleted = events_prune(days=days)

    ages = sorted(
        round((timezone.now() - window).total_seconds() / 86400)
        for window in AuthFailure.objects.values_list("window", flat=True)
    )
    assert ages == left
    assert deleted["auth_failures"] == 5 - len(left)
    assert Event.objects.get(action="audit:prune").data["auth_failure_days"] == max(days, 30)


def test_a_second_prune_finds_nothing_left_to_delete(settings):
    settings.PRIVINDEX_AUDIT_RETENTION_DAYS = 30
    aged("old", 31)

    tasks.prune_events()
    assert tasks.prune_events() == {"events": 0, "auth_failures": 0}

    assert Event.objects.filter(action="audit:prune").count() == 1


def test_events_stay_immutable_one_by_one():
    event = aged("old", 400)

    with pytest.raises(ValueError, match="immutable"):
        event.delete()


def test_a_negative_retention_is_refused():
    with pytest.raises(ValueError):
        events_prune(days=-1)


def test_the_command_prunes_with_the_setting_or_with_days(settings):
    settings.PRIVINDEX_AUDIT_RETENTION_DAYS = 0
    aged("a year ago", 365)
    aged("last week", 7)
    out = StringIO()

    call_command("pruneaudit", stdout=out)
    assert remaining() == ["a year ago", "last week"]
    assert "retention is off" in out.getvalue()

    call_command("pruneaudit", "--days", "30", stdout=out)
    assert remaining() == ["last week"]
    assert "Deleted 1 audit event(s) (older than 30 day(s))" in out.getvalue()
    assert Event.objects.get(action="audit:prune").data["events"] == 1


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_the_command_refuses_a_bad_number_of_days(value):
    with pytest.raises(CommandError, match="--days must be 0"):
        call_command("pruneaudit", "--days", value)


def test_the_beat_runs_the_retention_daily_and_the_expiry_record_hourly(settings):
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["audit.tasks.prune_events"]["schedule"] == 24 * 3600
    assert schedule["tokens.tasks.record_expired"]["schedule"] == 3600
    assert app.tasks["audit.tasks.prune_events"] == tasks.prune_events
    assert app.tasks["tokens.tasks.record_expired"] == token_tasks.record_expired


def test_the_expiry_task_records_each_expired_token_once(cast):
    cast.ensure("expired_token", "read_token")

    assert token_tasks.record_expired() == 1
    assert token_tasks.record_expired() == 0

    (event,) = Event.objects.filter(action="token:expire")
    assert event.token == cast.issued("expired_token").token
    assert event.actor_kind == "system"
