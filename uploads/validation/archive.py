"""The uploaded archive itself (S3.19-S3.22), read as a stream from the staged file.

Beyond Warehouse: tar bombs are refused like zip bombs; so are unsafe member paths, links and
special files, corrupt or truncated data, and in-archive metadata that disagrees with the form.
Only METADATA, PKG-INFO and entry_points.txt are held in memory, each capped.
"""

from __future__ import annotations

import configparser
import gzip
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from packaging.metadata import Metadata
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from uploads.validation import zipcheck
from uploads.validation.errors import UploadError
from uploads.validation.metadata import parse_metadata_file

if TYPE_CHECKING:
    from uploads.validation.form import FormData

MAX_MEMBERS = 100_000
MAX_UNCOMPRESSED_SIZE = 8 * 1024**3
RATIO_MIN_SIZE = 64 * 1024**2  # S3.19: the ratio only counts above this many bytes
MAX_RATIO = 50
MAX_METADATA_SIZE = 10 * 1024**2  # METADATA, PKG-INFO, entry_points.txt
MAX_CENTRAL_DIRECTORY_SIZE = 64 * 1024**2
MAX_SINGLE_READ = 16 * 1024**2  # a tar header (pax, GNU long name) may not ask for more
CHUNK = 1024**2
ARCHIVES_LINK = "https://docs.pypi.org/archives"
_INVALID = "Invalid distribution file."
_ENTRY_POINT_RE = re.compile(r"^[\w.]+\s*(:\s*[\w.]+\s*)?(\[.*\]\s*)?$")
_CORRUPT_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile, tarfile.TarError)
# Given the set of file names in a zip, check its layout and name the small files to keep.
_Layout = Callable[[set[str]], set[str]]


@dataclass
class ArchiveContents:
    """What the archive holds that the index keeps."""

    core_metadata: bytes | None
    metadata: Metadata


class _Refused(Exception):
    """An S3.19 reason; raised inside, reported as "Invalid distribution file. <reason>"."""


def inspect_archive(path: Path, filename: str, form: FormData) -> ArchiveContents:
    """Check the staged distribution file and return its core metadata.

    S3.19: a zip or a tar but not both; zip and tar bombs (uncompressed over 64 MiB and over
    50 times the file, or over MAX_UNCOMPRESSED_SIZE, or more than MAX_MEMBERS members); only
    STORED/DEFLATED members and strict ZIP structure; no sparse, link or special tar members;
    no absolute or ``..`` member paths; every byte readable (CRCs, truncation). S3.20: an sdist
    has one top-level directory holding PKG-INFO and each License-File. S3.21: a wheel has
    WHEEL, METADATA and RECORD in ``<name>-<version>.dist-info``, a parseable
    entry_points.txt and its license files. S3.22: the in-archive METADATA/PKG-INFO passes the
    S3.5 rules and agrees with the form on name, version, Requires-Python and Requires-Dist.
    Raises UploadError(400); archive-level reasons start "Invalid distribution file.".
    """
    try:
        if zipfile.is_zipfile(path) and _is_tarfile(path):
            raise _Refused("File is both a zip and a tar file")
        if filename.endswith(".tar.gz"):
            top, files, pkg_info = _scan_tar(path)
            return _sdist_contents(filename, form, top, files, pkg_info)
        if filename.endswith(".zip"):
            files, wanted = _scan_zip(path, _zip_sdist_layout)
            top = next(iter(files)).partition("/")[0]
            return _sdist_contents(filename, form, top, files, wanted.get(f"{top}/PKG-INFO"))
        if filename.endswith(".whl"):
            return _wheel_contents(path, filename, form)
        raise _Refused("File is not a recognized archive")
    except _Refused as exc:
        raise UploadError(f"{_INVALID} {exc}") from None
    except _CORRUPT_ERRORS as exc:
        raise UploadError(f"{_INVALID} File is corrupt or truncated: {exc}") from None


def _is_tarfile(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except _CORRUPT_ERRORS:
        return False


def _check_member_path(name: str) -> None:
    parts = re.split(r"[/\\]", name)
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise _Refused(f"File contains a member with an unsafe path: {name!r}")


def _check_size(total: int, compressed: int) -> None:
    if total > RATIO_MIN_SIZE and total / max(compressed, 1) > MAX_RATIO:
        raise _Refused(f"File exceeds compression ratio of {MAX_RATIO}")
    if total > MAX_UNCOMPRESSED_SIZE:
        raise _Refused(f"File exceeds the uncompressed size limit of {MAX_UNCOMPRESSED_SIZE} bytes")


def _check_count(count: int) -> None:
    if count > MAX_MEMBERS:
        raise _Refused(f"File has more than {MAX_MEMBERS} members")


def _read_capped(stream: IO[bytes], name: str) -> bytes:
    data = stream.read(MAX_METADATA_SIZE + 1)
    if len(data) > MAX_METADATA_SIZE:
        raise _Refused(f"{name} is larger than {MAX_METADATA_SIZE} bytes")
    return data


# ZIP (wheels, and .zip sdists) ------------------------------------------------------------


def _scan_zip(path: Path, layout: _Layout) -> tuple[set[str], dict[str, bytes]]:
    """S3.19 checks in Warehouse's order, then ours; read every member once (CRC checks),
    keeping the small files ``layout`` asks for. Returns (file names, kept files)."""
    size = path.stat().st_size
    with path.open("rb") as fp:
        end = zipcheck.end_record(fp, size)
        if end is not None:
            _check_count(end[0])
            if end[1] > MAX_CENTRAL_DIRECTORY_SIZE:
                raise _Refused("File has an oversized central directory")
        try:
            archive = zipfile.ZipFile(fp)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            raise _Refused("File is not a zipfile") from None
        with archive:
            infos = archive.infolist()
            _check_count(len(infos))
            _check_size(sum(info.file_size for info in infos), size)
            if any(
                i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in infos
            ):
                raise _Refused("File does not use a supported compression type")
            files = {info.filename for info in infos if not info.is_dir()}
            wanted = layout(files)
            try:
                zipcheck.check_structure(fp, infos)
            except zipcheck.ZipRejected as exc:
                raise _Refused(
                    f"ZIP archive not accepted: {exc}. See {ARCHIVES_LINK} for more information"
                ) from None
            kept: dict[str, bytes] = {}
            for info in infos:
                _check_member_path(info.filename)
                if info.flag_bits & 0x1:
                    raise _Refused(f"File contains an encrypted member: {info.filename!r}")
                if stat.S_ISLNK(info.external_attr >> 16):
                    # unzip and some installers would create the link: refuse it, as for tar
                    raise _Refused(f"File contains a symbolic link member: {info.filename!r}")
            for info in infos:
                with archive.open(info) as member:
                    if info.filename in wanted:
                        kept[info.filename] = _read_capped(member, info.filename)
                    while member.read(CHUNK):
                        pass
    return files, kept


def _zip_sdist_layout(files: set[str]) -> set[str]:
    top = _single_top(files)
    return {f"{top}/PKG-INFO"}


def _single_top(names: Iterable[str]) -> str:
    tops = {name.partition("/")[0] for name in names}
    if len(tops) != 1:
        raise _Refused("Incorrect number of top-level directories in sdist")
    return tops.pop()


def _wheel_contents(path: Path, filename: str, form: FormData) -> ArchiveContents:
    try:
        name, version, _ = filename.split("-", 2)
    except ValueError:
        raise _Refused("Unable to parse name and version from wheel filename") from None
    dist_info = f"{name}-{version}.dist-info"

    def layout(files: set[str]) -> set[str]:
        if f"{dist_info}/WHEEL" not in files:
            raise _Refused(f"WHEEL not found at {dist_info}/WHEEL")
        return {f"{dist_info}/METADATA", f"{dist_info}/entry_points.txt"}

    files, kept = _scan_zip(path, layout)
    for license_file in form.metadata.license_files or []:
        _require_license_file(files, filename, f"{dist_info}/licenses", license_file)
    if f"{dist_info}/RECORD" not in files:
        raise UploadError(
            f"Wheel '{filename}' does not contain the required RECORD file: {dist_info}/RECORD"
        )
    entry_points = kept.get(f"{dist_info}/entry_points.txt")
    if entry_points is not None and not _valid_entry_points(entry_points):
        raise UploadError(
            f"Wheel '{filename}' has invalid entry points defined in the entry_points.txt file"
        )
    core_metadata = kept.get(f"{dist_info}/METADATA")
    if core_metadata is None:
        raise UploadError(
            f"Wheel '{filename}' does not contain the required METADATA file: {dist_info}/METADATA"
        )
    member = f"{dist_info}/METADATA"
    metadata = parse_metadata_file(core_metadata, member=member)
    for license_file in metadata.license_files or []:
        _require_license_file(files, filename, f"{dist_info}/licenses", license_file)
    _check_agreement(metadata, form, member)
    return ArchiveContents(core_metadata=core_metadata, metadata=metadata)


def _valid_entry_points(data: bytes) -> bool:
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(data.decode("utf-8"))
    except (UnicodeDecodeError, configparser.Error):
        return False
    return all(
        key.strip() and _ENTRY_POINT_RE.match(value)
        for section in parser.sections()
        for key, value in parser.items(section)
    )


# tar.gz (sdists) --------------------------------------------------------------------------


class _TarSource:
    """The decompressed stream as tarfile sees it: refuses oversized single reads (a pax or
    GNU long-name header is read whole) and remembers the last block read."""

    def __init__(self, stream: gzip.GzipFile) -> None:
        self.stream = stream
        self.last = b""
        self.last_at = -1

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > MAX_SINGLE_READ:
            raise _Refused("tar archive has an oversized header")
        self.last_at = self.stream.tell()
        self.last = self.stream.read(size)
        return self.last

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.stream.seek(offset, whence)

    def tell(self) -> int:
        return self.stream.tell()


def _scan_tar(path: Path) -> tuple[str, set[str], bytes | None]:
    """Walk every member header, refusing bombs and unsafe members before decompressing past
    them; then read to the end so gzip checks its CRC. Returns (top dir, files, PKG-INFO)."""
    compressed = path.stat().st_size
    with path.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as stream:
        source = _TarSource(stream)
        with _open_tar(source) as archive:
            files, tops, pkg_infos = _walk_tar(archive, source, compressed)
        while stream.read(CHUNK):  # to the end, so that gzip checks its CRC and length
            _check_size(stream.tell(), compressed)
    top = _single_top(tops)
    return top, files, pkg_infos.get(top)


def _open_tar(source: _TarSource) -> tarfile.TarFile:
    try:
        return tarfile.open(fileobj=source, mode="r:")  # type: ignore[call-overload]
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise _Refused("File is not a tarfile") from None


def _walk_tar(
    archive: tarfile.TarFile, source: _TarSource, compressed: int
) -> tuple[set[str], set[str], dict[str, bytes]]:
    files: set[str] = set()
    tops: set[str] = set()
    pkg_infos: dict[str, bytes] = {}
    count = 0
    while (member := archive.next()) is not None:
        # tarfile keeps every header otherwise.
        archive.members.clear()  # type: ignore[attr-defined]  # typeshed omits TarFile.members
        count += 1
        _check_count(count)
        _check_size(member.offset_data + member.size, compressed)
        if member.issparse():
            raise _Refused(
                "tar archive not accepted: Sparse members are not allowed. "
                f"See {ARCHIVES_LINK} for more information"
            )
        _check_member_path(member.name)
        if member.issym() or member.islnk():
            raise _Refused(f"File contains a link member: {member.name!r}")
        if not (member.isreg() or member.isdir()):
            raise _Refused(f"File contains a special file member: {member.name!r}")
        top, _, rest = member.name.partition("/")
        tops.add(top)
        if member.isreg():
            if member.name in files:
                raise _Refused(f"File contains a duplicate member: {member.name!r}")
            files.add(member.name)
            if rest == "PKG-INFO":
                extracted = archive.extractfile(member)
                assert extracted is not None  # a regular file
                pkg_infos[top] = _read_capped(extracted, member.name)
    # tarfile stops quietly at a truncated or garbled header; only a zero block ends an archive.
    if source.last_at != archive.offset or source.last != bytes(tarfile.BLOCKSIZE):
        raise _Refused("File is corrupt or truncated: the tar end-of-archive marker is missing")
    return files, tops, pkg_infos


def _sdist_contents(
    filename: str, form: FormData, top: str, files: set[str], pkg_info: bytes | None
) -> ArchiveContents:
    member = f"{top}/PKG-INFO"
    if pkg_info is None:
        raise _Refused(f"PKG-INFO not found at {member}")
    for license_file in form.metadata.license_files or []:
        _require_license_file(files, filename, top, license_file)
    metadata = parse_metadata_file(pkg_info, member=member)
    for license_file in metadata.license_files or []:
        _require_license_file(files, filename, top, license_file)
    _check_agreement(metadata, form, member)
    return ArchiveContents(core_metadata=None, metadata=metadata)


# Both -------------------------------------------------------------------------------------


def _require_license_file(files: set[str], filename: str, directory: str, path: str) -> None:
    if f"{directory}/{path}" not in files:
        raise UploadError(
            f"License-File {path} does not exist in distribution file {filename} at "
            f"{directory}/{path}"
        )


def _check_agreement(archived: Metadata, form: FormData, member: str) -> None:
    """S3.22: the archive's own metadata must describe what the form says is uploaded."""
    prefix = f"{_INVALID} {member}"
    if canonicalize_name(archived.name) != canonicalize_name(form.name):
        raise UploadError(f"{prefix} has Name '{archived.name}', not '{form.name}'.")
    if archived.version != Version(form.version):
        raise UploadError(f"{prefix} has Version '{archived.version}', not '{form.version}'.")
    if (archived.requires_python or SpecifierSet()) != (
        form.metadata.requires_python or SpecifierSet()
    ):
        raise UploadError(
            f"{prefix} has Requires-Python '{archived.requires_python or ''}', "
            f"not '{form.requires_python}'."
        )
    in_archive = _requirement_set(archived.requires_dist or [])
    in_form = _requirement_set(form.metadata.requires_dist or [])
    if in_archive != in_form:
        raise UploadError(
            f"{prefix} has Requires-Dist {sorted(in_archive)}, not {sorted(in_form)}."
        )


def _requirement_set(requirements: Iterable[Requirement]) -> set[str]:
    normalized = set()
    for requirement in requirements:
        copy = Requirement(str(requirement))
        copy.name = canonicalize_name(copy.name)
        copy.extras = {canonicalize_name(extra) for extra in copy.extras}
        normalized.add(str(copy))
    return normalized
