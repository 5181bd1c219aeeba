"""Stream an upload to disk while hashing it: memory stays flat whatever the file size.

``HashingUploadHandler`` writes each chunk to a temporary file in the staging area and feeds
sha256, blake2b-256 and md5 as it goes; past ``PRIVINDEX_MAX_FILE_SIZE`` it stops storing and
the rest of the body is drained unread. ``RawNameMultiPartParser`` keeps the filename as
sent, before Django's sanitising, so names with slashes or control characters are refused
rather than silently rewritten (S3.10).
"""

from __future__ import annotations

import codecs
import hashlib
from typing import Protocol, cast

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser

from uploads.validation.form import UNDECODABLE

# Django's multipart parser decodes fields with errors="replace", which would let bytes that
# are not UTF-8 through as U+FFFD, indistinguishable from a real U+FFFD. Fields are decoded
# with this codec instead: UTF-8 whose undecodable bytes become UNDECODABLE, a noncharacter
# that validation refuses.
CODEC = "privindex_utf8"


def _undecodable(exc: UnicodeError) -> tuple[str, int]:
    # Registered for decoding only (``_decode``), so always a UnicodeDecodeError.
    return UNDECODABLE, cast(UnicodeDecodeError, exc).end


codecs.register_error("privindex-undecodable", _undecodable)


def _decode(data, errors: str = "strict") -> tuple[str, int]:
    return codecs.utf_8_decode(data, "privindex-undecodable", True)


codecs.register(
    lambda name: (
        codecs.CodecInfo(codecs.utf_8_encode, _decode, name=CODEC) if name == CODEC else None
    )
)


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


class HashedUploadedFile(TemporaryUploadedFile):
    """For type checking only: the file ``HashingUploadHandler`` returns is Django's own
    ``TemporaryUploadedFile``, with the ``digests`` it computed set on it."""

    digests: dict[str, str]


class HashingUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, request=None, *, max_size: int | None = None) -> None:
        super().__init__(request)
        self.max_size = max_size if max_size is not None else settings.PRIVINDEX_MAX_FILE_SIZE
        self.too_large = False
        self._hashers: dict[str, _Hasher] = {}
        self._size = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self._hashers = {
            "sha256": hashlib.sha256(),
            "blake2_256": hashlib.blake2b(digest_size=32),
            "md5": hashlib.md5(usedforsecurity=False),
        }
        self._size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self._size += len(raw_data)
        if self._size > self.max_size:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        for hasher in self._hashers.values():
            hasher.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> HashedUploadedFile:
        # TemporaryFileUploadHandler always returns the file it wrote, never None.
        uploaded = cast(HashedUploadedFile, super().file_complete(file_size))
        uploaded.digests = {name: h.hexdigest() for name, h in self._hashers.items()}
        return uploaded


class RawNameMultiPartParser(MultiPartParser):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.raw_filenames: dict[str, str] = {}

    def sanitize_file_name(self, file_name: str):
        self._last_raw_name = file_name
        return super().sanitize_file_name(file_name)

    def handle_file_complete(self, old_field_name, counters):
        # Called once per file part; remember the raw name under its field.
        raw = getattr(self, "_last_raw_name", None)
        if raw is not None and old_field_name:
            self.raw_filenames[old_field_name] = raw
        return super().handle_file_complete(old_field_name, counters)


def parse_upload(request) -> tuple:
    """(POST, FILES, handler, raw filenames) for a multipart upload request."""
    handler = HashingUploadHandler(request)
    parser = RawNameMultiPartParser(request.META, request, [handler], CODEC)
    post, files = parser.parse()
    return post, files, handler, parser.raw_filenames
