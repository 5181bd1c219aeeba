"""The storage pipeline on S3 (moto's server), in process: the file_store service, the
tasks, the sweeper and checkstorage (DESIGN 6)."""

from __future__ import annotations

import io
import logging
import os
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from projects.models import File, StorageState
from storage import pipeline, scheduling, tasks
from storage.errors import FileLost, StoreError
from storage.staging import staging_path, unstage
from storage.store import get_store
from tests.stack.pipeline.helpers import staged_file
from tests.stack.stack import sha256

pytestmark = [pytest.mark.stack, pytest.mark.django_db]


def objects(client, bucket) -> dict[str, str]:
    listing = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: sha256(client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
        for item in listing
    }


# --- file_store ----------------------------------------------------------------------------


def test_file_store_copies_verifies_marks_stored_then_unstages(s3, bucket):
    file = staged_file()

    stored = pipeline.file_store(file_id=file.pk)

    assert stored.storage_state == StorageState.STORED and stored.stored_at is not None
    assert objects(s3, bucket) == {file.storage_key: file.sha256}
    assert not staging_path(file.storage_key).exists()


def test_file_store_is_idempotent(s3, bucket):
    file = staged_file()
    pipeline.file_store(file_id=file.pk)
    assert pipeline.file_store(file_id=file.pk).storage_state == StorageState.STORED
    assert objects(s3, bucket) == {file.storage_key: file.sha256}
    assert pipeline.file_store(file_id=10**9) is None


def test_a_copy_already_in_the_store_is_not_written_again(s3, bucket):
    """A worker that died after uploading but before marking the row: the next delivery
    finds the right bytes in the store and only marks the file stored."""
    file = staged_file()
    get_store().put(file.storage_key, staging_path(file.storage_key))
    unstage(file.storage_key)  # without a staged copy, only a verified store helps

    assert pipeline.file_store(file_id=file.pk).storage_state == StorageState.STORED


def test_a_leftover_staged_copy_of_a_stored_file_is_removed(s3):
    file = staged_file()
    pipeline.file_store(file_id=file.pk)
    path = staging_path(file.storage_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"left behind")

    pipeline.file_store(file_id=file.pk)

    assert not path.exists()


def test_file_store_with_the_store_down_raises_and_keeps_the_file_staged(s3_down):
    file = staged_file()

    with pytest.raises(StoreError):
        pipeline.file_store(file_id=file.pk)

    file.refresh_from_db()
    assert file.storage_state == StorageState.STAGED
    assert staging_path(file.storage_key).read_bytes()  # still served from staging


def test_a_file_with_no_staged_copy_and_nothing_stored_is_reported_lost(s3):
    file = staged_file()
    unstage(file.storage_key)

    with pytest.raises(FileLost, match="staged copy missing"):
        pipeline.file_store(file_id=file.pk)


def test_a_damaged_staged_copy_is_reported_lost_and_not_stored(s3, bucket):
    file = staged_file()
    staging_path(file.storage_key).write_bytes(os.urandom(file.size))

    with pytest.raises(FileLost, match="damaged"):
        pipeline.file_store(file_id=file.pk)
    file.refresh_from_db()
    assert file.storage_state == StorageState.STAGED


# --- tasks ---------------------------------------------------------------------------------


def test_store_file_task_stores(s3):
    file = staged_file()
    assert tasks.store_file.apply(args=(file.pk,)).get() == "stored"


def test_store_file_task_retries_with_backoff_then_leaves_the_file_to_the_sweeper(
    settings, s3_down, monkeypatch
):
    settings.PRIVINDEX_STORE_MAX_RETRIES = 2
    countdowns = []
    original = tasks.store_file.retry

    def retry(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return original(*args, **kwargs)

    monkeypatch.setattr(tasks.store_file, "retry", retry)
    file = staged_file()

    tasks.store_file.apply(args=(file.pk,))

    assert len(countdowns) == 2 and all(1 <= c <= 300 for c in countdowns)
    file.refresh_from_db()
    assert file.storage_state == StorageState.STAGED


def test_a_swept_store_is_tried_once(s3_down, caplog):
    file = staged_file()
    with caplog.at_level(logging.WARNING, logger="storage.tasks"):
        result = tasks.store_file.apply(args=(file.pk,), kwargs={"retry": False}).get()
    assert result == "staged"
    assert "the sweeper will try again" in caplog.text


def test_a_lost_file_is_logged_not_retried(s3, caplog):
    file = staged_file()
    unstage(file.storage_key)
    with caplog.at_level(logging.ERROR, logger="storage.tasks"):
        assert tasks.store_file.apply(args=(file.pk,)).get() == "lost"
    assert f"cannot store file {file.pk}" in caplog.text


def test_enqueue_without_a_broker_stores_in_process(s3, bucket):
    file = staged_file()
    scheduling.enqueue_store(file.pk)
    file.refresh_from_db()
    assert file.storage_state == StorageState.STORED


def test_enqueue_with_the_broker_down_logs_and_returns(settings, monkeypatch, caplog):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(scheduling.app, "send_task", refuse)
    with caplog.at_level(logging.WARNING, logger="storage.scheduling"):
        scheduling.enqueue_store(42)
    assert "could not enqueue storing file 42" in caplog.text


# --- the sweeper ---------------------------------------------------------------------------


def age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_sweep_requeues_old_staged_files(settings, s3, bucket):
    settings.PRIVINDEX_STAGED_AGE_SECONDS = 60
    old, young = staged_file(), staged_file()
    File.objects.filter(pk=old.pk).update(upload_time=old.upload_time.replace(year=2020))

    result = tasks.sweep_staged_files.apply().get()

    assert result["requeued"] == 1
    states = dict(File.objects.values_list("pk", "storage_state"))
    assert states == {old.pk: StorageState.STORED, young.pk: StorageState.STAGED}


def test_sweep_removes_staged_copies_nobody_needs(settings, s3):
    settings.PRIVINDEX_STAGED_AGE_SECONDS = 60
    stored = staged_file()
    pipeline.file_store(file_id=stored.pk)
    leftover = staging_path(stored.storage_key)
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"x")
    abandoned = staging_path("aa/bb/cc/gone-1.0-py3-none-any.whl")
    abandoned.parent.mkdir(parents=True)
    abandoned.write_bytes(b"x")
    recent = staging_path("dd/ee/ff/inflight-1.0-py3-none-any.whl")
    recent.parent.mkdir(parents=True)
    recent.write_bytes(b"x")
    temp = staging_path(".incoming/tmpabc.upload.whl")
    temp.write_bytes(b"x")
    age(leftover, 120)
    age(abandoned, 2 * 86400)
    age(recent, 120)
    age(temp, 2 * 86400)

    assert tasks.sweep_staged_files.apply().get()["unstaged"] == 3

    assert [leftover.exists(), abandoned.exists(), recent.exists(), temp.exists()] == [
        False, False, True, False,
    ]  # fmt: skip


def test_sweep_reports_stored_files_missing_from_the_store(s3, bucket, caplog):
    file = staged_file()
    pipeline.file_store(file_id=file.pk)
    s3.delete_object(Bucket=bucket, Key=file.storage_key)

    with caplog.at_level(logging.ERROR, logger="storage.tasks"):
        assert tasks.sweep_staged_files.apply().get()["problems"] == 1
    assert f"({file.filename}): stored copy missing" in caplog.text


# --- checkstorage --------------------------------------------------------------------------


def test_checkstorage_reports_problems_with_a_progress_bar_and_a_summary(s3, bucket):
    good, missing, staged_ok, staged_gone = (staged_file() for _ in range(4))
    for file in (good, missing):
        pipeline.file_store(file_id=file.pk)
    s3.delete_object(Bucket=bucket, Key=missing.storage_key)
    unstage(staged_gone.storage_key)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="2 file"):
        call_command("checkstorage", stdout=out, stderr=err)

    lines = out.getvalue().splitlines()
    assert f"PROBLEM {missing.filename}: stored copy missing (stored)" in lines
    assert f"PROBLEM {staged_gone.filename}: staged copy missing (staged)" in lines
    assert lines[-1] == "Checked 4 file(s): 2 stored, 2 staged; 2 problem(s)."
    assert "checking files [##############################] 4/4 100%" in err.getvalue()
    assert staged_ok.filename not in out.getvalue()


def test_checkstorage_requeue_stores_staged_files(s3):
    file = staged_file()
    out = io.StringIO()
    call_command("checkstorage", "--requeue", "--no-progress", "--quick", stdout=out)
    assert "1 staged (1 re-queued); 0 problem(s)." in out.getvalue()
    file.refresh_from_db()
    assert file.storage_state == StorageState.STORED
