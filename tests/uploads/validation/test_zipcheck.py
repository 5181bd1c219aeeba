"""Strict ZIP structure (S3.19): archives whose central directory and local headers could
be read differently are refused (``uploads.validation.zipcheck``). No database."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from typing import Any

import pytest

from tests import dists
from tests.uploads.validation.helpers import (
    ARCHIVES,
    DIST_INFO,
    WHEEL,
    _archive_error,
)


def _zip_not_accepted(reason: str) -> str:
    return f"Invalid distribution file. ZIP archive not accepted: {reason}. {ARCHIVES}"


class _Unseekable(io.RawIOBase):
    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.data += data
        return len(data)


def _wheel_members() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(WHEEL[1])) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_zip_with_data_descriptors_is_refused(tmp_path):  # S3.19
    stream = _Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _wheel_members().items():
            archive.writestr(name, data)
    assert _archive_error(tmp_path, (WHEEL[0], bytes(stream.data))) == (
        _zip_not_accepted("ZIP contains a data descriptor")
    )


def _rebuild(members: dict[str, bytes], *, hook: Any = None) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on duplicate names
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=dists.ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                if hook:
                    hook(info)
                archive.writestr(info, data)
            if hook is None:
                archive.writestr(f"{DIST_INFO}/RECORD", members[f"{DIST_INFO}/RECORD"])
    return buffer.getvalue()


def test_zip_with_a_central_directory_comment_is_refused(tmp_path):  # S3.19
    def comment(info: zipfile.ZipInfo) -> None:
        info.comment = b"hello"

    content = _rebuild(_wheel_members(), hook=comment)
    assert _archive_error(tmp_path, (WHEEL[0], content)) == (
        _zip_not_accepted("Comment in central directory")
    )


def test_zip_with_duplicate_names_is_refused(tmp_path):  # S3.19
    assert _archive_error(tmp_path, (WHEEL[0], _rebuild(_wheel_members()))) == (
        _zip_not_accepted("Duplicate filename in local headers")
    )


def test_zip_with_duplicate_extras_is_refused(tmp_path):  # S3.19
    def extras(info: zipfile.ZipInfo) -> None:
        unicode_path = struct.pack("<HHB", 0x7075, 5 + 1, 1) + b"\0\0\0\0" + b"a"
        info.extra = unicode_path + unicode_path

    content = _rebuild(_wheel_members(), hook=extras)
    assert _archive_error(tmp_path, (WHEEL[0], content)) == (
        _zip_not_accepted("Invalid duplicate extra in local file")
    )


def test_zip_with_a_non_utf8_unicode_path_is_refused(tmp_path):  # S3.19
    def extras(info: zipfile.ZipInfo) -> None:
        info.extra = struct.pack("<HHB", 0x7075, 5 + 2, 1) + b"\0\0\0\0" + b"\xff\xfe"

    content = _rebuild(_wheel_members(), hook=extras)
    assert _archive_error(tmp_path, (WHEEL[0], content)) == (
        _zip_not_accepted("Filename not valid UTF-8")
    )


def test_zip_with_a_control_character_in_a_name_is_refused(tmp_path):  # S3.19
    members = {**_wheel_members(), "bad\x01name.py": b""}
    content = _rebuild(members, hook=lambda info: None)
    assert _archive_error(tmp_path, (WHEEL[0], content)) == (
        _zip_not_accepted("Invalid character in filename")
    )


def _local_header_at(content: bytes, name: bytes) -> int:
    at = content.index(b"PK\x03\x04")
    while content[at + 30 : at + 30 + len(name)] != name:
        at = content.index(b"PK\x03\x04", at + 4)
    return at


def test_zip_whose_local_sizes_disagree_is_refused(tmp_path):  # S3.19
    content = bytearray(WHEEL[1])
    at = _local_header_at(WHEEL[1], b"example_pkg.py")
    compressed, size = struct.unpack_from("<II", content, at + 18)
    struct.pack_into("<I", content, at + 22, size + 1)
    assert _archive_error(tmp_path, (WHEEL[0], bytes(content))) == (
        _zip_not_accepted("Mis-matched file size")
    )
    struct.pack_into("<II", content, at + 18, compressed + 1, size)
    assert _archive_error(tmp_path, (WHEEL[0], bytes(content))) == (
        _zip_not_accepted("Mis-matched data size")
    )


def test_zip_whose_local_name_is_not_in_the_central_directory_is_refused(tmp_path):  # S3.19
    content = bytearray(WHEEL[1])
    at = _local_header_at(WHEEL[1], b"example_pkg.py")
    content[at + 30 : at + 30 + 14] = b"examplx_pkg.py"
    assert _archive_error(tmp_path, (WHEEL[0], bytes(content))) == (
        _zip_not_accepted("Filename not in central directory")
    )


def test_zip_whose_end_record_miscounts_is_refused(tmp_path):  # S3.19
    content = bytearray(WHEEL[1])
    end = content.rindex(b"PK\x05\x06")
    entries = struct.unpack_from("<H", content, end + 10)[0]
    struct.pack_into("<HH", content, end + 8, entries + 1, entries + 1)
    assert _archive_error(tmp_path, (WHEEL[0], bytes(content))) == (
        _zip_not_accepted("Mismatched central directory records")
    )


@pytest.mark.parametrize("extra", ["prefix", "suffix"])
def test_zip_with_extra_bytes_around_it_is_refused(tmp_path, extra):  # S3.19
    content = b"junk" * 8 + WHEEL[1] if extra == "prefix" else WHEEL[1] + b"junk" * 8
    assert _archive_error(tmp_path, (WHEEL[0], content)) == _zip_not_accepted("Malformed zip file")
