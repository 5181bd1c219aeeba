"""The store pipeline (``storage.pipeline``) on the local store: a staged file is copied to
the store, verified, marked stored and unstaged; the checks on a file's bytes; and the
sweeper's clean-up of staging and spot check of the store (DESIGN 6)."""

import logging
import os
import time
from pathlib import Path

import pytest

from projects.models import File, StorageState
from storage import pipeline
from storage.errors import FileLost
from storage.pipeline import (
    STAGED_COPY_MISSING,
    check_file,
    file_store,
    staged_copies_remove_unneeded,
    staged_files_left,
    stored_files_spot_check,
)
from storage.staging import ABANDONED_STAGED_SECONDS, staging_path, unstage
from storage.store import get_store
from tests import factories
from tests.simple_api.helpers import file_with_bytes

pytestmark = pytest.mark.django_db


def staged_file(content: bytes | None = None) -> File:
    return file_with_bytes(factories.ReleaseFactory(), content or os.urandom(2000), staged=True)


def stored_bytes(file: File) -> bytes:
    with get_store().open(file.storage_key) as fh:
        return fh.read()


def test_a_staged_file_is_stored_verified_marked_and_unstaged():
    file = staged_file()
    content = staging_path(file.storage_key).read_bytes()

    stored = file_store(file_id=file.pk)

    assert stored.storage_state == StorageState.STORED and stored.stored_at is not None
    assert File.objects.get(pk=file.pk).storage_state == StorageState.STORED
    assert stored_bytes(file) == content
    assert not staging_path(file.storage_key).exists()


def test_storing_twice_changes_nothing_the_second_time():
    file = staged_file()
    first = file_store(file_id=file.pk)

    second = file_store(file_id=file.pk)

    assert second.storage_state == StorageState.STORED
    assert second.stored_at == first.stored_at
    assert get_store().verify(file.storage_key, size=file.size, sha256=file.sha256) is None


def test_storing_a_file_that_has_no_row_returns_none():
    assert file_store(file_id=10**9) is None


def test_a_leftover_staged_copy_of_a_stored_file_is_removed():
    file = staged_file()
    file_store(file_id=file.pk)
    leftover = staging_path(file.storage_key)
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"left behind by a worker that died")

    file_store(file_id=file.pk)

    assert not leftover.exists()


def test_a_copy_already_in_the_store_is_only_marked_stored():
    """A worker died after copying but before marking: without a staged copy, the verified
    copy in the store is enough."""
    file = staged_file()
    get_store().put(file.storage_key, staging_path(file.storage_key))
    unstage(file.storage_key)

    assert file_store(file_id=file.pk).storage_state == StorageState.STORED


def test_a_missing_staged_copy_is_lost_and_the_file_stays_staged():
    file = staged_file()
    unstage(file.storage_key)

    with pytest.raises(FileLost, match="staged copy missing"):
        file_store(file_id=file.pk)

    assert File.objects.get(pk=file.pk).storage_state == StorageState.STAGED


@pytest.mark.parametrize("damage", ["other bytes", "truncated"])
def test_a_damaged_staged_copy_is_lost_and_not_marked_stored(damage):
    file = staged_file()
    path = staging_path(file.storage_key)
    path.write_bytes(os.urandom(file.size) if damage == "other bytes" else b"short")

    with pytest.raises(FileLost, match="staged copy damaged"):
        file_store(file_id=file.pk)

    assert File.objects.get(pk=file.pk).storage_state == StorageState.STAGED
    assert path.exists()  # kept for whoever investigates


def test_check_file_passes_a_good_staged_and_a_good_stored_file():
    staged, stored = staged_file(), staged_file()
    stored = file_store(file_id=stored.pk)

    for file in (staged, stored):
        assert check_file(file) is None
        assert check_file(file, deep=False) is None


def test_check_file_reports_a_missing_staged_copy():
    file = staged_file()
    unstage(file.storage_key)
    assert check_file(file) == STAGED_COPY_MISSING == "staged copy missing"


def test_check_file_reports_a_staged_copy_of_the_wrong_size():
    file = staged_file()
    staging_path(file.storage_key).write_bytes(b"short")
    assert check_file(file, deep=False) == f"staged copy has 5 bytes, expected {file.size}"


def test_only_a_deep_check_reads_a_staged_copy_back():
    file = staged_file()
    staging_path(file.storage_key).write_bytes(os.urandom(file.size))
    assert check_file(file) == "staged copy has the wrong sha256"
    assert check_file(file, deep=False) is None


def test_a_stored_file_is_checked_in_the_store_not_in_staging():
    file = file_store(file_id=staged_file().pk)
    path = get_store().path(file.storage_key)

    path.write_bytes(os.urandom(file.size))
    assert check_file(file) == "stored copy has the wrong sha256"
    assert check_file(file, deep=False) is None

    path.unlink()
    assert check_file(file, deep=False) == "stored copy missing"


# --- what the sweeper does ---------------------------------------------------------------


def test_staged_files_left_are_the_old_staged_ones_lowest_first():
    old = [staged_file() for _ in range(3)]
    staged_file()  # uploaded just now
    stored = file_store(file_id=staged_file().pk)
    for file in (*old, stored):
        File.objects.filter(pk=file.pk).update(upload_time=file.upload_time.replace(year=2020))

    assert staged_files_left(older_than=60) == [file.pk for file in old]
    assert staged_files_left(older_than=60, limit=2) == [old[0].pk, old[1].pk]


def _aged(path: Path, seconds: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_an_abandoned_upload_temp_file_goes_but_its_directory_stays(settings):
    incoming = Path(settings.FILE_UPLOAD_TEMP_DIR)
    temp = _aged(incoming / "tmpabc.upload.whl", ABANDONED_STAGED_SECONDS + 60)

    assert staged_copies_remove_unneeded(older_than=60) == 1

    assert not temp.exists()
    assert incoming.is_dir()  # uploads keep streaming into it


def test_only_copies_older_than_asked_are_considered():
    file = file_store(file_id=staged_file().pk)
    leftover = _aged(staging_path(file.storage_key), 30)

    assert staged_copies_remove_unneeded(older_than=60) == 0
    assert leftover.exists()
    assert staged_copies_remove_unneeded(older_than=10) == 1
    assert not leftover.exists()


def test_the_spot_check_counts_and_logs_stored_files_that_fail(caplog):
    _good, bad = (file_store(file_id=staged_file().pk) for _ in range(2))
    get_store().path(bad.storage_key).unlink()

    with caplog.at_level(logging.ERROR, logger="storage.pipeline"):
        assert stored_files_spot_check(batch=10) == 1

    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [f"file {bad.pk} ({bad.filename}): stored copy missing"]


def test_a_spot_check_of_no_files_checks_nothing(monkeypatch):
    file_store(file_id=staged_file().pk)
    monkeypatch.setattr(pipeline, "check_file", pytest.fail)
    assert stored_files_spot_check(batch=0) == 0


def test_the_spot_check_stops_when_the_store_cannot_be_asked(monkeypatch, caplog):
    file_store(file_id=staged_file().pk)

    def unreachable(file, *, deep):
        raise OSError("store unreachable")

    monkeypatch.setattr(pipeline, "check_file", unreachable)
    with caplog.at_level(logging.WARNING, logger="storage.pipeline"):
        assert stored_files_spot_check(batch=10) == 0
    assert "storage check stopped: store unreachable" in caplog.text
