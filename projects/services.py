"""Writes to projects, releases and files. Callers have already asked ``projects.access``.

Each service is atomic, records an audit ``Event`` and schedules side effects on commit.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from packaging.utils import canonicalize_name, canonicalize_version

from accounts.models import Visibility
from projects import storage
from projects.models import (
    CoreMetadata,
    Event,
    File,
    FilenameRegistry,
    Project,
    ProjectRole,
    ProjectRoleName,
    ProjectStatus,
    Release,
    StorageState,
    TeamProjectRole,
    storage_key,
)

if TYPE_CHECKING:
    from accounts.models import Organization, User
    from projects.access import Principal
    from tokens.models import Token

log = logging.getLogger(__name__)


class ServiceError(ValueError):
    """A request that is well formed but cannot be carried out; the message is for the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _event(
    action: str,
    *,
    principal: Principal | None = None,
    actor: User | None = None,
    project: Project | None = None,
    **data: Any,
) -> Event:
    token: Token | None = principal.token if principal is not None else None
    user = actor if actor is not None else (principal.user if principal is not None else None)
    return Event.objects.create(action=action, actor=user, token=token, project=project, data=data)


_CONFUSABLES = str.maketrans({"l": "1", "i": "1", "o": "0", ".": None, "_": None, "-": None})


def ultranormalize_name(name: str) -> str:
    """Fold names that read alike (S3.6): drop ``._-``, l/i -> 1, o -> 0, lowercase."""
    return name.lower().translate(_CONFUSABLES)


def _stdlib_names() -> frozenset[str]:
    import sys

    return frozenset(canonicalize_name(n) for n in sys.stdlib_module_names if not n.startswith("_"))


def project_name_check(name: str) -> None:
    """Refuse names no new project may take (S3.6). Raises ServiceError."""
    normalized = canonicalize_name(name)
    if normalized in _stdlib_names():
        raise ServiceError(
            f"The name '{name}' isn't allowed (conflict with Python Standard Library module name)."
        )
    if normalized in {canonicalize_name(n) for n in _prohibited_names()}:
        raise ServiceError(f"The name '{name}' isn't allowed.")
    if Project.objects.filter(ultranormalized_name=ultranormalize_name(name)).exists():
        raise ServiceError(f"The name '{name}' is too similar to an existing project.")


def _prohibited_names() -> list[str]:
    from django.conf import settings

    return list(getattr(settings, "PRIVINDEX_PROHIBITED_NAMES", []))


@transaction.atomic
def project_create(
    *,
    name: str,
    principal: Principal,
    organization: Organization | None = None,
    visibility: str | None = None,
) -> Project:
    """Create a project owned by the principal's user (or placed in ``organization``).

    Visibility defaults to the organization's default, else the site default (private).
    Raises ServiceError(409) if the normalized name is taken, ServiceError(400) for a name
    that is reserved or too similar to an existing one (S3.6).
    """
    from django.conf import settings

    if Project.objects.filter(normalized_name=canonicalize_name(name)).exists():
        raise ServiceError(f"The name '{name}' conflicts with an existing project.", 409)
    project_name_check(name)

    if visibility is None:
        visibility = (
            organization.default_visibility
            if organization is not None
            else settings.PRIVINDEX_DEFAULT_VISIBILITY
        )
    try:
        with transaction.atomic():
            project = Project.objects.create(
                name=name,
                normalized_name=canonicalize_name(name),
                ultranormalized_name=ultranormalize_name(name),
                visibility=visibility,
                organization=organization,
            )
    except IntegrityError:
        raise ServiceError(f"The name '{name}' conflicts with an existing project.", 409) from None
    if principal.user is not None:
        ProjectRole.objects.create(project=project, user=principal.user, role=ProjectRoleName.OWNER)
    _event(
        "project:create",
        principal=principal,
        project=project,
        name=name,
        visibility=visibility,
        organization=organization.name if organization else None,
    )
    return project


@transaction.atomic
def project_visibility_set(
    *,
    project: Project,
    visibility: str,
    actor: User | None = None,
    principal: Principal | None = None,
) -> Project:
    """Make ``project`` public or private. Raises ServiceError on an unknown value."""
    if visibility not in Visibility.values:
        raise ServiceError(f"Visibility must be one of {', '.join(Visibility.values)}.")
    if project.visibility != visibility:
        previous = project.visibility
        project.visibility = visibility
        project.save(update_fields=["visibility"])
        _event(
            "project:visibility",
            principal=principal,
            actor=actor,
            project=project,
            previous=previous,
            visibility=visibility,
        )
    return project


@transaction.atomic
def project_status_set(
    *,
    project: Project,
    status: str,
    reason: str = "",
    actor: User | None = None,
    principal: Principal | None = None,
) -> Project:
    """Set the PEP 792 status marker. Raises ServiceError on an unknown status."""
    if status not in ProjectStatus.values:
        raise ServiceError(f"Status must be one of {', '.join(ProjectStatus.values)}.")
    project.status = status
    project.status_reason = reason
    project.save(update_fields=["status", "status_reason"])
    _event(
        "project:status",
        principal=principal,
        actor=actor,
        project=project,
        status=status,
        reason=reason,
    )
    return project


@transaction.atomic
def release_yank_set(
    *,
    release: Release,
    yanked: bool,
    reason: str = "",
    actor: User | None = None,
    principal: Principal | None = None,
) -> Release:
    """Yank (``yanked=True``) or un-yank a release (PEP 592)."""
    release.yanked = yanked
    release.yanked_reason = reason if yanked else ""
    release.save(update_fields=["yanked", "yanked_reason"])
    _event(
        "release:yank" if yanked else "release:unyank",
        principal=principal,
        actor=actor,
        project=release.project,
        version=release.version,
        reason=reason,
    )
    return release


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
    from projects.tasks import enqueue_store

    key = storage_key(upload.blake2_256, upload.filename)
    storage.stage(upload.path, key)
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
            _event(
                "file:upload",
                principal=principal,
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
    from django.db import DatabaseError

    try:
        committed = File.objects.filter(filename=filename).exists()
    except DatabaseError:
        return
    if not committed:
        storage.unstage(key)


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
    from django.conf import settings

    if upload.packagetype == "sdist" and release.files.filter(packagetype="sdist").exists():
        raise ServiceError("Only one sdist may be uploaded per release.")
    days = settings.PRIVINDEX_RELEASE_CLOSE_DAYS
    closed_before = timezone.now() - timezone.timedelta(days=days)
    if days and release.created < closed_before and release.files.exists():
        raise ServiceError(
            f"Uploading new files to releases older than {days} days is not allowed."
        )


def _check_size_limits(project: Project, upload: FileUpload) -> None:
    from django.conf import settings
    from django.db.models import Sum

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
        storage.unstage(key)  # left behind by a worker that died after marking
        return file
    store = storage.get_store()
    if store.verify(key, size=file.size, sha256=file.sha256) is not None:
        staged = storage.staging_path(key)
        try:
            store.put(key, staged)
        except FileNotFoundError:
            if File.objects.filter(pk=file.pk, storage_state=StorageState.STORED).exists():
                return File.objects.get(pk=file.pk)  # another worker finished first
            raise storage.FileLost(
                f"file {file.pk} ({file.filename}): staged copy missing"
            ) from None
        problem = store.verify(key, size=file.size, sha256=file.sha256)
        if problem is not None:
            if storage.check_file(file) is not None:
                raise storage.FileLost(f"file {file.pk} ({file.filename}): staged copy damaged")
            raise storage.StoreError(f"file {file.pk} ({file.filename}) did not verify: {problem}")
    updated = File.objects.filter(pk=file.pk, storage_state=StorageState.STAGED).update(
        storage_state=StorageState.STORED, stored_at=timezone.now()
    )
    if updated:
        log.info("stored file %s (%s)", file.pk, file.filename)
    storage.unstage(key)
    file.refresh_from_db()
    return file


@transaction.atomic
def project_role_set(
    *,
    project: Project,
    user: User,
    role: str,
    actor: User | None = None,
    principal: Principal | None = None,
) -> ProjectRole:
    """Give ``user`` ``role`` on ``project`` (replacing any role they had)."""
    if role not in ProjectRoleName.values:
        raise ServiceError(f"Role must be one of {', '.join(ProjectRoleName.values)}.")
    project_role, _ = ProjectRole.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    _event(
        "project:role-set",
        principal=principal,
        actor=actor,
        project=project,
        user=user.username,
        role=role,
    )
    return project_role


@transaction.atomic
def project_role_remove(
    *, project: Project, user: User, actor: User | None = None, principal: Principal | None = None
) -> None:
    """Remove ``user``'s direct role. Refuses to remove the last owner of a project
    that has no organization (it would become unmanageable)."""
    role = ProjectRole.objects.filter(project=project, user=user).first()
    if role is None:
        raise ServiceError(f"'{user.username}' has no role on '{project.name}'.", 404)
    if (
        role.role == ProjectRoleName.OWNER
        and project.organization_id is None
        and not ProjectRole.objects.filter(project=project, role=ProjectRoleName.OWNER)
        .exclude(pk=role.pk)
        .exists()
    ):
        raise ServiceError("A project needs at least one owner.", 409)
    role.delete()
    _event(
        "project:role-remove", principal=principal, actor=actor, project=project, user=user.username
    )


@transaction.atomic
def team_project_role_set(
    *,
    project: Project,
    team,
    role: str,
    actor: User | None = None,
    principal: Principal | None = None,
) -> TeamProjectRole:
    """Give a team of the project's organization ``role`` on ``project``."""
    if role not in ProjectRoleName.values:
        raise ServiceError(f"Role must be one of {', '.join(ProjectRoleName.values)}.")
    if project.organization_id is None or team.organization_id != project.organization_id:
        raise ServiceError("Only teams of the project's organization can hold roles on it.")
    team_role, _ = TeamProjectRole.objects.update_or_create(
        project=project, team=team, defaults={"role": role}
    )
    _event(
        "project:team-role-set",
        principal=principal,
        actor=actor,
        project=project,
        team=team.name,
        role=role,
    )
    return team_role
