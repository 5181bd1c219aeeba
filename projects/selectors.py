"""Reads. Each selector fixes its own joins so callers cannot cause N+1 queries.

Listings take a principal and go through ``access.projects_visible_to``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion, Version

from access import Principal, project_offers_files, projects_listed, projects_visible_to
from projects.models import (
    File,
    Project,
    ProjectRole,
    Release,
    TeamProjectRole,
    storage_key,
)


def project_get(*, name: str) -> Project | None:
    """The project whose normalized name matches ``name`` (any spelling), or None."""
    return (
        Project.objects.select_related("organization")
        .filter(normalized_name=canonicalize_name(name))
        .first()
    )


def project_index_list(*, principal: Principal) -> list[tuple[str, str]]:
    """(display name, normalized name) of every project the principal may read and the index
    lists (S4.14, S1.42)."""
    return list(
        projects_listed(projects_visible_to(principal))
        .order_by("normalized_name")
        .values_list("name", "normalized_name")
    )


def project_list(*, principal: Principal, query: str = "") -> QuerySet[Project]:
    """Projects ``principal`` may read (the read twin), optionally searched, by name."""
    qs = projects_visible_to(principal).select_related("organization")
    if query:
        qs = qs.filter(
            Q(normalized_name__contains=canonicalize_name(query)) | Q(name__icontains=query)
        )
    return qs.order_by("normalized_name")


def project_search(*, principal: Principal, query: str = "", limit: int = 50) -> QuerySet[Project]:
    """The first ``limit`` matches, with their release counts (web search)."""
    return project_list(principal=principal, query=query).annotate(release_count=Count("releases"))[
        :limit
    ]


@dataclass(frozen=True, slots=True)
class FileRow:
    """What a simple page needs of a file: plain values, no model instances (hot path)."""

    filename: str
    size: int
    sha256: str
    blake2_256: str
    requires_python: str
    metadata_sha256: str | None
    upload_time: dt.datetime
    version: str
    yanked: bool
    yanked_reason: str

    @property
    def storage_key(self) -> str:
        return storage_key(self.blake2_256, self.filename)


_FILE_ROW_FIELDS = (
    "filename", "size", "sha256", "blake2_256", "requires_python", "metadata_sha256",
    "upload_time", "release__version", "release__yanked", "release__yanked_reason",
)  # fmt: skip


def project_files_list(*, project: Project) -> list[FileRow]:
    """The files offered on the project's simple page (one query)."""
    if not project_offers_files(project):
        return []
    rows = (
        File.objects.filter(release__project_id=project.pk)
        .order_by("release__canonical_version", "filename")
        .values_list(*_FILE_ROW_FIELDS)
    )
    return [FileRow(*row) for row in rows]


def project_versions_list(*, project: Project) -> list[str]:
    return list(
        Release.objects.filter(project=project)
        .order_by("created")
        .values_list("version", flat=True)
    )


def release_list(*, project: Project) -> list[Release]:
    """Releases newest first, with their files (two queries)."""
    return list(
        Release.objects.filter(project=project).prefetch_related("files").order_by("-created")
    )


def _latest_key(release: Release) -> tuple[bool, bool, int, Version | None, str]:
    try:
        version: Version | None = Version(release.version)
    except InvalidVersion:
        version = None
    prerelease = version is not None and version.is_prerelease
    # Not yanked first; a version that does not parse below every one that does; then final
    # releases above pre-releases; then the highest version.
    return (not release.yanked, version is not None, not prerelease, version, release.version)


def release_latest(releases: Iterable[Release]) -> Release | None:
    """The project's current release, as PyPI chooses it: the highest version that is not a
    pre-release, or the highest pre-release when there is nothing else; yanked releases only
    when every release is yanked. Takes releases already fetched (no query)."""
    return max(releases, key=_latest_key, default=None)


def release_get(*, project: Project, version: str) -> Release | None:
    return Release.objects.filter(
        project=project, canonical_version=canonicalize_version(version)
    ).first()


def file_get(*, filename: str) -> File | None:
    """A file that is offered for download, with its release and project (one query)."""
    file = File.objects.select_related("release__project").filter(filename=filename).first()
    if file is None or not project_offers_files(file.release.project):
        return None
    return file


def file_duplicate_get(*, filename: str, blake2_256: str, project: Project | None) -> File | None:
    """The file an upload would duplicate: the same filename anywhere (filenames are unique
    index-wide), or the same bytes within the same project. Bytes are not compared across
    projects, so an upload cannot probe another project's files (S3.14)."""
    existing = File.objects.filter(filename=filename).first()
    if existing is None and project is not None:
        existing = File.objects.filter(release__project=project, blake2_256=blake2_256).first()
    return existing


def project_roles_list(*, project: Project) -> tuple[list[ProjectRole], list[TeamProjectRole]]:
    """The users and the teams with a role on ``project``, by name (two queries)."""
    users = list(
        ProjectRole.objects.filter(project=project)
        .select_related("user")
        .order_by("user__username")
    )
    teams = list(
        TeamProjectRole.objects.filter(project=project)
        .select_related("team")
        .order_by("team__name")
    )
    return users, teams
