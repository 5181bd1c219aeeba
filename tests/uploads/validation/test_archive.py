"""The uploaded archive itself (S3.19): zip or tar, bombs, caps, corrupt or truncated data,
unsafe members: ``uploads.validation.archive``. Pure functions: no database."""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile

import pytest

from tests import dists
from tests.uploads.validation.helpers import (
    ARCHIVES,
    DIST_INFO,
    SDIST,
    WHEEL,
    _archive_error,
    _inspect,
    _patch,
)
from uploads.validation import archive as archive_module

# The archive: S3.19 -----------------------------------------------------------------------


def test_valid_wheel_returns_its_exact_metadata(tmp_path):  # S3.21
    contents = _inspect(tmp_path, WHEEL)
    with zipfile.ZipFile(io.BytesIO(WHEEL[1])) as archive:
        assert contents.core_metadata == archive.read(f"{DIST_INFO}/METADATA")
    assert contents.metadata.name == "example-pkg"


def test_valid_sdist_has_no_core_metadata_file(tmp_path):  # S3.20
    contents = _inspect(tmp_path, SDIST)
    assert contents.core_metadata is None and str(contents.metadata.version) == "1.0"


def test_setuptools_style_sdist_with_unknown_values_is_accepted(tmp_path):  # S3.22, S3.2
    pkg_info = dists.metadata_text(
        metadata_version="1.1",
        extra="Home-page: UNKNOWN\nAuthor: UNKNOWN\nLicense: UNKNOWN\nPlatform: UNKNOWN\n"
        "X-Custom-Header: ignored\n\nUNKNOWN\n",
    )
    dist = dists.make_sdist(pkg_info_text=pkg_info)
    assert _inspect(tmp_path, dist).metadata.home_page is None


def test_file_that_is_both_a_zip_and_a_tar_is_refused(tmp_path):  # S3.19
    polyglot = (SDIST[0], SDIST[1] + WHEEL[1])
    assert _archive_error(tmp_path, polyglot) == (
        "Invalid distribution file. File is both a zip and a tar file"
    )


def test_wheel_that_is_not_a_zip_is_refused(tmp_path):  # S3.19
    assert _archive_error(tmp_path, (WHEEL[0], SDIST[1])) == (
        "Invalid distribution file. File is not a zipfile"
    )


@pytest.mark.parametrize("content", [WHEEL[1], b"plain text, not an archive" * 40, b""])
def test_sdist_that_is_not_a_tar_is_refused(tmp_path, content):  # S3.19
    assert _archive_error(tmp_path, (SDIST[0], content)) == (
        "Invalid distribution file. File is not a tarfile"
    )


def test_zip_bomb_is_refused(tmp_path):  # S3.19
    assert _archive_error(tmp_path, dists.zip_bomb_wheel()) == (
        "Invalid distribution file. File exceeds compression ratio of 50"
    )


def test_tar_bomb_is_refused(tmp_path):  # S3.19 (REC: the same thresholds for tar)
    assert _archive_error(tmp_path, dists.tar_bomb_sdist()) == (
        "Invalid distribution file. File exceeds compression ratio of 50"
    )


def test_well_compressible_file_under_64_mib_is_accepted(tmp_path):  # S3.19
    _inspect(tmp_path, dists.zip_bomb_wheel(size=4 * 1024**2))
    _inspect(tmp_path, dists.tar_bomb_sdist(size=4 * 1024**2))


@pytest.mark.parametrize("dist", [dists.zip_bomb_wheel(size=5000), dists.tar_bomb_sdist(size=5000)])
def test_total_uncompressed_size_is_capped(tmp_path, monkeypatch, dist):  # S3.19
    monkeypatch.setattr(archive_module, "MAX_UNCOMPRESSED_SIZE", 4000)
    assert _archive_error(tmp_path, dist) == (
        "Invalid distribution file. File exceeds the uncompressed size limit of 4000 bytes"
    )


@pytest.mark.parametrize(
    "dist",
    [dists.make_wheel(files={f"data/{n}.txt": "x" for n in range(10)}),
     dists.make_sdist(extra_members=[(f"example_pkg-1.0/{n}.txt", "x") for n in range(10)])],
)  # fmt: skip
def test_member_count_is_capped(tmp_path, monkeypatch, dist):  # S3.19
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 8)
    assert (
        _archive_error(tmp_path, dist) == "Invalid distribution file. File has more than 8 members"
    )


@pytest.mark.parametrize("compression", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_only_stored_and_deflated_zip_members_are_accepted(tmp_path, compression):  # S3.19
    assert _archive_error(tmp_path, dists.make_wheel(compression=compression)) == (
        "Invalid distribution file. File does not use a supported compression type"
    )


def test_stored_wheel_is_accepted(tmp_path):  # S3.19
    _inspect(tmp_path, dists.make_wheel(compression=zipfile.ZIP_STORED))


def test_wheel_filename_without_name_and_version_is_refused(tmp_path):  # S3.19
    assert _archive_error(tmp_path, ("example.whl", WHEEL[1])) == (
        "Invalid distribution file. Unable to parse name and version from wheel filename"
    )


def test_wheel_without_wheel_file_is_refused(tmp_path):  # S3.19
    assert _archive_error(tmp_path, dists.make_wheel(omit=["WHEEL"])) == (
        f"Invalid distribution file. WHEEL not found at {DIST_INFO}/WHEEL"
    )


def _zip_sdist(members: dict[str, str]) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return "example_pkg-1.0.zip", buffer.getvalue()


def test_zip_sdist_layout_is_checked(tmp_path):  # S3.19
    pkg_info = dists.metadata_text()
    _inspect(tmp_path, _zip_sdist({"example_pkg-1.0/PKG-INFO": pkg_info}))
    assert _archive_error(tmp_path, _zip_sdist({"a/PKG-INFO": pkg_info, "b/x": ""})) == (
        "Invalid distribution file. Incorrect number of top-level directories in sdist"
    )
    assert _archive_error(tmp_path, _zip_sdist({"example_pkg-1.0/setup.py": ""})) == (
        "Invalid distribution file. PKG-INFO not found at example_pkg-1.0/PKG-INFO"
    )


def test_zip_with_an_encrypted_member_is_refused(tmp_path):  # S3.19
    content = bytearray(WHEEL[1])
    central = content.index(b"PK\x01\x02")
    struct.pack_into("<H", content, central + 8, 0x1)
    assert _archive_error(tmp_path, (WHEEL[0], bytes(content))) == (
        "Invalid distribution file. File contains an encrypted member: 'example_pkg.py'"
    )


def test_zip_with_corrupt_member_data_is_refused(tmp_path):  # S3.19
    filename, content = dists.make_wheel(compression=zipfile.ZIP_STORED)
    corrupted = _patch(content, b'VERSION = "1.0"', b'VERSION = "6.6"')
    message = _archive_error(tmp_path, (filename, corrupted))
    assert message.startswith("Invalid distribution file. File is corrupt or truncated: Bad CRC-32")


@pytest.mark.parametrize("keep", [0.2, 0.6, 0.95, 0.999])
def test_truncated_wheel_is_refused(tmp_path, keep):  # S3.19
    message = _archive_error(tmp_path, (WHEEL[0], dists.truncated(WHEEL[1], keep)))
    assert message == "Invalid distribution file. File is not a zipfile"


@pytest.mark.parametrize("keep", [0.05, 0.3, 0.6, 0.95, 0.999])
def test_truncated_sdist_is_refused(tmp_path, keep):  # S3.19
    message = _archive_error(tmp_path, (SDIST[0], dists.truncated(SDIST[1], keep)))
    assert message.startswith("Invalid distribution file. File is")


def _gzip_tar(members: list[tarfile.TarInfo | tuple[tarfile.TarInfo, bytes]],
              *, end_marker: bool = True, tail: bytes = b"") -> bytes:  # fmt: skip
    raw = io.BytesIO()
    for member in members:
        info, data = member if isinstance(member, tuple) else (member, b"")
        raw.write(info.tobuf(tarfile.GNU_FORMAT))
        raw.write(data + bytes(-len(data) % tarfile.BLOCKSIZE))
    raw.write(tail)
    if end_marker:
        raw.write(bytes(2 * tarfile.BLOCKSIZE))
    return gzip.compress(raw.getvalue(), mtime=0)


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


PKG_INFO = _file("example_pkg-1.0/PKG-INFO", dists.metadata_text().encode())


def test_hand_built_sdist_is_accepted(tmp_path):  # S3.19
    _inspect(tmp_path, (SDIST[0], _gzip_tar([PKG_INFO])))


def test_tar_without_an_end_marker_is_refused(tmp_path):  # S3.19
    content = _gzip_tar([PKG_INFO], end_marker=False)
    assert _archive_error(tmp_path, (SDIST[0], content)) == (
        "Invalid distribution file. File is corrupt or truncated: "
        "the tar end-of-archive marker is missing"
    )


def test_tar_with_a_garbage_header_is_refused(tmp_path):  # S3.19
    content = _gzip_tar([PKG_INFO], end_marker=True, tail=b"garbage!" * 64)
    assert "end-of-archive marker is missing" in _archive_error(tmp_path, (SDIST[0], content))


def test_gzip_with_a_bad_crc_is_refused(tmp_path):  # S3.19
    content = bytearray(SDIST[1])
    content[-8] ^= 0xFF  # the CRC32 in the gzip trailer
    message = _archive_error(tmp_path, (SDIST[0], bytes(content)))
    assert message.startswith("Invalid distribution file. File is corrupt or truncated: CRC check")


def test_sparse_tar_member_is_refused(tmp_path):  # S3.19
    sparse = tarfile.TarInfo("example_pkg-1.0/sparse")
    sparse.type = tarfile.GNUTYPE_SPARSE
    content = _gzip_tar([PKG_INFO, sparse])
    assert _archive_error(tmp_path, (SDIST[0], content)) == (
        f"Invalid distribution file. tar archive not accepted: Sparse members are not allowed. "
        f"{ARCHIVES}"
    )


def test_oversized_tar_header_is_refused(tmp_path, monkeypatch):  # S3.19
    monkeypatch.setattr(archive_module, "MAX_SINGLE_READ", 4096)
    info = tarfile.TarInfo("example_pkg-1.0/x")
    info.pax_headers = {"comment": "c" * 10_000}
    dist = dists.make_sdist(extra_members=[(info, b"")])
    assert _archive_error(tmp_path, dist) == (
        "Invalid distribution file. tar archive has an oversized header"
    )


def test_duplicate_tar_member_is_refused(tmp_path):  # S3.19
    dist = dists.sdist_with_member("example_pkg-1.0/example_pkg.py", b"evil = True\n")
    assert _archive_error(tmp_path, dist) == (
        "Invalid distribution file. File contains a duplicate member: "
        "'example_pkg-1.0/example_pkg.py'"
    )


@pytest.mark.parametrize(
    "dist",
    [dists.traversal_wheel(), dists.absolute_member_wheel(), dists.wheel_with_member("..\\evil.py"),
     dists.wheel_with_member("C:/evil.py"), dists.wheel_with_member("example_pkg/../../evil.py")],
)  # fmt: skip
def test_wheel_members_with_unsafe_paths_are_refused(tmp_path, dist):  # S3.19
    message = _archive_error(tmp_path, dist)
    assert message.startswith(
        "Invalid distribution file. File contains a member with an unsafe path"
    )


@pytest.mark.parametrize("dist", [dists.traversal_sdist(), dists.absolute_member_sdist()])
def test_sdist_members_with_unsafe_paths_are_refused(tmp_path, dist):  # S3.19
    message = _archive_error(tmp_path, dist)
    assert message.startswith(
        "Invalid distribution file. File contains a member with an unsafe path"
    )


@pytest.mark.parametrize("kind", ["symlink", "hardlink"])
def test_sdist_link_members_are_refused(tmp_path, kind):  # S3.19
    assert _archive_error(tmp_path, dists.link_sdist(kind)) == (
        "Invalid distribution file. File contains a link member: 'example_pkg-1.0/evil'"
    )


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_sdist_special_file_members_are_refused(tmp_path, kind):  # S3.19
    assert _archive_error(tmp_path, dists.link_sdist(kind)) == (
        "Invalid distribution file. File contains a special file member: 'example_pkg-1.0/evil'"
    )


@pytest.mark.parametrize(
    "dist",
    [dists.make_wheel(metadata_text=dists.metadata_text() + "\n" + "x" * 200),
     dists.make_sdist(pkg_info_text=dists.metadata_text() + "\n" + "x" * 200)],
)  # fmt: skip
def test_oversized_metadata_file_is_refused(tmp_path, monkeypatch, dist):  # S3.19
    monkeypatch.setattr(archive_module, "MAX_METADATA_SIZE", 150)
    assert "is larger than 150 bytes" in _archive_error(tmp_path, dist)
