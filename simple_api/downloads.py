"""File and ``.metadata`` downloads (S5.x): the same access policy as the simple pages.

Files stream from staging or the store with ``Content-Length``, ``Accept-Ranges``, single
``Range`` requests (206), ``If-Range``, ``ETag``/304 and ``HEAD``; never a content encoding.
A store that can presign (S3) gets a 302 to a short-lived URL instead, unless streaming is set.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

from django.conf import settings
from django.http import (
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from access import Action, Surface, decide, readable_by_anyone
from privindex.requests import PrincipalRequest
from projects import selectors
from projects.models import CoreMetadata, File, StorageState
from simple_api.responses import (
    READ_VARY,
    credentials_error,
    deny,
    etag_matches,
    message_response,
    not_found,
)
from storage.staging import staging_path
from storage.store import get_store

CHUNK = 256 * 1024
METADATA_SUFFIX = ".metadata"
# At most 18 digits: larger numbers are not byte offsets (and int() refuses >4300 digits).
_RANGE = re.compile(r"^bytes=([0-9]{0,18})-([0-9]{0,18})$")


@dataclass(frozen=True)
class Served:
    """Bytes to serve from staging or the store: a local file, or a cached upstream file."""

    storage_key: str
    staged: bool
    sha256: str
    size: int
    filename: str
    modified: dt.datetime
    public: bool  # may shared caches keep it (and presigned URLs live longer)?

    @classmethod
    def of(cls, file: File) -> Served:
        return cls(
            storage_key=file.storage_key,
            staged=file.storage_state == StorageState.STAGED,
            sha256=file.sha256,
            size=file.size,
            filename=file.filename,
            modified=file.upload_time,
            public=readable_by_anyone(file.release.project),
        )


def _cache_headers(response: HttpResponseBase, public: bool) -> None:
    # S5.10: immutable bytes; private files only in the client's own cache.
    response["Cache-Control"] = (
        "public, max-age=365000000, immutable"
        if public
        else "private, max-age=365000000, immutable"
    )
    response["Vary"] = READ_VARY


def _lookup(request: PrincipalRequest, b1: str, b2: str, rest: str, filename: str):
    """(file, is_metadata) the caller may read, or an error response."""
    if (error := credentials_error(request)) is not None:
        return None, False, error
    is_metadata = filename.endswith(METADATA_SUFFIX)
    base = filename[: -len(METADATA_SUFFIX)] if is_metadata else filename
    file = selectors.file_get(filename=base)
    if file is not None and file.storage_key != f"{b1}/{b2}/{rest}/{base}":
        file = None  # only the file's own content-addressed URL serves it
    decision = decide(
        request.principal,
        Action.READ,
        file.release.project if file else None,
        surface=Surface.FILES,
    )
    if not decision:
        return None, False, deny(decision)
    return file, is_metadata, None


@require_safe
def file_download(
    request: PrincipalRequest, b1: str, b2: str, rest: str, filename: str
) -> HttpResponseBase:
    file, is_metadata, error = _lookup(request, b1, b2, rest, filename)
    if error is not None:
        return error
    assert file is not None
    if is_metadata:
        return _metadata(request, file)
    return serve(request, Served.of(file))


def _metadata(request: PrincipalRequest, file: File) -> HttpResponse:
    if not file.metadata_sha256:
        return not_found()
    content = CoreMetadata.objects.filter(file_id=file.pk).values_list("content", flat=True).first()
    if content is None:
        return not_found()
    etag = f'"{file.metadata_sha256}"'
    if etag_matches(request, etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(bytes(content), content_type="text/plain; charset=utf-8")
    response["ETag"] = etag
    _cache_headers(response, readable_by_anyone(file.release.project))
    return response


def _open(served: Served) -> BinaryIO | None:
    """The bytes: from staging while staged (downloads work at once), else the store."""
    if served.staged:
        try:
            return open(staging_path(served.storage_key), "rb")
        except FileNotFoundError:
            pass  # stored meanwhile: fall through to the store
    try:
        return get_store().open(served.storage_key)
    except OSError:  # FileNotFoundError included
        return None


class _RangeReader:
    """Iterate over ``length`` bytes from ``start``; closed by Django when the response ends."""

    def __init__(self, fh: BinaryIO, start: int, length: int) -> None:
        self.fh, self.start, self.length = fh, start, length

    def __iter__(self) -> Iterator[bytes]:
        self.fh.seek(self.start)
        remaining = self.length
        while remaining > 0:
            chunk = self.fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.fh.close()


def _parse_range(header: str, size: int) -> tuple[int, int] | Literal[False] | None:
    """(start, end inclusive) for one satisfiable range; None to ignore; False if unsatisfiable."""
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # multi-range or malformed: answer the whole file (RFC 9110 allows it)
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0:
            return False
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return False
    return start, min(end, size - 1)


def serve(
    request: PrincipalRequest, served: Served, content_type: str = "application/octet-stream"
) -> HttpResponseBase:
    """Stream ``served`` (or redirect to a presigned URL): ranges, ETag/304, HEAD."""
    response: HttpResponseBase
    etag = f'"{served.sha256}"'
    if etag_matches(request, etag):
        response = HttpResponse(status=304)
        response["ETag"] = etag
        _cache_headers(response, served.public)
        return response
    if not served.staged and request.method == "GET":
        redirect = _presigned_redirect(served)
        if redirect is not None:
            return redirect
    size = served.size
    start, end = 0, size - 1
    status = 200
    range_header = request.META.get("HTTP_RANGE")
    if_range = request.META.get("HTTP_IF_RANGE")
    if range_header and (
        if_range is None or if_range.strip() in (etag, http_date(served.modified.timestamp()))
    ):
        parsed = _parse_range(range_header, size)
        if parsed is False:
            response = message_response(416, "Requested range not satisfiable.")
            response["Content-Range"] = f"bytes */{size}"
            return response
        if parsed:
            start, end = parsed
            status = 206
    length = end - start + 1 if size else 0
    if request.method == "HEAD":
        response = HttpResponse(status=status)
    else:
        fh = _open(served)
        if fh is None:
            return message_response(503, "The file is temporarily unavailable. Retry shortly.")
        response = StreamingHttpResponse(_RangeReader(fh, start, length), status=status)
    response["Content-Type"] = content_type
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(served.modified.timestamp())
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    _cache_headers(response, served.public)
    return response


def _presigned_redirect(served: Served) -> HttpResponse | None:
    """302 to a short-lived store URL when the store can presign and redirects are on (S5.8).

    Only for GET: HEAD is answered by the app from the database (size, ETag), without
    asking the store. None (stream through the app) when the store cannot presign.
    """
    if not settings.PRIVINDEX_S3_REDIRECT:
        return None
    if served.public:
        expires = settings.PRIVINDEX_PRESIGN_PUBLIC_SECONDS
    else:
        expires = settings.PRIVINDEX_PRESIGN_PRIVATE_SECONDS  # minutes: access may be revoked
    try:
        url = get_store().presigned_url(
            served.storage_key, filename=served.filename, expires=expires
        )
    except OSError:
        return None  # e.g. no credentials to sign with: streaming reports the outage
    if url is None:
        return None
    response = HttpResponseRedirect(url)  # 302: never cache an expiring target (S5.8)
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = READ_VARY
    return response
