"""The store pipeline: a staged file is copied to the store, verified, marked stored and
unstaged; the checks that say whether a file's bytes are where the database says; and the
sweeper's clean-up of staged copies nobody needs and its spot check of stored files.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from projects.models import File, FileRemoval, StorageState
from storage.base import sha256_of
from storage.errors import FileLost, StoreError
from storage.staging import ABANDONED_STAGED_SECONDS, old_staged_files, staging_path, unstage
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


def staged_files_left(*, older_than: float, limit: int = 1000) -> list[int]:
    """The ids (lowest first, at most ``limit``) of files still staged that were uploaded more
    than ``older_than`` seconds ago: the sweeper schedules storing them again."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than)
    return list(
        File.objects.filter(storage_state=StorageState.STAGED, upload_time__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def staged_copies_remove_unneeded(*, older_than: float) -> int:
    """Remove the staged copies not modified for ``older_than`` seconds that nobody needs, and
    return how many went.

    Unneeded: the copy of a file already stored (a worker died between marking and
    unstaging), a staged file with no row a day on (an abandoned upload), and an upload temp
    file or anything else in staging that is not a staged file, a day on. A copy whose row is
    still staged is kept. Raises nothing of its own; database errors propagate.
    """
    removed = 0
    for key, seconds in old_staged_files(older_than):
        parts = key.split("/")
        if len(parts) == 4:
            blake2_256 = "".join(parts[:3])
            state = (
                File.objects.filter(blake2_256=blake2_256, filename=parts[3])
                .values_list("storage_state", flat=True)
                .first()
            )
            unneeded = state == StorageState.STORED or (
                state is None and seconds > ABANDONED_STAGED_SECONDS
            )
        else:  # upload temp files and anything else that is not a staged file
            unneeded = seconds > ABANDONED_STAGED_SECONDS
        if unneeded:
            if len(parts) == 4:
                unstage(key)
            else:
                # Not ``unstage()``: that would also remove the emptied upload temp directory.
                (Path(settings.PRIVINDEX_STAGING_DIR) / key).unlink(missing_ok=True)
            removed += 1
    return removed


def stored_files_spot_check(*, batch: int) -> int:
    """Check (``check_file``, not deep) up to ``batch`` files stored since the last two
    sweeps and a run of up to ``batch`` older ones from a random start; return how many
    failed their check.

    Each problem is logged as an error. A store that cannot be asked (an OSError) stops the
    check with a warning; nothing is raised for it. ``batch <= 0`` checks nothing.
    """
    if batch <= 0:
        return 0
    stored = File.objects.filter(storage_state=StorageState.STORED).order_by("pk")
    recent = timezone.now() - dt.timedelta(seconds=2 * settings.PRIVINDEX_SWEEP_SECONDS)
    files = list(stored.filter(stored_at__gte=recent)[:batch])
    highest = stored.values_list("pk", flat=True).last()
    if highest:
        start = random.randint(1, highest)
        files += list(stored.filter(pk__gte=start)[:batch])
    problems = 0
    for file in {file.pk: file for file in files}.values():
        try:
            problem = check_file(file, deep=False)
        except OSError as exc:
            log.warning("storage check stopped: %s", exc)
            break
        if problem is not None:
            problems += 1
            log.error("file %s (%s): %s", file.pk, file.filename, problem)
    return problems


def file_bytes_remove(*, storage_key: str) -> bool:
    """Remove a deleted file's bytes from the store and staging, then its ``FileRemoval``
    row. Idempotent. Raises StoreError (an OSError; retry later) when the store fails: the row
    stays for the sweeper. Returns False when the key names a file that exists again (never:
    filenames are not reused) and so is kept."""
    if File.objects.filter(
        blake2_256="".join(storage_key.split("/")[:3]), filename=storage_key.split("/")[-1]
    ).exists():
        FileRemoval.objects.filter(storage_key=storage_key).delete()
        return False
    get_store().delete(storage_key)
    unstage(storage_key)
    FileRemoval.objects.filter(storage_key=storage_key).delete()
    log.info("removed the bytes of deleted file %s", storage_key)
    return True


def file_removals_left(*, older_than: float, limit: int = 1000) -> list[str]:
    """Storage keys of deleted files whose bytes are still to be removed, ``older_than``
    seconds on (the sweeper's work)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than)
    return list(
        FileRemoval.objects.filter(created__lt=cutoff)
        .order_by("created")
        .values_list("storage_key", flat=True)[:limit]
    )
