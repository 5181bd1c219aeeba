"""Staging (``storage.staging``): where uploads land before the store has them, how a staged
copy goes again, and how the sweeper finds old ones."""

import os
import time
from pathlib import Path

import pytest

from storage.staging import old_staged_files, stage, staging_path, unstage

KEY = "ab/cd/ef0123/example_pkg-1.0-py3-none-any.whl"


@pytest.fixture
def staging(settings) -> Path:
    return Path(settings.PRIVINDEX_STAGING_DIR)


@pytest.fixture
def upload(settings) -> Path:
    """A streamed upload's temp file, where the upload handler writes it."""
    path = Path(settings.FILE_UPLOAD_TEMP_DIR) / "tmp123.upload.whl"
    path.write_bytes(b"uploaded bytes")
    return path


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_staging_path_is_the_key_under_the_staging_directory(staging):  # S3.24
    assert staging_path(KEY) == (staging / KEY).resolve()


def test_stage_moves_the_upload_to_its_key(staging, upload):
    target = stage(upload, KEY)

    assert target == staging_path(KEY)
    assert target.read_bytes() == b"uploaded bytes"
    assert not upload.exists()


def test_unstage_removes_the_copy_and_its_now_empty_directories(staging, upload):
    stage(upload, KEY)

    unstage(KEY)

    assert not (staging / "ab").exists()
    assert staging.is_dir()  # the staging directory itself stays


def test_unstage_keeps_directories_other_staged_files_are_in(staging, upload):
    stage(upload, KEY)
    neighbour = staging_path("ab/cd/99/other_pkg-1.0-py3-none-any.whl")
    neighbour.parent.mkdir(parents=True)
    neighbour.write_bytes(b"other")

    unstage(KEY)

    assert not (staging / "ab/cd/ef0123").exists()
    assert neighbour.read_bytes() == b"other"


def test_unstage_of_a_key_not_staged_is_harmless(staging):
    unstage(KEY)
    assert list(staging.iterdir()) == [staging / ".incoming"]


def test_old_staged_files_lists_keys_untouched_for_long_enough(staging, upload):
    old = stage(upload, KEY)
    young = staging_path("12/34/5678/young-1.0-py3-none-any.whl")
    young.parent.mkdir(parents=True)
    young.write_bytes(b"young")
    age(old, 600)
    age(young, 10)

    found = dict(old_staged_files(300))

    assert set(found) == {KEY}
    assert 600 <= found[KEY] < 700


def test_old_upload_temp_files_are_listed_by_their_path_in_staging(upload):
    age(upload, 2 * 86400)
    assert [key for key, _ in old_staged_files(86400)] == [".incoming/tmp123.upload.whl"]


@pytest.mark.parametrize("key", ["../outside.whl", "ab/../../outside.whl", "/tmp/outside.whl"])
def test_a_key_escaping_staging_is_refused(upload, key):
    for operation in (lambda: staging_path(key), lambda: stage(upload, key), lambda: unstage(key)):
        with pytest.raises(ValueError, match="storage key escapes staging"):
            operation()
    assert upload.exists()
