"""Render a cached upstream page as privindex's own: HTML 1.4 or JSON 1.5, file URLs here.

Everything the upstream said about a file is kept: every hash, ``requires-python``, yanks and
their reasons, ``core-metadata`` (PEP 658/714), and the PEP 700 ``size`` and ``upload-time``
(left out when an HTML upstream did not give them). Only the URL changes: to
``/files/upstream/<name>/<filename>``, so clients fetch through privindex.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from django.urls import get_script_prefix
from django.utils.html import escape

from simple_api.pages import HTML_API_VERSION, JSON_API_VERSION


def file_url(name: str, filename: str) -> str:
    return f"{get_script_prefix()}files/upstream/{quote(name)}/{quote(filename)}"


def _fragment(hashes: dict[str, str]) -> str:
    for algorithm in ("sha256", "sha384", "sha512", *sorted(hashes)):
        if algorithm in hashes:
            return f"#{algorithm}={hashes[algorithm]}"
    return ""


def _metadata_attr(value: Any) -> str:
    if isinstance(value, dict):
        return _fragment(value).lstrip("#") or "true"
    return "true"


def detail_html(name: str, data: dict[str, Any]) -> str:
    title = escape(name)
    parts = [
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{HTML_API_VERSION}">\n'
    ]
    status = data.get("status")
    if status:
        parts.append(
            f'    <meta name="pypi:project-status" content="{escape(status["status"])}">\n'
        )
        if status.get("reason"):
            reason = escape(status["reason"])
            parts.append(f'    <meta name="pypi:project-status-reason" content="{reason}">\n')
    parts.append(f"    <title>Links for {title}</title>\n  </head>\n  <body>\n")
    parts.append(f"    <h1>Links for {title}</h1>\n")
    for entry in data.get("files", []):
        attrs = []
        if entry.get("requires-python"):
            attrs.append(f' data-requires-python="{escape(entry["requires-python"])}"')
        yanked = entry.get("yanked")
        if yanked:
            attrs.append(f' data-yanked="{escape(yanked if isinstance(yanked, str) else "")}"')
        metadata = entry.get("core-metadata")
        if isinstance(metadata, dict):  # offered only with a hash it is checked against
            value = escape(_metadata_attr(metadata))
            attrs.append(f' data-core-metadata="{value}" data-dist-info-metadata="{value}"')
        href = file_url(name, entry["filename"]) + _fragment(entry.get("hashes", {}))
        parts.append(
            f'    <a href="{escape(href)}"{"".join(attrs)}>{escape(entry["filename"])}</a><br />\n'
        )
    parts.append("  </body>\n</html>\n")
    return "".join(parts)


def detail_json(name: str, data: dict[str, Any], sizes: dict[str, int] | None = None) -> str:
    """``sizes``: what is known of files whose page gave none (an HTML upstream)."""
    files = []
    for entry in data.get("files", []):
        item: dict[str, Any] = {
            "filename": entry["filename"],
            "url": file_url(name, entry["filename"]),
            "hashes": entry.get("hashes", {}),
            "requires-python": entry.get("requires-python"),
            "core-metadata": metadata
            if isinstance(metadata := entry.get("core-metadata"), dict)
            else False,
            "yanked": entry.get("yanked", False),
        }
        size = entry.get("size")
        if size is None and sizes:
            size = sizes.get(entry["filename"])
        if size is not None:
            item["size"] = size
        if entry.get("upload-time") is not None:
            item["upload-time"] = entry["upload-time"]
        files.append(item)
    page: dict[str, Any] = {
        "meta": {"api-version": JSON_API_VERSION},
        "name": name,
        "versions": data.get("versions", []),
        "files": files,
        # Proxied names are outside every namespace reserved here (they are never fetched).
        "namespaces": None,
    }
    if data.get("status"):
        page["project-status"] = data["status"]
    return json.dumps(page, separators=(",", ":"))
