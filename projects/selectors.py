"""Reads. Each selector fixes its own joins so callers cannot cause N+1 queries.

Listings take a principal and go through ``access.projects_visible_to``.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from packaging.utils import canonicalize_name

from projects.access import Principal, projects_visible_to
from projects.models import File, Project, ProjectStatus, Release


def project_get(*, name: str) -> Project | None:
    """The project whose normalized name matches ``name`` (any spelling), or None."""
    return Project.objects.select_related("organization").filter(
        normalized_name=canonicalize_name(name)
    ).first()


def project_index_list(*, principal: Principal) -> list[tuple[str, str]]:
    """(display name, normalized name) of every project the principal may read (S4.14)."""
    return list(
        projects_visible_to(principal)
        .exclude(status=ProjectStatus.QUARANTINED)
        .order_by("normalized_name")
        .values_list("name", "normalized_name")
    )


def project_search(*, principal: Principal, query: str = "", limit: int = 50) -> QuerySet[Project]:
    qs = projects_visible_to(principal)
    if query:
        qs = qs.filter(Q(normalized_name__contains=canonicalize_name(query)) | Q(name__icontains=query))
    return qs.annotate(release_count=Count("releases")).order_by("normalized_name")[:limit]


def project_files_list(*, project: Project) -> list[File]:
    """The files offered on the project's simple page, with their releases (one query).

    A quarantined project offers no files (S1.42).
    """
    if project.status == ProjectStatus.QUARANTINED:
        return []
    return list(
        File.objects.filter(release__project=project)
        .select_related("release")
        .order_by("release__canonical_version", "filename")
    )


def project_versions_list(*, project: Project) -> list[str]:
    return list(
        Release.objects.filter(project=project).order_by("created").values_list("version", flat=True)
    )


def release_list(*, project: Project) -> list[Release]:
    """Releases newest first, with their files (two queries)."""
    return list(
        Release.objects.filter(project=project).prefetch_related("files").order_by("-created")
    )


def release_get(*, project: Project, version: str) -> Release | None:
    from packaging.utils import canonicalize_version

    return Release.objects.filter(
        project=project, canonical_version=canonicalize_version(version)
    ).first()


def file_get(*, filename: str) -> File | None:
    """A file with its release and project (one query)."""
    return (
        File.objects.select_related("release__project").filter(filename=filename).first()
    )
