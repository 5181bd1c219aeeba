"""Scheduling the store pipeline (``storage.scheduling``): in process without a broker, the
``store_file`` task sent by its name with one; a failure to schedule is logged, never raised
(the sweeper finds the file left staged)."""

import logging
import os

import pytest
from django.db import OperationalError

from privindex.celery import app
from projects.models import File, StorageState
from storage import scheduling, tasks
from storage.staging import unstage
from tests import factories
from tests.simple_api.helpers import file_with_bytes

pytestmark = pytest.mark.django_db


def staged_file() -> File:
    return file_with_bytes(factories.ReleaseFactory(), os.urandom(2000), staged=True)


def test_the_task_names_are_the_ones_the_tasks_are_registered_under():
    assert app.tasks[scheduling.STORE_FILE_TASK] == tasks.store_file
    assert app.tasks[scheduling.SWEEP_STAGED_FILES_TASK] == tasks.sweep_staged_files


def test_without_a_broker_the_file_is_stored_in_process():
    file = staged_file()

    scheduling.enqueue_store(file.pk)

    assert File.objects.get(pk=file.pk).storage_state == StorageState.STORED


def test_without_a_broker_a_failed_store_is_logged_and_the_file_stays_staged(caplog):
    file = staged_file()
    unstage(file.storage_key)

    with caplog.at_level(logging.ERROR, logger="storage.scheduling"):
        scheduling.enqueue_store(file.pk)

    assert f"storing file {file.pk} failed; it stays staged" in caplog.text
    assert File.objects.get(pk=file.pk).storage_state == StorageState.STAGED


def test_with_a_broker_the_task_is_sent_by_its_name(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, **options: sent.append((name, options)))

    scheduling.enqueue_store(42)

    assert sent == [("projects.tasks.store_file", {"args": (42,), "ignore_result": True})]


def test_with_the_broker_down_scheduling_logs_and_returns(settings, monkeypatch, caplog):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(app, "send_task", refuse)
    with caplog.at_level(logging.WARNING, logger="storage.scheduling"):
        scheduling.enqueue_store(42)

    assert "could not enqueue storing file 42 (OperationalError); the sweeper will" in caplog.text
