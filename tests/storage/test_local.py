"""The local file system store (``storage.local``): atomic writes, reads, the deep and shallow
check, deletes, the health ping, and keys that would leave the store's root."""

import hashlib
import os
from pathlib import Path

import pytest

from storage.errors import StoreError
from storage.local import LocalFileStore

KEY = "ab/cd/ef0123/example_pkg-1.0-py3-none-any.whl"


@pytest.fixture
def store(settings) -> LocalFileStore:
    return LocalFileStore(settings.PRIVINDEX_FILES_DIR)


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "upload.whl"
    path.write_bytes(b"wheel bytes " * 100)
    return path


def leftovers(root: Path) -> list[str]:
    return [p.name for p in root.rglob(".incoming-*")]


def test_put_writes_the_bytes_under_the_key_and_leaves_no_temp_file(store, source):
    store.put(KEY, source)

    assert (store.root / KEY).read_bytes() == source.read_bytes()
    assert source.exists()  # a copy: staging keeps its file until the row says stored
    assert leftovers(store.root) == []


def test_put_over_an_existing_key_replaces_it_whole(store, source, tmp_path):
    store.put(KEY, source)
    other = tmp_path / "other.whl"
    other.write_bytes(b"other")

    store.put(KEY, other)

    assert (store.root / KEY).read_bytes() == b"other"
    assert leftovers(store.root) == []


def test_a_failed_put_leaves_the_old_copy_and_no_temp_file(store, source, tmp_path):
    store.put(KEY, source)

    with pytest.raises(FileNotFoundError):
        store.put(KEY, tmp_path / "gone.whl")

    assert (store.root / KEY).read_bytes() == source.read_bytes()
    assert leftovers(store.root) == []


def test_reads_of_a_stored_key(store, source):
    store.put(KEY, source)
    content = source.read_bytes()

    assert store.exists(KEY)
    assert store.size(KEY) == len(content)
    assert store.sha256(KEY) == hashlib.sha256(content).hexdigest()
    with store.open(KEY) as fh:
        assert fh.read() == content


def test_reads_of_a_missing_key(store):
    assert not store.exists(KEY)
    assert store.size(KEY) is None
    assert store.sha256(KEY) is None
    with pytest.raises(FileNotFoundError):
        store.open(KEY)


def test_verify_accepts_the_right_bytes(store, source):
    store.put(KEY, source)
    content = source.read_bytes()
    digest = hashlib.sha256(content).hexdigest()

    assert store.verify(KEY, size=len(content), sha256=digest) is None
    assert store.verify(KEY, size=len(content), sha256=digest, deep=False) is None


def test_verify_reports_a_missing_copy_and_a_wrong_size(store, source):
    assert store.verify(KEY, size=1, sha256="0" * 64) == "stored copy missing"
    store.put(KEY, source)
    size = source.stat().st_size

    assert store.verify(KEY, size=size + 1, sha256="0" * 64, deep=False) == (
        f"stored copy has {size} bytes, expected {size + 1}"
    )


def test_only_a_deep_verify_reads_the_bytes_back(store, source):
    store.put(KEY, source)
    content = source.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    (store.root / KEY).write_bytes(bytes(len(content)))  # same size, other bytes

    assert store.verify(KEY, size=len(content), sha256=digest) == (
        "stored copy has the wrong sha256"
    )
    assert store.verify(KEY, size=len(content), sha256=digest, deep=False) is None


def test_delete_removes_the_copy_and_may_be_repeated(store, source):
    store.put(KEY, source)

    store.delete(KEY)
    store.delete(KEY)

    assert not store.exists(KEY)


def test_local_files_are_served_by_the_app_not_presigned(store, source):
    store.put(KEY, source)
    assert store.presigned_url(KEY, filename="x.whl", expires=60) is None


def test_ping_passes_on_a_writable_root(store):
    store.ping()


def test_ping_fails_when_the_root_is_missing(tmp_path):
    with pytest.raises(StoreError, match="is not writable"):
        LocalFileStore(tmp_path / "nowhere").ping()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to any directory")
def test_ping_fails_when_the_root_is_read_only(store):
    store.root.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="is not writable"):
            store.ping()
    finally:
        store.root.chmod(0o755)


@pytest.mark.parametrize("key", ["../outside.whl", "ab/../../outside.whl", "/etc/passwd", "", "."])
def test_a_key_escaping_the_root_is_refused(store, source, key):
    for operation in (
        lambda: store.put(key, source),
        lambda: store.open(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
    ):
        with pytest.raises(ValueError, match="storage key escapes the store"):
            operation()
    assert not (store.root.parent / "outside.whl").exists()


def test_a_key_through_a_symlink_out_of_the_root_is_refused(store, source, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.root / "ab").symlink_to(outside)

    with pytest.raises(ValueError, match="storage key escapes the store"):
        store.put("ab/x.whl", source)
    assert list(outside.iterdir()) == []
