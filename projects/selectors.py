"""Reads. Each selector fixes its own joins so callers cannot cause N+1 queries.

Listings take a principal and go through ``access.projects_visible_to``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchQueryField, SearchVector
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion, Version

from access import Principal, project_offers_files, projects_listed, projects_visible_to
from accounts.models import Team
from projects.limits import VERSION_MAX
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
        qs = qs.filter(_name_match(query))
    return qs.order_by("normalized_name")


def _name_match(query: str) -> Q:
    """The name search every backend has: any spelling of a part of the name."""
    return Q(normalized_name__contains=canonicalize_name(query)) | Q(name__icontains=query)


# The text search configuration of the web search (PostgreSQL): English stemming. Migration
# 0007 indexes ``_name_vector()`` and ``_summary_vector()`` (GIN): an index serves a query only
# if its expression is the same, so the two change together
# (tests/projects/test_search_index.py sees the query use them).
SEARCH_CONFIG = "english"


def _name_vector() -> SearchVector:
    return SearchVector("name", config=SEARCH_CONFIG)


def _summary_vector() -> SearchVector:
    return SearchVector("summary", config=SEARCH_CONFIG)


class _Matches(Func):
    """``vector @@ query``, as a condition. (The ``search`` lookup would turn a query that is
    not a ``SearchQuery`` into one: ``_AnyLexeme`` is not.)"""

    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


class _AnyLexeme(Func):
    """The query that matches whatever shares a lexeme with ``query``: its lexemes joined by
    ``|`` (read from its text form, where each is quoted, quotes doubled). Empty for a query
    of stop words only, which matches nothing."""

    template = (
        "array_to_string(ARRAY(SELECT m[1] FROM regexp_matches((%(expressions)s)::text, "
        "'(''(?:[^'']|'''')*'')', 'g') AS m), ' | ')::tsquery"
    )
    output_field = SearchQueryField()


def _search_matches(query: str) -> tuple[Q, Q, QuerySet[Release]]:
    """(projects whose name matches, projects a release of which matches, the releases that
    match) for the web search.

    PostgreSQL: full-text search of the name and the summary (with stemming), plus the name
    match, so that ``acme`` still finds ``acme-widgets``. A release's text is its project's
    name and its summary, searched as one (``acme reader`` finds acme-tools, "Fast CSV
    readers"). No index covers two tables, so the releases are found through the GIN indexes
    on each: a release's text can match only where its summary matches on its own, or its
    project's name shares a lexeme with the query (a name that shares none changes nothing
    the query can see). Other backends (SQLite in development): the name match, or the
    summary containing the query.
    """
    name = _name_match(query)
    if connection.vendor != "postgresql":
        releases = Release.objects.filter(summary__icontains=query)
        return name, Q(Exists(releases.filter(project_id=OuterRef("pk")))), releases
    text = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    named = Project.objects.filter(_Matches(_name_vector(), text))
    releases = Release.objects.alias(
        search=SearchVector("project__name", "summary", config=SEARCH_CONFIG)
    ).filter(search=text)
    by_summary = releases.filter(_Matches(_summary_vector(), text))
    sharing = Project.objects.filter(_Matches(_name_vector(), _AnyLexeme(text)))
    found = Q(id__in=by_summary.values("project_id")) | Q(
        Q(id__in=sharing.values("id")), Exists(releases.filter(project_id=OuterRef("pk")))
    )
    return name | Q(id__in=named.values("id")), found, releases


def project_search(*, principal: Principal, query: str = "") -> QuerySet[Project, int] | list[int]:
    """The ids of the projects ``principal`` may read that match ``query``, in the order the
    search page lists them; every project they may read, by name, without a query.

    A project matches by its name, or by the summary of its current release
    (``release_latest``), never of an older one. Matches of the name come first, an exact one
    before all. At most two queries: the matches, and the releases of the projects that
    matched by a summary only, to find which of those summaries is the current one. Every
    query starts from ``access.projects_visible_to``: a summary the principal may not read
    is never searched.
    """
    visible = projects_visible_to(principal)
    if not query:
        return visible.order_by("normalized_name").values_list("id", flat=True)
    names, by_text, releases = _search_matches(query)
    rows = list(
        visible.annotate(name_hit=ExpressionWrapper(names, output_field=BooleanField()))
        .filter(names | by_text)
        .values_list("id", "normalized_name", "name_hit")
    )
    by_summary = [pk for pk, _, name_hit in rows if not name_hit]
    current: set[int] = set()
    if by_summary:
        texts = releases.filter(project_id__in=by_summary).values("id")
        candidates = (
            Release.objects.filter(project_id__in=by_summary)
            .annotate(text_hit=Exists(texts.filter(id=OuterRef("pk"))))
            .only("id", "project_id", "version", "yanked")
        )
        for latest in _latest_by_project(candidates).values():
            if latest.text_hit:  # type: ignore[attr-defined]
                current.add(latest.project_id)
    exact = canonicalize_name(query)
    kept = [row for row in rows if row[2] or row[0] in current]
    kept.sort(key=lambda row: (row[1] != exact, not row[2], row[1]))
    return [pk for pk, _, _ in kept]


def _latest_by_project(releases: Iterable[Release]) -> dict[int, Release]:
    grouped: dict[int, list[Release]] = defaultdict(list)
    for release in releases:
        grouped[release.project_id].append(release)
    found = {pk: release_latest(rs) for pk, rs in grouped.items()}
    return {pk: release for pk, release in found.items() if release is not None}


@dataclass(frozen=True, slots=True)
class ProjectHit:
    """A row of the project list: the project, its current release's summary, its releases."""

    project: Project
    summary: str
    release_count: int


def project_hits(*, principal: Principal, ids: Iterable[int]) -> list[ProjectHit]:
    """The list rows of ``ids`` (a page of ``project_search``), in that order (two queries).
    Narrowed to what ``principal`` may read again, so a stale id shows nothing."""
    order = list(ids)
    projects = {p.pk: p for p in projects_visible_to(principal).filter(id__in=order)}
    grouped: dict[int, list[Release]] = defaultdict(list)
    for release in Release.objects.filter(project_id__in=list(projects)).only(
        "id", "project_id", "version", "yanked", "summary"
    ):
        grouped[release.project_id].append(release)
    hits = []
    for pk in order:
        project = projects.get(pk)
        if project is None:
            continue
        latest = release_latest(grouped[pk])
        hits.append(
            ProjectHit(
                project=project,
                summary=latest.summary if latest is not None else "",
                release_count=len(grouped[pk]),
            )
        )
    return hits


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


def release_history(*, project: Project) -> list[Release]:
    """Releases newest first, without their files or their READMEs (one query): the release
    history, and what ``release_latest`` chooses from."""
    return list(
        Release.objects.filter(project=project)
        .defer("description", "description_html")
        .order_by("-created")
    )


def release_files(*, project: Project, release: Release) -> list[File]:
    """The files of ``release`` that are offered for download, by filename (one query; none
    for a quarantined project)."""
    if not project_offers_files(project):
        return []
    return list(File.objects.filter(release=release).order_by("filename"))


def release_file_list(*, release: Release) -> list[File]:
    """Every file of ``release``, offered or not, by filename (one query): what deleting it
    would delete."""
    return list(File.objects.filter(release=release).order_by("filename"))


def release_file_get(*, release: Release, filename: str) -> File | None:
    """The file of ``release`` named ``filename``, offered or not (a quarantined project's
    files can still be deleted), with its release (one query)."""
    return File.objects.select_related("release").filter(release=release, filename=filename).first()


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
    """The release of ``project`` that ``version`` names, in any spelling of it; None for a
    version no release can have (longer than the column, or one whose numbers Python will
    not read, such as 5,000 digits)."""
    if len(version) > VERSION_MAX:
        return None
    try:
        canonical = canonicalize_version(version)
    except ValueError:
        return None
    return Release.objects.filter(project=project, canonical_version=canonical).first()


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


# --- the REST API's pages (issue 11): queries, so that a page costs one slice of each ------------


def projects_filtered(
    *,
    principal: Principal,
    query: str = "",
    organization: str | None = None,
    visibility: str | None = None,
    status: str | None = None,
) -> QuerySet[Project]:
    """``project_list``, narrowed by what the caller asked for: an organization (any spelling
    of its name), a visibility, a status. Only ever a part of what ``principal`` may read."""
    qs = project_list(principal=principal, query=query)
    if organization is not None:
        qs = qs.filter(organization__normalized_name=canonicalize_name(organization))
    if visibility is not None:
        qs = qs.filter(visibility=visibility)  # access: a filter asked for, of readable rows
    if status is not None:
        qs = qs.filter(status=status)
    return qs


def release_query(*, project: Project) -> QuerySet[Release]:
    """The project's releases newest first, without their files or READMEs, as a query to
    page through (one query a page)."""
    return (
        Release.objects.filter(project=project)
        .defer("description", "description_html")
        .order_by("-created", "-id")
    )


def release_file_query(*, project: Project, release: Release) -> QuerySet[File]:
    """The files of ``release`` that are offered for download, by filename, with their release
    (one query a page; none for a quarantined project)."""
    if not project_offers_files(project):
        return File.objects.none()
    return File.objects.filter(release=release).select_related("release").order_by("filename")


def project_user_roles(*, project: Project) -> QuerySet[ProjectRole]:
    """The users with a direct role on ``project``, by username, with their users."""
    return (
        ProjectRole.objects.filter(project=project)
        .select_related("user")
        .order_by("user__username")
    )


def project_team_roles(*, project: Project) -> QuerySet[TeamProjectRole]:
    """The teams with a role on ``project``, by name, with their teams."""
    return (
        TeamProjectRole.objects.filter(project=project)
        .select_related("team")
        .order_by("team__name")
    )


def project_user_role_get(*, project: Project, username: str) -> ProjectRole | None:
    """The direct role of the user ``username`` on ``project`` (active or not), or None."""
    return project_user_roles(project=project).filter(user__username=username).first()


def project_team_role_get(*, project: Project, team_id: int) -> TeamProjectRole | None:
    """The role of the team ``team_id`` on ``project``, or None."""
    return project_team_roles(project=project).filter(team_id=team_id).first()


def project_team_get(*, project: Project, team_id: int) -> Team | None:
    """The team ``team_id`` of the project's organization (the only teams that may hold a
    role on it), with its organization, or None; None for a project without one."""
    if project.organization_id is None:
        return None
    return (
        Team.objects.select_related("organization")
        .filter(organization_id=project.organization_id, pk=team_id)
        .first()
    )
