"""Hostile archives not in tests/dists: each breaks one rule of S3.19 or S3.22."""

from __future__ import annotations

import gzip
import io
import stat
import struct
import tarfile
import warnings
import zipfile
from collections.abc import Callable
from typing import Any

from tests import dists
from tests.simple_api.corpus.build import TOP, sdist, wheel


def _members(dist: tuple[str, bytes]) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(dist[1])) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


class _Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors after each member."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.data += data
        return len(data)


def _rezip(
    members: list[tuple[str, bytes]],
    *,
    hook: Callable[[zipfile.ZipInfo], None] | None = None,
    seekable: bool = True,
) -> bytes:
    stream: Any = io.BytesIO() if seekable else _Unseekable()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on duplicate names
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=dists.ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                if hook is not None:
                    hook(info)
                archive.writestr(info, data)
    return stream.getvalue() if seekable else bytes(stream.data)


def zip_with_data_descriptors() -> tuple[str, bytes]:
    filename, _ = dist = wheel()
    return filename, _rezip(_members(dist), seekable=False)


def zip_with_comment() -> tuple[str, bytes]:
    def comment(info: zipfile.ZipInfo) -> None:
        info.comment = b"hello"

    filename, _ = dist = wheel()
    return filename, _rezip(_members(dist), hook=comment)


def zip_with_duplicate_member() -> tuple[str, bytes]:
    filename, _ = dist = wheel()
    members = _members(dist)
    return filename, _rezip([*members, ("example_pkg.py", b"EVIL = True\n")])


def _central_entry(content: bytes, name: bytes) -> int:
    at = content.index(b"PK\x01\x02")
    while content[at + 46 : at + 46 + len(name)] != name:
        at = content.index(b"PK\x01\x02", at + 4)
    return at


def zip_with_flags(name: str, flags: int) -> tuple[str, bytes]:
    filename, content = wheel()
    patched = bytearray(content)
    at = _central_entry(content, name.encode())
    struct.pack_into("<H", patched, at + 8, struct.unpack_from("<H", patched, at + 8)[0] | flags)
    return filename, bytes(patched)


def _local_entry(content: bytes, name: bytes) -> int:
    at = content.index(b"PK\x03\x04")
    while content[at + 30 : at + 30 + len(name)] != name:
        at = content.index(b"PK\x03\x04", at + 4)
    return at


def zip_patched(name: str, offset: int, fmt: str, value: int) -> tuple[str, bytes]:
    """The default wheel with one field of ``name``'s local header overwritten."""
    filename, content = wheel()
    patched = bytearray(content)
    struct.pack_into(fmt, patched, _local_entry(content, name.encode()) + offset, value)
    return filename, bytes(patched)


def zip_with_renamed_local_header() -> tuple[str, bytes]:
    filename, content = wheel()
    patched = bytearray(content)
    at = _local_entry(content, b"example_pkg.py") + 30
    patched[at : at + 14] = b"examplx_pkg.py"
    return filename, bytes(patched)


def zip_with_miscounted_end_record() -> tuple[str, bytes]:
    filename, content = wheel()
    patched = bytearray(content)
    end = content.rindex(b"PK\x05\x06")
    entries = struct.unpack_from("<H", content, end + 10)[0]
    struct.pack_into("<HH", patched, end + 8, entries + 1, entries + 1)
    return filename, bytes(patched)


def zip_with_extra(extra: bytes) -> tuple[str, bytes]:
    def hook(info: zipfile.ZipInfo) -> None:
        info.extra = extra

    filename, _ = dist = wheel()
    return filename, _rezip(_members(dist), hook=hook)


UNICODE_PATH_A = struct.pack("<HHB", 0x7075, 5 + 1, 1) + b"\0\0\0\0" + b"a"
UNICODE_PATH_NOT_UTF8 = struct.pack("<HHB", 0x7075, 5 + 2, 1) + b"\0\0\0\0" + b"\xff\xfe"


def zip_with_control_character_in_a_name() -> tuple[str, bytes]:
    filename, _ = dist = wheel()
    return filename, _rezip([*_members(dist), ("bad\x01name.py", b"")])


def zip_with_corrupt_data() -> tuple[str, bytes]:
    filename, content = wheel(compression=zipfile.ZIP_STORED)
    return filename, content.replace(b'VERSION = "1.0"', b'VERSION = "6.6"', 1)


def zip_with_symlink_member() -> tuple[str, bytes]:
    """A wheel whose ``example_pkg_link.py`` is a Unix symlink to /etc/passwd."""
    filename, content = wheel(files={"example_pkg_link.py": "/etc/passwd"})
    patched = bytearray(content)
    at = _central_entry(content, b"example_pkg_link.py")
    patched[at + 5] = 3  # "version made by": Unix, so the mode bits count
    struct.pack_into("<I", patched, at + 38, (stat.S_IFLNK | 0o777) << 16)
    return filename, bytes(patched)


def zip_with_too_many_members() -> tuple[str, bytes]:
    """100,001 empty members in 9 MB: the count alone refuses it (S3.19, ours)."""
    filename, _ = dist = wheel()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in _members(dist):
            archive.writestr(zipfile.ZipInfo(name, date_time=dists.ZIP_DATE), data)
        for index in range(100_001):
            archive.writestr(zipfile.ZipInfo(f"d/{index}", date_time=dists.ZIP_DATE), b"")
    return filename, buffer.getvalue()


def _tar_block(info: tarfile.TarInfo, data: bytes = b"") -> bytes:
    info.size = len(data)
    return info.tobuf(tarfile.GNU_FORMAT) + data + bytes(-len(data) % tarfile.BLOCKSIZE)


def _pkg_info() -> bytes:
    return _tar_block(tarfile.TarInfo(f"{TOP}/PKG-INFO"), dists.metadata_text().encode())


def tar_without_end_marker() -> tuple[str, bytes]:
    return f"{TOP}.tar.gz", gzip.compress(_pkg_info(), mtime=0)


def tar_with_sparse_member() -> tuple[str, bytes]:
    sparse = tarfile.TarInfo(f"{TOP}/sparse")
    sparse.type = tarfile.GNUTYPE_SPARSE
    raw = _pkg_info() + _tar_block(sparse) + bytes(2 * tarfile.BLOCKSIZE)
    return f"{TOP}.tar.gz", gzip.compress(raw, mtime=0)


def gzip_bomb_after_tar() -> tuple[str, bytes]:
    """A valid sdist whose gzip stream goes on with 80 MiB of zeros after the tar's end."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=buffer, mode="wb", mtime=0) as stream:
        stream.write(_pkg_info() + bytes(2 * tarfile.BLOCKSIZE))
        for chunk in dists.Zeros(dists.BOMB_SIZE).chunks():
            stream.write(chunk)
    return f"{TOP}.tar.gz", buffer.getvalue()


def gzip_with_bad_crc() -> tuple[str, bytes]:
    filename, content = sdist()
    patched = bytearray(content)
    patched[-8] ^= 0xFF  # the CRC32 in the gzip trailer
    return filename, bytes(patched)


def polyglot() -> tuple[str, bytes]:
    return sdist()[0], sdist()[1] + wheel()[1]


def wheel_with_raw_metadata(raw: bytes) -> tuple[str, bytes]:
    """A wheel whose METADATA is exactly ``raw`` (which may be invalid UTF-8)."""
    filename, content = wheel(metadata_text="PLACEHOLDER")
    members = [
        (name, raw if name.endswith(".dist-info/METADATA") else data)
        for name, data in _members((filename, content))
    ]
    return filename, _rezip(members)
