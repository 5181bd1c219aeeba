"""Deleting a file, a release or a project (issue 10): one service for the web UI, the admin
and the REST API. Whether the caller may is theirs to ask (``access.decide``,
``Action.MANAGE``).

A deleted file's name stays reserved forever (``FilenameRegistry``, S3.15): the same filename
can never be uploaded again, so a deletion cannot be used to swap the bytes behind a name.
Its bytes are removed from the store and from staging when the transaction commits
(``storage.scheduling.enqueue_removal``); a ``FileRemoval`` row, written with the deletion,
keeps the work for the sweeper if the store is down. Each deletion is one audit event, which
names what went (files with their sha256), and stays after the project is gone.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction

from projects.models import File, FileRemoval, Project, Release
from projects.services.base import UNSET, Unset, acting, record
from projects.services.roles import project_locked
from storage.scheduling import enqueue_removal

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import User


def _files_remove(files: list[File]) -> list[dict[str, str]]:
    """Delete the rows of ``files`` and schedule their bytes' removal; what the event says."""
    gone = [
        {"filename": f.filename, "sha256": f.sha256, "version": f.release.version} for f in files
    ]
    keys = [f.storage_key for f in files]
    FileRemoval.objects.bulk_create(
        [FileRemoval(storage_key=key) for key in keys], ignore_conflicts=True
    )
    File.objects.filter(pk__in=[f.pk for f in files]).delete()  # core metadata goes with them
    for key in keys:
        transaction.on_commit(partial(enqueue_removal, key))
    return gone


@transaction.atomic
def file_delete(
    *,
    file: File,
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> None:
    """Delete one file of a release (the release stays, even if it has no file left).
    Records ``file:delete`` with its filename, version and sha256."""
    by = acting(principal=principal, actor=actor)
    project = project_locked(file.release.project)
    stored = File.objects.select_related("release").get(pk=file.pk)
    gone = _files_remove([stored])
    record("file:delete", by=by, project=project, **gone[0])


@transaction.atomic
def release_delete(
    *,
    release: Release,
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> None:
    """Delete a release and its files. Records ``release:delete`` with the version and each
    file (filename, sha256)."""
    by = acting(principal=principal, actor=actor)
    project = project_locked(release.project)
    stored = Release.objects.get(pk=release.pk)
    files = list(stored.files.select_related("release").order_by("filename"))
    gone = _files_remove(files)
    version = stored.version
    stored.delete()
    record("release:delete", by=by, project=project, version=version, files=gone)


@transaction.atomic
def project_delete(
    *,
    project: Project,
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> None:
    """Delete a project with its releases, files and roles. Its name becomes free again (a new
    project may take it, subject to the name rules); its filenames never do. Records
    ``project:delete`` (the event keeps the name, the organization and every file; its link
    to the project goes with the project)."""
    by = acting(principal=principal, actor=actor)
    locked = project_locked(project)
    files = list(
        File.objects.filter(release__project=locked)
        .select_related("release")
        .order_by("release__id", "filename")
    )
    gone = _files_remove(files)
    versions = list(locked.releases.order_by("id").values_list("version", flat=True))
    # Recorded before the row goes, so the event carries the organization; Event.project is
    # set to NULL by the deletion and the data keeps the name.
    record(
        "project:delete",
        by=by,
        project=locked,
        name=locked.name,
        versions=versions,
        files=gone,
    )
    Project.objects.filter(pk=locked.pk).delete()
