"""Serialise simple API pages: HTML (frozen at 1.4, PEP 833) and PEP 691 JSON.

Pages are built as strings, not templates: the detail page of a project with many thousands
of files is on the hot path.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from functools import lru_cache

from django.urls import get_script_prefix
from django.utils.html import escape
from packaging.version import InvalidVersion, Version

from projects.models import File, Project
from projects.selectors import FileRow

# PEP 833 froze HTML at 1.4; JSON moves on: 1.5 is PEP 752 (namespaces).
HTML_API_VERSION = "1.4"
JSON_API_VERSION = "1.5"


def files_prefix() -> str:
    """The path every download URL starts with."""
    return get_script_prefix() + "files/"


def file_url_path(file: FileRow | File) -> str:
    """A file's stable app URL path (never a presigned store URL, S5.2)."""
    return files_prefix() + file.storage_key


def file_path(prefix: str, file: FileRow) -> str:
    """The stable app URL of a file (never a presigned store URL, S5.2)."""
    return f"{prefix}{file.storage_key}"


def _upload_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@lru_cache(maxsize=4096)
def _normalized_version(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def index_html(projects: Iterable[tuple[str, str]], detail_prefix: str) -> str:
    parts = [
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{HTML_API_VERSION}">\n'
        "    <title>Simple index</title>\n  </head>\n  <body>\n"
    ]
    parts.extend(
        f'    <a href="{detail_prefix}{normalized}/">{escape(name)}</a>\n'
        for name, normalized in projects
    )
    parts.append("  </body>\n</html>\n")
    return "".join(parts)


def index_json(projects: Iterable[tuple[str, str]]) -> str:
    return json.dumps(
        {
            "meta": {"api-version": JSON_API_VERSION},
            "projects": [{"name": name} for name, _ in projects],
        },
        separators=(",", ":"),
    )


def _yank_reason(file: FileRow) -> str | None:
    return file.yanked_reason if file.yanked else None


def detail_html(project: Project, files: list[FileRow], file_prefix: str) -> str:
    title = escape(project.name)
    parts = [
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{HTML_API_VERSION}">\n'
        f'    <meta name="pypi:project-status" content="{escape(project.status)}">\n'
    ]
    if project.status_reason:
        parts.append(
            '    <meta name="pypi:project-status-reason" '
            f'content="{escape(project.status_reason)}">\n'
        )
    parts.append(f"    <title>Links for {title}</title>\n  </head>\n  <body>\n")
    parts.append(f"    <h1>Links for {title}</h1>\n")
    for file in files:
        attrs = []
        if file.requires_python:
            attrs.append(f' data-requires-python="{escape(file.requires_python)}"')
        reason = _yank_reason(file)
        if reason is not None:
            attrs.append(f' data-yanked="{escape(reason)}"')
        if file.metadata_sha256:
            attrs.append(
                f' data-core-metadata="sha256={file.metadata_sha256}"'
                f' data-dist-info-metadata="sha256={file.metadata_sha256}"'
            )
        href = f"{file_path(file_prefix, file)}#sha256={file.sha256}"
        parts.append(
            f'    <a href="{escape(href)}"{"".join(attrs)}>{escape(file.filename)}</a><br />\n'
        )
    parts.append("  </body>\n</html>\n")
    return "".join(parts)


def detail_json(
    project: Project,
    files: list[FileRow],
    versions: list[str],
    file_prefix: str,
    namespaces: list[dict[str, object]] | None = None,
) -> str:
    status: dict[str, str] = {"status": project.status}
    if project.status_reason:
        status["reason"] = project.status_reason
    entries = []
    for file in files:
        reason = _yank_reason(file)
        entries.append(
            {
                "filename": file.filename,
                "url": file_path(file_prefix, file),
                "hashes": {"sha256": file.sha256},
                "requires-python": file.requires_python or None,
                "core-metadata": {"sha256": file.metadata_sha256}
                if file.metadata_sha256
                else False,
                "size": file.size,
                "upload-time": _upload_time(file.upload_time),
                "yanked": (reason or True) if reason is not None else False,
            }
        )
    versions_set = dict.fromkeys(_normalized_version(v) for v in versions)
    for file in files:
        versions_set.setdefault(_normalized_version(file.version))
    return json.dumps(
        {
            "meta": {"api-version": JSON_API_VERSION},
            "name": project.normalized_name,
            "project-status": status,
            "versions": list(versions_set),
            "files": entries,
            "namespaces": namespaces,
        },
        separators=(",", ":"),
    )
