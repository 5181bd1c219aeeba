"""Strict ZIP structure checks (S3.19), so that every ZIP reader sees the same members.

Installers read a wheel through its central directory; other tools stream the local headers.
A ZIP whose two views differ (duplicates, mismatched sizes, hidden or overlapping entries,
data descriptors) could install differently from what was checked here, so it is refused.
The walk reads record headers only and seeks over member data: memory stays flat.
"""

from __future__ import annotations

import os
import struct
import zipfile
from typing import BinaryIO

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"
_END64 = b"PK\x06\x06"
_END64_LOCATOR = b"PK\x06\x07"

_LOCAL_HEADER = struct.Struct("<HHHHHIIIHH")  # after the signature
_CENTRAL_HEADER = struct.Struct("<HHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<HHHHIIH")
_END64_RECORD = struct.Struct("<QHHIIQQQQ")
_END64_LOCATOR_RECORD = struct.Struct("<IQI")

_ZIP64_EXTRA = 0x0001
_UNICODE_PATH_EXTRA = 0x7075
_NO_DUPLICATES = {_ZIP64_EXTRA, _UNICODE_PATH_EXTRA}
_FLAG_DATA_DESCRIPTOR = 0x08
_FLAG_UTF8 = 0x800
_MAX32 = 0xFFFFFFFF


class ZipRejected(Exception):
    """The archive is not acceptable; the argument is Warehouse's reason text."""


def end_record(fp: BinaryIO, size: int) -> tuple[int, int] | None:
    """(entries, central directory size) from the end record, or None if there is none.

    Read before ``zipfile`` loads the central directory, so that its size can be capped.
    """
    tail_length = min(size, _END_RECORD.size + 4 + 0xFFFF)
    fp.seek(size - tail_length)
    tail = fp.read(tail_length)
    position = tail.rfind(_END)
    if position < 0 or len(tail) - position < 4 + _END_RECORD.size:
        return None
    fields = _END_RECORD.unpack_from(tail, position + 4)
    entries, cd_size = fields[3], fields[4]
    locator_at = position - 4 - _END64_LOCATOR_RECORD.size
    if locator_at >= 0 and tail[locator_at : locator_at + 4] == _END64_LOCATOR:
        offset = _END64_LOCATOR_RECORD.unpack_from(tail, locator_at + 4)[1]
        fp.seek(offset)
        if fp.read(4) == _END64:
            record = fp.read(_END64_RECORD.size)
            if len(record) == _END64_RECORD.size:
                fields64 = _END64_RECORD.unpack(record)
                entries, cd_size = fields64[6], fields64[7]
    return entries, cd_size


def check_structure(fp: BinaryIO, central: list[zipfile.ZipInfo]) -> None:
    """Walk every record from the start of the file; raise ZipRejected on any disagreement
    between the local headers, the central directory (as ``zipfile`` read it) and the end
    records, and on data descriptors, comments, ZIP64 extensible data and trailing data."""
    expected: dict[str, list[zipfile.ZipInfo]] = {}
    for info in central:
        expected.setdefault(info.orig_filename, []).append(info)
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    fp.seek(0)
    local_names: set[bytes] = set()
    central_names: set[bytes] = set()
    central_start: int | None = None
    central_records = 0
    central_bytes = 0
    end64: tuple[int, int, int] | None = None
    end64_offset: int | None = None
    locator_offset: int | None = None
    while True:
        at = fp.tell()
        signature = _read(fp, 4)
        if signature == _LOCAL and central_start is None:
            name, matched = _local_header(fp, at, expected, size)
            if name in local_names:
                raise ZipRejected("Duplicate filename in local headers")
            if not matched:  # the central directory points elsewhere: overlapping entries
                raise ZipRejected("Mismatched central directory records")
            local_names.add(name)
        elif signature == _CENTRAL and end64 is None:
            central_start = at if central_start is None else central_start
            central_records += 1
            name, length = _central_header(fp)
            central_bytes += length
            if name in central_names:
                raise ZipRejected("Duplicate filename in central directory")
            if name not in local_names:
                raise ZipRejected("Missing filename in local headers")
            central_names.add(name)
        elif signature == _END64 and end64 is None:
            end64_offset = at
            fields = _END64_RECORD.unpack(_read(fp, _END64_RECORD.size))
            if fields[0] != 44:
                raise ZipRejected("ZIP64 extensible data not allowed")
            if fields[3] or fields[4] or fields[5] != fields[6]:
                raise ZipRejected("Malformed zip file")
            end64 = (fields[6], fields[7], fields[8])
        elif signature == _END64_LOCATOR and end64 is not None and locator_offset is None:
            locator_offset = _END64_LOCATOR_RECORD.unpack(_read(fp, _END64_LOCATOR_RECORD.size))[1]
            if locator_offset != end64_offset:
                raise ZipRejected("Malformed zip file")
        elif signature == _END:
            if end64 is not None and locator_offset is None:
                raise ZipRejected("Malformed zip file")
            disk, cd_disk, disk_entries, entries, cd_size, cd_offset, comment = _END_RECORD.unpack(
                _read(fp, _END_RECORD.size)
            )
            if disk or cd_disk or disk_entries != entries:
                raise ZipRejected("Malformed zip file")
            if end64 is not None:
                entries, cd_size, cd_offset = end64
            start = central_start if central_start is not None else (end64_offset or at)
            if entries != central_records:
                raise ZipRejected("Mismatched central directory records")
            if cd_offset != start or cd_size != central_bytes:
                raise ZipRejected("Mismatched central directory records")
            _read(fp, comment)
            break
        else:
            raise ZipRejected("Malformed zip file")
    if local_names != central_names:
        raise ZipRejected("Mismatched central directory records")
    if fp.tell() != size:
        raise ZipRejected("Malformed zip file")


def _read(fp: BinaryIO, amount: int) -> bytes:
    data = fp.read(amount)
    if len(data) != amount:
        raise ZipRejected("Malformed zip file")
    return data


def _check_name(name: bytes) -> None:
    if any(byte < 0x20 or byte == 0x7F for byte in name):
        raise ZipRejected("Invalid character in filename")
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        raise ZipRejected("Filename not valid UTF-8") from None


def _local_header(
    fp: BinaryIO, at: int, expected: dict[str, list[zipfile.ZipInfo]], size: int
) -> tuple[bytes, bool]:
    """Check one local header against its central directory entry and skip its data.

    Returns the raw name and whether the central directory entry points at this header."""
    fields = _LOCAL_HEADER.unpack(_read(fp, _LOCAL_HEADER.size))
    flags, method, compressed, uncompressed, name_length, extra_length = (
        fields[1], fields[2], fields[6], fields[7], fields[8], fields[9]
    )  # fmt: skip
    name = _read(fp, name_length)
    extra = _read(fp, extra_length)
    _check_name(name)
    seen: set[int] = set()
    while extra:
        if len(extra) < 4:
            raise ZipRejected("Malformed zip file")
        extra_id, extra_size = struct.unpack_from("<HH", extra)
        body, extra = extra[4 : 4 + extra_size], extra[4 + extra_size :]
        if len(body) != extra_size:
            raise ZipRejected("Malformed zip file")
        if extra_id in seen and extra_id in _NO_DUPLICATES:
            raise ZipRejected("Invalid duplicate extra in local file")
        seen.add(extra_id)
        if extra_id == _ZIP64_EXTRA:
            if extra_size % 8 or extra_size > 16:
                raise ZipRejected("Malformed zip file")
            values = list(struct.unpack(f"<{extra_size // 8}Q", body))
            if uncompressed == _MAX32 and values:
                uncompressed = values.pop(0)
            if compressed == _MAX32:
                if not values:
                    raise ZipRejected("Malformed zip file")
                compressed = values.pop(0)
        elif extra_id == _UNICODE_PATH_EXTRA:
            _check_name(body[5:])
    if flags & _FLAG_DATA_DESCRIPTOR:
        raise ZipRejected("ZIP contains a data descriptor")
    candidates = expected.get(name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437"))
    if not candidates:
        raise ZipRejected("Filename not in central directory")
    info = next((i for i in candidates if i.header_offset == at), candidates[-1])
    if info.compress_size != compressed:
        raise ZipRejected("Mis-matched data size")
    if info.file_size != uncompressed:
        raise ZipRejected("Mis-matched file size")
    if fp.tell() + compressed > size:
        raise ZipRejected("Malformed zip file")
    fp.seek(compressed, os.SEEK_CUR)
    return name, info.header_offset == at and info.compress_type == method


def _central_header(fp: BinaryIO) -> tuple[bytes, int]:
    fields = _CENTRAL_HEADER.unpack(_read(fp, _CENTRAL_HEADER.size))
    name_length, extra_length, comment_length = fields[9], fields[10], fields[11]
    if comment_length:
        raise ZipRejected("Comment in central directory")
    name = _read(fp, name_length)
    _read(fp, extra_length)
    _check_name(name)
    return name, 4 + _CENTRAL_HEADER.size + name_length + extra_length
