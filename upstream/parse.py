"""Read an upstream project page, PEP 691 JSON or HTML (PEP 503), into one shape.

The shape is what ``CachedPage.data`` holds and ``upstream.pages`` renders::

    {"format": "json" | "html", "versions": [...], "status": {"status": ..., "reason": ...} | None,
     "files": [{"filename", "url", "hashes", "requires-python", "yanked", "core-metadata",
                "size", "upload-time"}]}

Upstream content is not trusted: a file whose name is not a distribution of the project, whose
URL is not http(s), or whose filename could name a path is dropped; hash values must be hex.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

Entry = dict[str, Any]
_HEX = re.compile(r"^[0-9a-fA-F]{16,128}$")
_HASH_NAME = re.compile(r"^[a-z0-9_]{2,20}$")
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+!~-]*$")
# Archive suffixes pip and uv still install from besides wheels and sdists (legacy .zip, .egg
# are ignored by modern installers and dropped here).
_SDIST_SUFFIXES = (".tar.gz", ".zip")


class PageError(ValueError):
    """The upstream answered something that is not a project page."""


def _identity(filename: str) -> tuple[str, str] | None:
    """(project, version) a wheel's or sdist's filename names, or None."""
    try:
        if filename.endswith(".whl"):
            name, version, *_ = parse_wheel_filename(filename)
        elif filename.endswith(_SDIST_SUFFIXES):
            name, version = parse_sdist_filename(filename)
        else:
            return None
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return str(name), str(version)


def _clean_hashes(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    return {
        str(k).lower(): str(v).lower()
        for k, v in raw.items()
        if isinstance(v, str) and _HASH_NAME.match(str(k).lower()) and _HEX.match(v)
    }


# What a file or ``.metadata`` served here is checked with before it is kept.
CHECKABLE = frozenset({"sha256", "sha384", "sha512", "md5"})


def _metadata_value(raw: Any) -> bool | dict[str, str]:
    """PEP 714 ``core-metadata``: hashes, else false. A ``true`` without a hash privindex can
    check is served as false: its ``.metadata`` would be refused, and clients then fall back
    to the wheel itself."""
    if isinstance(raw, dict):
        hashes = _clean_hashes(raw)
        if CHECKABLE & set(hashes):
            return hashes
    return False


def _absolute_url(base: str, href: str) -> tuple[str, str]:
    """(url without fragment, fragment) of ``href`` resolved against ``base``; http(s) only."""
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PageError("not an http(s) URL")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")), parts.fragment


def _keep(project: str, filename: str) -> bool:
    if not _FILENAME.match(filename) or "/" in filename or "\\" in filename:
        return False
    identity = _identity(filename)
    return identity is not None and canonicalize_name(identity[0]) == project


def parse_json(project: str, body: bytes, base_url: str) -> dict[str, Any]:
    try:
        page = json.loads(body)
    except ValueError as exc:
        raise PageError(f"invalid JSON: {exc}") from None
    if not isinstance(page, dict) or not isinstance(page.get("files"), list):
        raise PageError("not a PEP 691 project page")
    files: list[Entry] = []
    for raw in page["files"]:
        if not isinstance(raw, dict) or not isinstance(raw.get("filename"), str):
            continue
        filename = raw["filename"]
        if not _keep(project, filename) or not isinstance(raw.get("url"), str):
            continue
        try:
            url, _fragment = _absolute_url(base_url, raw["url"])
        except PageError:
            continue
        yanked = raw.get("yanked", False)
        if not isinstance(yanked, (bool, str)):
            yanked = bool(yanked)
        size = raw.get("size")
        upload_time = raw.get("upload-time")
        requires_python = raw.get("requires-python")
        files.append(
            {
                "filename": filename,
                "url": url,
                "hashes": _clean_hashes(raw.get("hashes")),
                "requires-python": requires_python if isinstance(requires_python, str) else None,
                "yanked": yanked,
                "core-metadata": _metadata_value(
                    raw.get("core-metadata", raw.get("dist-info-metadata", False))
                ),
                "size": size if isinstance(size, int) and size >= 0 else None,
                "upload-time": upload_time if isinstance(upload_time, str) else None,
            }
        )
    versions = page.get("versions")
    status = page.get("project-status")
    return {
        "format": "json",
        "versions": [v for v in versions if isinstance(v, str)]
        if isinstance(versions, list)
        else _versions_from(files),
        "status": _clean_status(status),
        "files": files,
    }


def _clean_status(raw: Any) -> dict[str, str] | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("status"), str):
        return None
    status = {"status": raw["status"]}
    if isinstance(raw.get("reason"), str):
        status["reason"] = raw["reason"]
    return status


def _versions_from(files: list[Entry]) -> list[str]:
    seen: dict[str, None] = {}
    for entry in files:
        identity = _identity(entry["filename"])
        if identity is not None:
            seen.setdefault(identity[1])
    return list(seen)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self.meta: dict[str, str] = {}
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open, self._text = dict(attrs), []
        elif tag == "meta":
            values = dict(attrs)
            if values.get("name") and values.get("content") is not None:
                self.meta[str(values["name"])] = str(values["content"])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open, "".join(self._text).strip()))
            self._open = None


def _fragment_hashes(fragment: str) -> dict[str, str]:
    name, _, value = fragment.partition("=")
    return _clean_hashes({name: value}) if value else {}


def _metadata_attr(raw: str | None) -> bool | dict[str, str]:
    if raw is None:
        return False
    return _metadata_value(_fragment_hashes(raw.strip()))


def parse_html(project: str, body: bytes, base_url: str) -> dict[str, Any]:
    parser = _Anchors()
    try:
        parser.feed(body.decode("utf-8", errors="replace"))
        parser.close()
    except Exception as exc:  # html.parser raises little, but an upstream is not trusted
        raise PageError(f"invalid HTML: {exc}") from None
    files: list[Entry] = []
    for attrs, text in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        try:
            url, fragment = _absolute_url(base_url, href)
        except PageError:
            continue
        filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or text
        if not _keep(project, filename):
            continue
        if "data-yanked" in attrs:
            yanked: bool | str = attrs["data-yanked"] or True
        else:
            yanked = False
        metadata: str | None = None
        for key in ("data-core-metadata", "data-dist-info-metadata"):
            if key in attrs:
                metadata = attrs[key] or "true"
                break
        files.append(
            {
                "filename": filename,
                "url": url,
                "hashes": _fragment_hashes(fragment),
                "requires-python": attrs.get("data-requires-python") or None,
                "yanked": yanked,
                "core-metadata": _metadata_attr(metadata),
                "size": None,
                "upload-time": None,
            }
        )
    status = None
    if "pypi:project-status" in parser.meta:
        status = {"status": parser.meta["pypi:project-status"]}
        if "pypi:project-status-reason" in parser.meta:
            status["reason"] = parser.meta["pypi:project-status-reason"]
    return {"format": "html", "versions": _versions_from(files), "status": status, "files": files}
