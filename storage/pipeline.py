"""The store pipeline: a staged file is copied to the store, verified, marked stored and
unstaged; and the checks that say whether a file's bytes are where the database says.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from projects.models import File, StorageState
from storage.base import sha256_of
from storage.errors import FileLost, StoreError
from storage.staging import staging_path, unstage
from storage.store import get_store

log = logging.getLogger(__name__)

STAGED_COPY_MISSING = "staged copy missing"


def file_store(*, file_id: int) -> File | None:
    """Copy a staged file to the store, verify size and sha256, mark it stored, unstage it.

    Idempotent: the broker may deliver twice, and two workers may race on one file. A file
    already stored only loses a leftover staged copy; a store that already holds the right
    bytes is not written again. No database transaction is open during the network calls,
    and the staged copy goes only after the row says ``stored``. Raises StoreError (an
    OSError; retry later) when the store fails or the copy does not verify, and FileLost
    when the staged copy is gone or damaged (no retry can help).
    """
    file = File.objects.filter(pk=file_id).first()
    if file is None:
        return None
    key = file.storage_key
    if file.storage_state == StorageState.STORED:
        unstage(key)  # left behind by a worker that died after marking
        return file
    store = get_store()
    if store.verify(key, size=file.size, sha256=file.sha256) is not None:
        staged = staging_path(key)
        try:
            store.put(key, staged)
        except FileNotFoundError:
            if File.objects.filter(pk=file.pk, storage_state=StorageState.STORED).exists():
                return File.objects.get(pk=file.pk)  # another worker finished first
            raise FileLost(f"file {file.pk} ({file.filename}): staged copy missing") from None
        problem = store.verify(key, size=file.size, sha256=file.sha256)
        if problem is not None:
            if check_file(file) is not None:
                raise FileLost(f"file {file.pk} ({file.filename}): staged copy damaged")
            raise StoreError(f"file {file.pk} ({file.filename}) did not verify: {problem}")
    updated = File.objects.filter(pk=file.pk, storage_state=StorageState.STAGED).update(
        storage_state=StorageState.STORED, stored_at=timezone.now()
    )
    if updated:
        log.info("stored file %s (%s)", file.pk, file.filename)
    unstage(key)
    file.refresh_from_db()
    return file


def check_file(file: File, *, deep: bool = True) -> str | None:
    """What is wrong with ``file``'s bytes where the database says they are, or None.

    A stored file is checked in the store (size, sha256); a staged file in staging. No
    database access (safe in threads). Raises StoreError when the store cannot be asked.
    """
    if file.storage_state == StorageState.STORED:
        return get_store().verify(file.storage_key, size=file.size, sha256=file.sha256, deep=deep)
    path = staging_path(file.storage_key)
    try:
        actual = path.stat().st_size
    except FileNotFoundError:
        return STAGED_COPY_MISSING  # or stored meanwhile: callers re-read the row to tell
    if actual != file.size:
        return f"staged copy has {actual} bytes, expected {file.size}"
    if deep:
        with open(path, "rb") as fh:
            if sha256_of(fh) != file.sha256:
                return "staged copy has the wrong sha256"
    return None
