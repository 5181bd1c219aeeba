"""``/pypi/<name>/json`` and ``/pypi/<name>/<version>/json``: PyPI's JSON API, key for key
(docs.pypi.org/api/json/), with null where privindex keeps no value (``docs_url``,
``platform``, ``dynamic``, ``license_files``; ``bugtrack_url`` and the deprecated counters as
PyPI sends them).

- ``info`` is the current release's (``projects.selectors.release_latest``, PyPI's rule: the
  highest version that is not yanked and not a pre-release, else the highest pre-release,
  yanked releases only when every release is); a project with no release is a 404, as on
  PyPI.
- ``last_serial`` is the id of the project's latest audit event (``Project.last_serial``), also
  sent as ``X-PyPI-Last-Serial``.
- Files carry PEP 658 ``core-metadata`` (and its older name) when their metadata is kept.
- ``ownership``: the project's organization, for whoever reads the project (its page shows
  it); its owners and maintainers only for those who may manage it, who see them in the REST
  API too: for anyone else ``roles`` is empty.

Same access rules as the simple pages; every refusal is an RFC 9457 problem
(``simple_api.problems``), the 404 the same bytes for a name hidden from the caller and one
that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.urls import get_script_prefix
from packaging.version import InvalidVersion, Version

from access import Action, Surface, decide, project_offers_files, readable_by_anyone
from privindex.requests import PrincipalRequest
from projects import selectors
from projects.models import File, Project, ProjectRoleName, Release
from simple_api.pages import file_url_path
from simple_api.problems import credentials_error, deny, not_allowed, not_found
from simple_api.responses import READ_VARY

SAFE_METHODS = ("GET", "HEAD")
# The roles PyPI lists, in its order (Owner before Maintainer), and their names there.
OWNERSHIP_ROLES: dict[str, str] = {
    ProjectRoleName.OWNER: "Owner",
    ProjectRoleName.MAINTAINER: "Maintainer",
}
NO_DOWNLOADS = {"last_day": -1, "last_month": -1, "last_week": -1}  # PyPI counts none either


def _version_key(release: Release) -> tuple[int, Version | str]:
    try:
        return (1, Version(release.version))
    except InvalidVersion:
        return (0, release.version)


def _or_none(value: Any) -> Any:
    return value or None


def _file_entry(request: PrincipalRequest, file: File, release: Release) -> dict[str, Any]:
    upload_time = file.upload_time.astimezone(dt.UTC)
    entry: dict[str, Any] = {
        "comment_text": "",
        "digests": {"blake2b_256": file.blake2_256, "md5": file.md5, "sha256": file.sha256},
        "downloads": -1,
        "filename": file.filename,
        "has_sig": False,
        "md5_digest": file.md5,
        "packagetype": file.packagetype,
        "python_version": file.python_version,
        "requires_python": _or_none(file.requires_python),
        "size": file.size,
        "upload_time": upload_time.strftime("%Y-%m-%dT%H:%M:%S"),
        "upload_time_iso_8601": upload_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "url": request.build_absolute_uri(file_url_path(file)),
        "yanked": release.yanked,
        "yanked_reason": _or_none(release.yanked_reason),
    }
    # PEP 658 / 714 as PyPI sends it here: always present, the hashes of the metadata file
    # the simple pages serve, or false (PyPI sends no data-dist-info-metadata in this API).
    entry["core-metadata"] = {"sha256": file.metadata_sha256} if file.metadata_sha256 else False
    return entry


def _info(request: PrincipalRequest, project: Project, release: Release) -> dict[str, Any]:
    page = f"{get_script_prefix()}project/{project.normalized_name}/"
    return {
        "author": _or_none(release.author),
        "author_email": _or_none(release.author_email),
        "bugtrack_url": None,  # always null on PyPI (deprecated)
        "classifiers": list(release.classifiers or []),
        "description": release.description,
        "description_content_type": _or_none(release.description_content_type),
        "docs_url": None,
        "download_url": _or_none(release.download_url),
        "downloads": dict(NO_DOWNLOADS),
        "dynamic": None,
        "home_page": _or_none(release.home_page),
        "keywords": _or_none(release.keywords),
        "license": _or_none(release.license),
        "license_expression": _or_none(release.license_expression),
        "license_files": None,
        "maintainer": _or_none(release.maintainer),
        "maintainer_email": _or_none(release.maintainer_email),
        "name": project.name,
        "package_url": request.build_absolute_uri(page),
        "platform": None,
        "project_url": request.build_absolute_uri(page),
        "project_urls": _or_none(release.project_urls),
        "provides_extra": _or_none(release.provides_extra),
        "release_url": request.build_absolute_uri(f"{page}{release.version}/"),
        "requires_dist": _or_none(release.requires_dist),
        "requires_python": _or_none(release.requires_python),
        "summary": _or_none(release.summary),
        "version": release.version,
        "yanked": release.yanked,
        "yanked_reason": _or_none(release.yanked_reason),
    }


def _roles(request: PrincipalRequest, project: Project) -> list[dict[str, str]] | None:
    """The owners and maintainers, Owner first then by name, if the caller may see them
    (those who may manage the project, as ``/api/v1/projects/<name>/roles/``); else None."""
    if not decide(request.principal, Action.MANAGE, project, surface=Surface.API):
        return None
    users, _teams = selectors.project_roles_list(project=project)
    order = list(OWNERSHIP_ROLES)
    listed = [r for r in users if r.role in OWNERSHIP_ROLES]  # access: shown, not decided
    listed.sort(key=lambda r: (order.index(r.role), r.user.username))
    return [{"role": OWNERSHIP_ROLES[r.role], "user": r.user.username} for r in listed]


def _answer(request: PrincipalRequest, name: str, version: str | None) -> HttpResponse:
    if request.method not in SAFE_METHODS:
        return not_allowed(*SAFE_METHODS)
    if (error := credentials_error(request)) is not None:
        return error
    project = selectors.project_get(name=name)
    decision = decide(request.principal, Action.READ, project, surface=Surface.JSON_API)
    if not decision:
        return deny(decision)
    assert project is not None
    releases: list[Release] = []
    if version is not None:
        chosen = selectors.release_get(project=project, version=version)
    else:
        releases = selectors.release_list(project=project)
        chosen = selectors.release_latest(releases)
    if chosen is None:
        return not_found()  # no such version, or no release at all: PyPI's 404
    offered = project_offers_files(project)  # quarantine hides every file (S1.42)

    def files_of(release: Release) -> list[dict[str, Any]]:
        if not offered:
            return []
        files = sorted(release.files.all(), key=_by_name)
        return [_file_entry(request, file, release) for file in files]

    roles = _roles(request, project)
    organization = project.organization
    payload: dict[str, Any] = {
        "info": _info(request, project, chosen),
        "last_serial": project.last_serial,
        "urls": files_of(chosen),
        "vulnerabilities": [],
        "ownership": {
            "roles": roles or [],
            "organization": organization.normalized_name if organization is not None else None,
        },
    }
    if version is None:
        ordered = sorted(releases, key=_version_key)
        payload["releases"] = {r.version: files_of(r) for r in ordered}
    response = JsonResponse(payload)
    response["Vary"] = READ_VARY
    response["X-PyPI-Last-Serial"] = str(project.last_serial)
    # The roles are for their readers only; otherwise the answer is everyone's who reads it.
    shared = readable_by_anyone(project) and roles is None
    response["Cache-Control"] = f"{'public' if shared else 'private'}, max-age=600"
    return response


def _by_name(file: File) -> str:
    return file.filename


def project_json(request: PrincipalRequest, name: str) -> HttpResponse:
    return _answer(request, name, None)


def release_json(request: PrincipalRequest, name: str, version: str) -> HttpResponse:
    return _answer(request, name, version)
