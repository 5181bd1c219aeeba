"""Recording an uploaded file: its project (created on first upload), release and file rows.

The bytes go into staging; storing them is scheduled on commit (``storage.scheduling``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from packaging.utils import canonicalize_name, canonicalize_version

from projects.models import (
    CoreMetadata,
    File,
    FilenameRegistry,
    PackageType,
    Project,
    Release,
    StorageState,
    storage_key,
)
from projects.services.base import ServiceError, acting, record
from projects.services.projects import project_create
from storage import staging
from storage.scheduling import enqueue_store
from uploads.validation.filename import wheel_identity

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import Organization


@dataclass
class FileUpload:
    """A validated upload, ready to be recorded. ``path`` is the streamed temp file."""

    path: Path
    filename: str
    packagetype: str
    python_version: str
    size: int
    sha256: str
    blake2_256: str
    md5: str
    name: str
    version: str
    requires_python: str = ""
    core_metadata: bytes | None = None
    release_fields: dict[str, Any] = field(default_factory=dict)


def release_file_upload(
    *,
    principal: Principal,
    project: Project | None,
    upload: FileUpload,
    organization: Organization | None = None,
    new_project_visibility: str | None = None,
) -> File:
    """Record an uploaded file: project (created if ``project`` is None), release, file.

    The bytes move into staging, the rows are written in one transaction with
    ``storage_state=staged``, and a task to store the file is scheduled on commit. On any
    failure the staged copy is removed: nothing is left behind. Raises ServiceError for
    duplicates and release rules (S3.14, S3.15, S3.18).
    """
    key = storage_key(upload.blake2_256, upload.filename)
    staging.stage(upload.path, key)
    try:
        with transaction.atomic():
            if project is None:
                project = project_create(
                    name=upload.name,
                    principal=principal,
                    organization=organization,
                    visibility=new_project_visibility,
                )
            else:
                project = Project.objects.select_for_update().get(pk=project.pk)
                spelled = canonicalize_name(upload.name) == project.normalized_name
                if project.name != upload.name and spelled:
                    project.name = upload.name  # S3.8: the newest spelling wins
                    project.save(update_fields=["name"])
            release = _release_for(project, upload)
            _check_release_rules(release, upload)
            _check_size_limits(project, upload)
            try:
                with transaction.atomic():
                    FilenameRegistry.objects.create(filename=upload.filename)
            except IntegrityError:
                raise ServiceError(
                    "This filename was previously used by a file that has since been deleted. "
                    "Use a different version."
                ) from None
            file = File.objects.create(
                release=release,
                filename=upload.filename,
                packagetype=upload.packagetype,
                python_version=upload.python_version,
                requires_python=upload.requires_python or release.requires_python,
                size=upload.size,
                sha256=upload.sha256,
                blake2_256=upload.blake2_256,
                md5=upload.md5,
                metadata_sha256=(
                    hashlib.sha256(upload.core_metadata).hexdigest()
                    if upload.core_metadata is not None
                    else None
                ),
                uploaded_by=principal.user,
                storage_state=StorageState.STAGED,
            )
            if upload.core_metadata is not None:
                CoreMetadata.objects.create(file=file, content=upload.core_metadata)
            record(
                "file:upload",
                by=acting(principal=principal),
                project=project,
                filename=upload.filename,
                version=release.version,
                sha256=upload.sha256,
            )
            transaction.on_commit(lambda: enqueue_store(file.pk), robust=True)
    except BaseException:
        _unstage_unless_committed(key, upload.filename)
        raise
    return file


def _unstage_unless_committed(key: str, filename: str) -> None:
    """Remove a staged copy no row refers to. A failed COMMIT may still have committed, and a
    concurrent identical upload shares the staging path: if a row exists, the bytes stay. If
    the database cannot tell, they stay too; the sweeper removes staged copies nobody needs."""
    try:
        committed = File.objects.filter(filename=filename).exists()
    except DatabaseError:
        return
    if not committed:
        staging.unstage(key)


def _release_for(project: Project, upload: FileUpload) -> Release:
    canonical = canonicalize_version(upload.version)
    release = Release.objects.filter(project=project, canonical_version=canonical).first()
    if release is None:
        release = Release.objects.create(
            project=project,
            version=upload.version,
            canonical_version=canonical,
            **upload.release_fields,
        )
    return release


def _check_release_rules(release: Release, upload: FileUpload) -> None:
    if upload.packagetype == "sdist" and release.files.filter(packagetype="sdist").exists():
        raise ServiceError("Only one sdist may be uploaded per release.")
    if upload.packagetype == PackageType.WHEEL:
        # Versions compare canonically (1.0 is 1.0.0), so one release can be reached by two
        # spellings of a wheel's filename: refuse the second, or installers pick either.
        identity = wheel_identity(upload.filename)
        wheels = release.files.filter(packagetype=PackageType.WHEEL)
        for existing in wheels.values_list("filename", flat=True):
            if wheel_identity(existing) == identity:
                raise ServiceError(
                    f"File already exists ('{upload.filename}' is the same wheel as "
                    f"'{existing}', with blake2_256 hash '{upload.blake2_256}')."
                )
    days = settings.PRIVINDEX_RELEASE_CLOSE_DAYS
    closed_before = timezone.now() - dt.timedelta(days=days)
    if days and release.created < closed_before and release.files.exists():
        raise ServiceError(
            f"Uploading new files to releases older than {days} days is not allowed."
        )


def _check_size_limits(project: Project, upload: FileUpload) -> None:
    file_limit = max(settings.PRIVINDEX_DEFAULT_FILE_SIZE_LIMIT, project.upload_limit or 0)
    file_limit = min(file_limit, settings.PRIVINDEX_MAX_FILE_SIZE)
    if upload.size > file_limit:
        raise ServiceError(
            f"File too large. Limit for project '{project.name}' is {file_limit // 1024**2} MB."
        )
    total_limit = max(settings.PRIVINDEX_DEFAULT_PROJECT_SIZE_LIMIT, project.total_size_limit or 0)
    used = File.objects.filter(release__project=project).aggregate(t=Sum("size"))["t"] or 0
    if used + upload.size > total_limit:
        raise ServiceError(
            f"Project size too large. Limit for project '{project.name}' total size is "
            f"{total_limit // 1024**3} GB."
        )
