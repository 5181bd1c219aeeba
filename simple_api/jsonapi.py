"""``/pypi/<name>/json`` and ``/pypi/<name>/<version>/json``: the PyPI JSON API shape.

Same access rules and the same deny answers as the simple pages.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse, JsonResponse
from django.urls import get_script_prefix
from django.views.decorators.http import require_safe
from packaging.version import InvalidVersion, Version

from access import Action, Surface, decide, project_offers_files, readable_by_anyone
from privindex.requests import PrincipalRequest
from projects import selectors
from projects.models import File, Project, Release
from simple_api.pages import file_url_path
from simple_api.responses import READ_VARY, credentials_error, deny, not_found


def _version_key(release: Release):
    try:
        return (1, Version(release.version))
    except InvalidVersion:
        return (0, release.version)


def _file_entry(request: PrincipalRequest, file: File, release: Release) -> dict:
    upload_time = file.upload_time.astimezone(dt.UTC)
    return {
        "filename": file.filename,
        "url": request.build_absolute_uri(file_url_path(file)),
        "digests": {"md5": file.md5, "sha256": file.sha256, "blake2b_256": file.blake2_256},
        "md5_digest": file.md5,
        "size": file.size,
        "packagetype": file.packagetype,
        "python_version": file.python_version,
        "requires_python": file.requires_python or None,
        "upload_time": upload_time.strftime("%Y-%m-%dT%H:%M:%S"),
        "upload_time_iso_8601": upload_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "yanked": release.yanked,
        "yanked_reason": release.yanked_reason or None,
        "has_sig": False,
        "comment_text": "",
    }


def _info(request: PrincipalRequest, project: Project, release: Release | None) -> dict:
    info = {
        "name": project.name,
        "version": release.version if release else None,
        "project_url": request.build_absolute_uri(
            f"{get_script_prefix()}project/{project.normalized_name}/"
        ),
        "package_url": request.build_absolute_uri(
            f"{get_script_prefix()}project/{project.normalized_name}/"
        ),
        "yanked": release.yanked if release else False,
        "yanked_reason": (release.yanked_reason or None) if release else None,
    }
    if release is not None:
        info.update(
            {
                "summary": release.summary or None,
                "description": release.description,
                "description_content_type": release.description_content_type or None,
                "author": release.author or None,
                "author_email": release.author_email or None,
                "maintainer": release.maintainer or None,
                "maintainer_email": release.maintainer_email or None,
                "license": release.license or None,
                "license_expression": release.license_expression or None,
                "keywords": release.keywords or None,
                "home_page": release.home_page or None,
                "download_url": release.download_url or None,
                "classifiers": release.classifiers,
                "requires_dist": release.requires_dist or None,
                "requires_python": release.requires_python or None,
                "project_urls": release.project_urls or None,
                "provides_extra": release.provides_extra or None,
            }
        )
    return info


def _answer(request: PrincipalRequest, name: str, version: str | None) -> HttpResponse:
    if (error := credentials_error(request)) is not None:
        return error
    project = selectors.project_get(name=name)
    decision = decide(request.principal, Action.READ, project, surface=Surface.JSON_API)
    if not decision:
        return deny(decision)
    assert project is not None
    releases = selectors.release_list(project=project)
    offered = project_offers_files(project)  # quarantine hides every file (S1.42)

    def files_of(release: Release) -> list[dict]:
        return [_file_entry(request, f, release) for f in release.files.all()] if offered else []

    if version is not None:
        chosen = selectors.release_get(project=project, version=version)
        if chosen is None:
            return not_found()
        releases_payload = None
    else:
        ordered = sorted(releases, key=_version_key)
        chosen = selectors.release_latest(releases)
        releases_payload = {r.version: files_of(r) for r in ordered}
    by_id = {r.pk: r for r in releases}
    current = by_id.get(chosen.pk) if chosen is not None else None
    urls = files_of(current) if current else []
    payload = {
        "info": _info(request, project, chosen),
        "last_serial": 0,
        "urls": urls,
        "vulnerabilities": [],
    }
    if releases_payload is not None:
        payload["releases"] = releases_payload
    response = JsonResponse(payload)
    response["Vary"] = READ_VARY
    response["Cache-Control"] = (
        "public, max-age=600" if readable_by_anyone(project) else "private, max-age=600"
    )
    return response


@require_safe
def project_json(request: PrincipalRequest, name: str) -> HttpResponse:
    return _answer(request, name, None)


@require_safe
def release_json(request: PrincipalRequest, name: str, version: str) -> HttpResponse:
    return _answer(request, name, version)
