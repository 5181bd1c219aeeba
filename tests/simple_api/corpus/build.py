"""Building corpus requests byte for byte, and one corpus case."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from tests import dists

NEW = "example-pkg"  # a name nobody holds: the upload would create the project
SEED = "seed-pkg"  # the uploader's own project, with release 1.0 (wheel and sdist)
DELETED = "seed_pkg-0.9-py3-none-any.whl"  # used once by a file since deleted (S3.15)
BOUNDARY = "----privindex-corpus-boundary"
OCTET = "application/octet-stream"
SPEC = "See https://packaging.python.org/specifications/core-metadata for more information."
ARCHIVES = "See https://docs.pypi.org/archives for more information"
DIST_INFO = "example_pkg-1.0.dist-info"
TOP = "example_pkg-1.0"
BROKEN_RST = "Title\n=\n\n:unknown-role:`x`\n"


# Building requests ------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One multipart part, written exactly as given (no sanitising of names or bytes)."""

    name: str
    value: bytes | str
    filename: bytes | str | None = None
    content_type: str | None = None
    headers: tuple[str, ...] = ()

    def encode(self) -> bytes:
        disposition = f'Content-Disposition: form-data; name="{self.name}"'.encode()
        if self.filename is not None:
            raw = _bytes(self.filename)
            disposition += b'; filename="' + raw + b'"'
        lines = [disposition]
        if self.content_type is not None:
            lines.append(f"Content-Type: {self.content_type}".encode())
        lines.extend(header.encode() for header in self.headers)
        head = b"\r\n".join([f"--{BOUNDARY}".encode(), *lines])
        return head + b"\r\n\r\n" + _bytes(self.value)


def _bytes(value: bytes | str) -> bytes:
    """UTF-8; a lone surrogate escape (``"\\udcff"``) stands for a byte that is not UTF-8."""
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")


Body = tuple[bytes, str]  # (request body, Content-Type)


def encode(parts: Iterable[Part], *, truncate_at: int | None = None) -> Body:
    body = b"".join(part.encode() + b"\r\n" for part in parts) + f"--{BOUNDARY}--\r\n".encode()
    if truncate_at is not None:
        body = body[:truncate_at]
    return body, f"multipart/form-data; boundary={BOUNDARY}"


def fields_parts(fields: dict[str, Any]) -> list[Part]:
    return [
        Part(key, item)
        for key, value in fields.items()
        for item in (value if isinstance(value, list) else [value])
    ]


def twine(
    dist: tuple[str, bytes],
    *,
    filename: bytes | str | None = None,
    drop: Iterable[str] = (),
    content_type: str | None = OCTET,
    content_first: bool = False,
    extra: Iterable[Part] = (),
    **overrides: Any,
) -> list[Part]:
    """The parts twine sends for ``dist`` (metadata, ``:action``, digests, then ``content``).

    ``filename`` renames the content part only; ``drop`` removes form fields; ``overrides``
    replace them (``dists.upload_fields``); ``extra`` parts go before ``content``.
    """
    dist_filename, content = dist
    fields = dists.upload_fields(dist_filename, content, **overrides)
    for key in drop:
        fields.pop(key)
    content_part = Part("content", content, filename or dist_filename, content_type)
    parts = [*fields_parts(fields), *extra]
    return [content_part, *parts] if content_first else [*parts, content_part]


def up(dist: tuple[str, bytes], **kwargs: Any) -> Body:
    """The request twine would send for ``dist``, changed as ``twine()`` allows."""
    return encode(twine(dist, **kwargs))


def wheel(*args: Any, **kwargs: Any) -> tuple[str, bytes]:
    return dists.make_wheel(*args, **kwargs)


def sdist(*args: Any, **kwargs: Any) -> tuple[str, bytes]:
    return dists.make_sdist(*args, **kwargs)


def renamed(dist: tuple[str, bytes], filename: str) -> tuple[str, bytes]:
    return filename, dist[1]


def case(
    sid: str,
    build: Callable[[], Body],
    status: int,
    message: str,
    *,
    settings: dict[str, Any] | None = None,
    bug: str | None = None,
) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=f"BUG: {bug}")] if bug else []
    return pytest.param(build, status, message, settings or {}, id=sid, marks=marks)
