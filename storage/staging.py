"""Staging: the directory uploads write into and workers copy from.

Staging must be shared by the web processes (which write it) and the workers (which copy it
to the store): one host, or a shared volume.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from django.conf import settings

# Staged files without a database row are abandoned uploads once this old (a transaction
# never lasts that long).
ABANDONED_STAGED_SECONDS = 24 * 3600
# Staging areas other pipelines own: cached upstream files (upstream.pipeline sweeps them)
# and the lock files of upstream fetches (removing one a process holds would break the lock).
OTHER_PIPELINES = ("upstream/", ".locks/")


def staging_path(storage_key: str) -> Path:
    root = Path(settings.PRIVINDEX_STAGING_DIR)
    path = (root / storage_key).resolve()
    if root.resolve() not in path.parents:
        raise ValueError("storage key escapes staging")
    return path


def stage(source: Path, storage_key: str) -> Path:
    """Move an uploaded temp file into staging (same file system: a rename)."""
    target = staging_path(storage_key)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:
        shutil.copyfile(source, target)
        Path(source).unlink(missing_ok=True)
    return target


def unstage(storage_key: str) -> None:
    path = staging_path(storage_key)
    path.unlink(missing_ok=True)
    # Remove the now-empty content-addressed directories (best effort).
    root = Path(settings.PRIVINDEX_STAGING_DIR).resolve()
    parent = path.parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent


def old_staged_files(older_than: float) -> list[tuple[str, float]]:
    """(storage key, age in seconds) of staged files not modified for ``older_than`` seconds.

    Upload temp files (``.incoming``) are listed under their path relative to staging.
    """
    root = Path(settings.PRIVINDEX_STAGING_DIR)
    now = time.time()
    found = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath) / name
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            key = path.relative_to(root).as_posix()
            if age >= older_than and not key.startswith(OTHER_PIPELINES):
                found.append((key, age))
    return found
