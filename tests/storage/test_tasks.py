"""The Celery tasks (``storage.tasks``), run eagerly in process against the local store:
``store_file`` and the periodic ``sweep_staged_files`` (DESIGN 6)."""

import logging
import os
import time
from pathlib import Path

import pytest

from privindex.celery import app
from projects.models import File, StorageState
from storage import tasks
from storage.pipeline import file_store
from storage.staging import staging_path, unstage
from storage.store import get_store
from tests import factories
from tests.simple_api.helpers import file_with_bytes

pytestmark = pytest.mark.django_db


def staged_file() -> File:
    return file_with_bytes(factories.ReleaseFactory(), os.urandom(2000), staged=True)


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def written(path: Path, content: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture
def store_down(settings, tmp_path):
    """The files directory is a regular file: every write to the store fails (an OSError)."""
    broken = tmp_path / "not-a-directory"
    broken.write_bytes(b"")
    settings.PRIVINDEX_FILES_DIR = broken
    get_store.cache_clear()


def test_the_task_names_are_the_ones_queued_messages_and_beat_use(settings):
    assert tasks.store_file.name == "projects.tasks.store_file"
    assert tasks.sweep_staged_files.name == "projects.tasks.sweep_staged_files"
    assert app.tasks["projects.tasks.store_file"] == tasks.store_file
    assert app.tasks["projects.tasks.sweep_staged_files"] == tasks.sweep_staged_files
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule == {
        "projects.tasks.sweep_staged_files",
        "upstream.tasks.sweep_cached_files",
        "audit.tasks.prune_events",
        "tokens.tasks.record_expired",
    }
    from upstream import tasks as upstream_tasks

    assert app.tasks["upstream.tasks.sweep_cached_files"] == upstream_tasks.sweep_cached_files
    from audit import tasks as audit_tasks
    from tokens import tasks as token_tasks

    assert app.tasks["audit.tasks.prune_events"] == audit_tasks.prune_events
    assert app.tasks["tokens.tasks.record_expired"] == token_tasks.record_expired
    assert app.tasks["upstream.tasks.store_cached_file"] == upstream_tasks.store_cached_file


def test_store_file_stores_a_staged_file():
    file = staged_file()

    assert tasks.store_file.apply(args=(file.pk,)).get() == "stored"

    file.refresh_from_db()
    assert file.storage_state == StorageState.STORED
    assert get_store().verify(file.storage_key, size=file.size, sha256=file.sha256) is None


def test_store_file_of_a_file_already_stored_says_stored():
    file = staged_file()
    file_store(file_id=file.pk)
    assert tasks.store_file.apply(args=(file.pk,)).get() == "stored"


def test_store_file_of_a_deleted_file_says_missing():
    assert tasks.store_file.apply(args=(10**9,)).get() == "missing"


def test_store_file_of_a_lost_file_logs_and_does_not_retry(caplog):
    file = staged_file()
    unstage(file.storage_key)

    with caplog.at_level(logging.ERROR, logger="storage.tasks"):
        assert tasks.store_file.apply(args=(file.pk,)).get() == "lost"

    assert f"cannot store file {file.pk}: " in caplog.text
    assert File.objects.get(pk=file.pk).storage_state == StorageState.STAGED


def test_a_single_attempt_with_the_store_down_leaves_the_file_to_the_sweeper(store_down, caplog):
    file = staged_file()

    with caplog.at_level(logging.WARNING, logger="storage.tasks"):
        result = tasks.store_file.apply(args=(file.pk,), kwargs={"retry": False}).get()

    assert result == "staged"
    assert "the sweeper will try again" in caplog.text
    assert File.objects.get(pk=file.pk).storage_state == StorageState.STAGED
    assert staging_path(file.storage_key).exists()


def test_store_file_retries_with_the_store_down_then_leaves_the_file_to_the_sweeper(
    settings, store_down, caplog
):
    settings.PRIVINDEX_STORE_MAX_RETRIES = 2
    file = staged_file()

    with caplog.at_level(logging.INFO):
        assert tasks.store_file.apply(args=(file.pk,)).get() == "staged"

    retries = [
        r for r in caplog.records if r.name == "celery.app.trace" and " retry: " in r.getMessage()
    ]
    assert len(retries) == 2
    assert "the sweeper will try again" in caplog.text
    assert File.objects.get(pk=file.pk).storage_state == StorageState.STAGED


def test_the_sweeper_requeues_files_staged_for_too_long(settings):
    settings.PRIVINDEX_STAGED_AGE_SECONDS = 60
    old, young = staged_file(), staged_file()
    File.objects.filter(pk=old.pk).update(upload_time=old.upload_time.replace(year=2020))

    result = tasks.sweep_staged_files.apply().get()

    assert result["requeued"] == 1
    states = dict(File.objects.values_list("pk", "storage_state"))
    assert states == {old.pk: StorageState.STORED, young.pk: StorageState.STAGED}


def test_the_sweeper_removes_staged_copies_nobody_needs(settings):
    settings.PRIVINDEX_STAGED_AGE_SECONDS = 60
    stored = staged_file()
    file_store(file_id=stored.pk)
    leftover = written(staging_path(stored.storage_key))  # a worker died before unstaging
    abandoned = written(staging_path("aa/bb/cc/gone-1.0-py3-none-any.whl"))  # no row, a day on
    recent = written(staging_path("dd/ee/ff/inflight-1.0-py3-none-any.whl"))  # no row yet
    temp = written(Path(settings.FILE_UPLOAD_TEMP_DIR) / "tmpabc.upload.whl")
    young_temp = written(Path(settings.FILE_UPLOAD_TEMP_DIR) / "tmpdef.upload.whl")
    waiting = staged_file()  # a row that is still staged: its copy is needed
    for path, seconds in ((leftover, 120), (abandoned, 2 * 86400), (recent, 120),
                          (temp, 2 * 86400), (young_temp, 120),
                          (staging_path(waiting.storage_key), 2 * 86400)):  # fmt: skip
        age(path, seconds)

    assert tasks.sweep_staged_files.apply().get()["unstaged"] == 3

    assert not leftover.exists() and not abandoned.exists() and not temp.exists()
    assert not abandoned.parent.exists()  # its empty directories go with it
    assert recent.exists() and young_temp.exists()
    assert staging_path(waiting.storage_key).exists()


def test_the_sweeper_reports_stored_files_that_fail_their_check(settings, caplog):
    file = staged_file()
    file_store(file_id=file.pk)
    get_store().delete(file.storage_key)

    with caplog.at_level(logging.ERROR, logger="storage.pipeline"):  # the spot check logs
        result = tasks.sweep_staged_files.apply().get()

    assert result["problems"] == 1
    assert f"file {file.pk} ({file.filename}): stored copy missing" in caplog.text


def test_the_sweeper_with_nothing_to_do():
    assert tasks.sweep_staged_files.apply().get() == {
        "requeued": 0,
        "removals": 0,
        "unstaged": 0,
        "problems": 0,
    }
