"""The bad-input corpus (issue 4): malformed and hostile uploads through the real endpoint.

Every case is POSTed to ``/legacy/`` with a valid upload token. Each must get its 4xx with a
specific message in both the reason phrase and the body (S2.12), schedule no on-commit work,
and leave the database and storage exactly as they were: the same rows, the same staged and
stored bytes, and nothing in ``staging/.incoming`` (where the upload is streamed).

The index already holds ``seed-pkg`` 1.0 (a wheel and an sdist, uploaded by the uploader, who
owns it), a filename once used by a deleted file, and ``Secret-Pkg``, a private project the
uploader cannot see; several cases aim at those. A case is (id citing the S-ID, how to build
the request body, status, message substring, settings to apply first). Valid uploads right at
the corpus's edges come last: the checks must not catch them.
"""

from __future__ import annotations

import gzip
import io
import stat
import struct
import tarfile
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase

from audit.models import Event
from projects.models import (
    CoreMetadata,
    File,
    FilenameRegistry,
    Project,
    ProjectRole,
    Release,
)
from tests import dists, factories
from tests.simple_api.helpers import basic
from tokens.services import token_issue

pytestmark = pytest.mark.django_db

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


# Hostile archives not in tests/dists.py ---------------------------------------------------


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


# The corpus -------------------------------------------------------------------------------


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


LONG_NAME = "x" * 70 + "!"
ENTRY_POINTS = {f"{DIST_INFO}/entry_points.txt": "[console_scripts]\nrun = a:b:c\n"}
LATIN_1_METADATA = dists.metadata_text(summary="caf\xe9").encode("latin-1")
BAD_BODY_METADATA = dists.metadata_text().encode() + b"\nbody \xff\xfe\n"

# fmt: off
CASES = [
    # S2.1: the request itself
    case("S2.1-not-multipart",
         lambda: (b":action=file_upload", "application/x-www-form-urlencoded"), 400,
         "Uploads must be sent as multipart/form-data."),
    case("S2.1-body-truncated-inside-content",
         lambda: encode(twine(wheel()), truncate_at=-200), 400,
         "Upload payload does not have a file."),
    case("S2.1-body-truncated-inside-content-after-a-signature",
         lambda: encode(twine(wheel(), extra=[Part("gpg_signature", b"sig", "x.asc", OCTET)]),
                        truncate_at=-200),
         400, "Upload payload does not have a file."),
    case("S2.1-content-with-broken-base64",
         lambda: encode([*twine(wheel())[:-1],
                         Part("content", b"QUJD=", wheel()[0], OCTET,
                              ("Content-Transfer-Encoding: base64",))]),
         400, "Malformed upload request"),
    # S2.4 / S3.5.17: a single-value field sent twice
    case("S2.4-summary-twice", lambda: up(wheel(), summary=["one", "two"]), 400,
         f"'summary' has invalid data. {SPEC}"),
    case("S2.4-filetype-twice", lambda: up(wheel(), filetype=["bdist_wheel", "sdist"]), 400,
         "'filetype' has invalid data"),
    # S3.2: sanitizing
    case("S3.2-summary-sent-as-a-file-part",
         lambda: up(wheel(), extra=[Part("summary", b"hi", "summary.txt", "text/plain")]), 400,
         "summary: Should not be a tuple."),
    case("S3.2-UNKNOWN-version-is-dropped-so-missing", lambda: up(wheel(), version="UNKNOWN"),
         400, "'version' is a required field"),
    case("S3.2-NUL-in-name-is-escaped-and-invalid", lambda: up(wheel(), name="example\x00pkg"),
         400, r"'example\\x00pkg' is an invalid value for Name."),
    case("S3.2-NUL-in-version", lambda: up(wheel(), version="1.0\x00"), 400,
         "is invalid for 'version'"),
    # S3.3
    case("S3.3-protocol-version-2", lambda: up(wheel(), protocol_version="2"), 400,
         "Unknown protocol version."),
    # S3.4: the form
    case("S3.4-invalid-name", lambda: up(wheel(), name="-bad-"), 400,
         "'-bad-' is an invalid value for Name. Error: Start and end with a letter or numeral"),
    case("S3.4-missing-name", lambda: up(wheel(), drop=["name"]), 400,
         "'' is an invalid value for Name. Error: This field is required."),
    case("S3.4-long-invalid-name-is-shortened", lambda: up(wheel(), name=LONG_NAME), 400,
         f"'{LONG_NAME[:30]}...{LONG_NAME[-30:]}' is an invalid value for Name."),
    case("S3.4-unknown-filetype", lambda: up(wheel(), filetype="bdist_dumb"), 400,
         "Invalid value for filetype. Error: Use a known file type."),
    case("S3.4-wheel-without-pyversion", lambda: up(wheel(), drop=["pyversion"]), 400,
         "Error: Python version is required for binary distribution uploads."),
    case("S3.4-sdist-pyversion-not-source", lambda: up(sdist(), pyversion="py3"), 400,
         "Error: Use 'source' as Python version for an sdist."),
    case("S3.4-sha256-not-hex", lambda: up(wheel(), sha256_digest="z" * 64), 400,
         "Invalid value for sha256_digest. Error: Use a valid, hex-encoded, SHA256 message "
         "digest."),
    case("S3.4-blake2-too-short", lambda: up(wheel(), blake2_256_digest="ab" * 16), 400,
         "Invalid value for blake2_256_digest. Error: Use a valid, hex-encoded, BLAKE2 message "
         "digest."),
    case("S3.4-no-digest", lambda: up(wheel(), drop=["sha256_digest", "blake2_256_digest"]), 400,
         "Error: Include at least one message digest."),
    # S3.5: metadata rules, numbered as in the standard
    case("S3.5.1-metadata-version-2.6", lambda: up(wheel(), metadata_version="2.6"), 400,
         f"'2.6' is not a valid metadata version. {SPEC}"),
    case("S3.5.2-version-not-pep440", lambda: up(wheel(), version="not.a.version"), 400,
         f"'not.a.version' is invalid for 'version'. {SPEC}"),
    case("S3.5.2-version-missing", lambda: up(wheel(), drop=["version"]), 400,
         f"'version' is a required field. {SPEC}"),
    case("S3.5.3-local-version", lambda: up(wheel(), version="1.0+local.7"), 400,
         "The use of local versions in '1.0+local.7' is not allowed."),
    case("S3.5.4-field-newer-than-metadata-version",
         lambda: up(wheel(), metadata_version="2.1", license_expression="MIT"), 400,
         "license-expression introduced in metadata version 2.4, not 2.1."),
    case("S3.5.5-summary-513-characters", lambda: up(wheel(), summary="s" * 513), 400,
         f"'summary' field must be 512 characters or less. {SPEC}"),
    case("S3.5.5-summary-two-lines", lambda: up(wheel(), summary="one\ntwo"), 400,
         "'summary' must be a single line."),
    case("S3.5.6-description-content-type-html",
         lambda: up(wheel(), description="Hi", description_content_type="text/html"), 400,
         "'description-content-type' must be one of ["),  # a set: the order varies
    case("S3.5.6-description-charset-latin-1",
         lambda: up(wheel(), description="Hi",
                    description_content_type="text/plain; charset=latin-1"), 400,
         "'description-content-type' can only specify the UTF-8 charset, not 'latin-1'."),
    case("S3.5.6-markdown-variant-unknown",
         lambda: up(wheel(), description="Hi",
                    description_content_type="text/markdown; variant=Wiki"), 400,
         "valid Markdown variants for 'description-content-type' are ["),
    case("S3.5.7-author-email", lambda: up(wheel(), author_email="someone@"), 400,
         "'someone@' is not a valid email address: "),
    case("S3.5.7-maintainer-email-second-address",
         lambda: up(wheel(), maintainer_email="A <a@example.org>, B <b@example..org>"), 400,
         "'b@example..org' is not a valid email address: "),
    case("S3.5.8-unknown-classifier",
         lambda: up(wheel(), classifiers=["Typing :: Typed", "Made Up :: Thing"]), 400,
         f"'Made Up :: Thing' is not a valid classifier. {SPEC}"),
    case("S3.5.8-deprecated-classifier",
         lambda: up(wheel(), classifiers=["Framework :: Django CMS :: 4.2"]), 400,
         "The classifier 'Framework :: Django CMS :: 4.2' has been deprecated, use one of "
         "['Framework :: Django CMS :: 5.0'] instead."),
    case("S3.5.9-home-page-not-a-url", lambda: up(wheel(), home_page="ftp://example.org/x"), 400,
         f"'ftp://example.org/x' is not a valid url. {SPEC}"),
    case("S3.5.9-download-url-javascript",
         lambda: up(wheel(), download_url="javascript:alert(1)"), 400,
         "'javascript:alert(1)' is not a valid url."),
    case("S3.5.10-project-url-without-label",
         lambda: up(wheel(), project_urls=[", https://example.org"]), 400, "Must have a label."),
    case("S3.5.10-project-url-label-too-long",
         lambda: up(wheel(), project_urls=["L" * 33 + ", https://example.org"]), 400,
         f"'{'L' * 33}' must be 32 characters or less."),
    case("S3.5.10-project-url-without-url", lambda: up(wheel(), project_urls=["Docs,"]), 400,
         "Must have a URL."),
    case("S3.5.10-project-url-not-a-url",
         lambda: up(wheel(), project_urls=["Docs, gopher://example.org"]), 400,
         "'gopher://example.org' is not a valid url."),
    case("S3.5.11-requires-dist-direct-url",
         lambda: up(wheel(), requires_dist=["foo @ https://x.example/foo.whl"]), 400,
         "Can't have direct dependency: foo @ https://x.example/foo.whl."),
    case("S3.5.11-requires-dist-not-pep508",
         lambda: up(wheel(), requires_dist=["not valid !!"]), 400, "'not valid !!' is invalid"),
    case("S3.5.11-provides-dist-direct-url",
         lambda: up(wheel(), provides_dist=["foo @ https://x.example/foo.whl"]), 400,
         "Can't have direct dependency: 'foo @ https://x.example/foo.whl'."),
    case("S3.5.11-obsoletes-dist-direct-url",
         lambda: up(wheel(), obsoletes_dist=["foo @ file:///tmp/foo"]), 400,
         "Can't have direct dependency: 'foo @ file:///tmp/foo'."),
    case("S3.5.12-requires-python-not-a-specifier",
         lambda: up(wheel(), requires_python="=>3.8"), 400,
         f"'=>3.8' is invalid for 'requires-python'. {SPEC}"),
    case("S3.5.13-provides-extra-invalid", lambda: up(wheel(), provides_extra=["-bad"]), 400,
         "'-bad' is invalid for 'provides-extra'."),
    case("S3.5.14-dynamic-name", lambda: up(wheel(), metadata_version="2.2", dynamic=["Name"]),
         400, "'name' is not allowed as a dynamic field."),
    case("S3.5.14-dynamic-unknown-field",
         lambda: up(wheel(), metadata_version="2.2", dynamic=["Frobnicate"]), 400,
         "Dynamic field 'Frobnicate' is not a valid dynamic field."),
    case("S3.5.15-license-expression-not-spdx",
         lambda: up(wheel(), license_expression="Not-A-License"), 400,
         f"'Not-A-License' is invalid for 'license-expression'. {SPEC}"),
    case("S3.5.15-license-and-license-expression",
         lambda: up(wheel(), license="MIT License", license_expression="MIT"), 400,
         "License is deprecated when License-Expression is present. Only License-Expression "
         "should be present."),
    case("S3.5.15-license-file-parent-directory",
         lambda: up(wheel(), license_file=["../LICENSE"]), 400,
         "'../LICENSE' is invalid for 'license-file', parent directory indicators are not "
         "allowed."),
    case("S3.5.15-license-file-absolute", lambda: up(wheel(), license_file=["/LICENSE"]), 400,
         "'/LICENSE' is invalid for 'license-file', paths must be relative."),
    case("S3.5.16-import-name-not-an-identifier",
         lambda: up(wheel(), metadata_version="2.5", import_name=["1bad"]), 400,
         "'1bad' is not a valid identifier"),
    case("S3.5.17-duplicate-project-url-label",
         lambda: up(wheel(), project_urls=["Docs, https://a.example", "Docs, https://b.example"]),
         400, f"'project_urls' has invalid data. {SPEC}"),
    # S3.6: a new project's name (the name check runs after every other check)
    case("S3.6-name-too-similar-to-an-existing-project", lambda: up(wheel("seedpkg")), 400,
         "The name 'seedpkg' is too similar to an existing project."),
    case("S3.6-stdlib-module-name", lambda: up(wheel("json")), 400,
         "The name 'json' isn't allowed (conflict with Python Standard Library module name)."),
    # S3.7 / S3.8: names that normalise onto an existing project
    case("S3.7-name-normalises-onto-a-project-the-uploader-cannot-see",
         lambda: up(wheel("secret.pkg", "9.0")), 403, "The name 'Secret-Pkg' is not available."),
    case("S3.7-name-normalises-onto-an-invisible-project-through-the-form-only",
         lambda: up(wheel(NEW), name="SECRET_PKG"), 403,
         "The name 'Secret-Pkg' is not available."),
    case("S3.8-name-normalises-onto-own-project-but-filename-is-another",
         lambda: up(wheel("other-pkg", "2.0"), name="SEED.PKG"), 400,
         "Start filename for 'SEED.PKG' with 'seed_pkg'."),
    case("S3.8-name-normalises-onto-own-project-but-filename-not-normalized",
         lambda: up(renamed(wheel(SEED, "2.0"), "Seed.Pkg-2.0-py3-none-any.whl"),
                    name="Seed.Pkg"), 400,
         "Filename 'Seed.Pkg-2.0-py3-none-any.whl' should contain the normalized project name "
         "'seed_pkg', not 'Seed.Pkg'."),
    # S3.9: description rendering
    case("S3.9-description-fails-as-default-rst", lambda: up(wheel(), description=BROKEN_RST),
         400, "The description failed to render in the default format of reStructuredText."),
    case("S3.9-description-fails-as-declared-rst",
         lambda: up(wheel(), description=BROKEN_RST, description_content_type="text/x-rst"), 400,
         "The description failed to render for 'text/x-rst'."),
    # S3.10: filename characters and extension
    case("S3.10-control-character-in-filename",
         lambda: up(wheel(), filename="example_pkg-1.0\x01-py3-none-any.whl"), 400,
         "Cannot upload a file with non-printable characters (ordinals 0-31) or the DEL "
         "character (ordinal 127) in the name."),
    case("S3.10-NUL-in-filename",
         lambda: up(wheel(), filename="example_pkg-1.0-py3-none-any.whl\x00.exe"), 400,
         "Cannot upload a file with non-printable characters"),
    case("S3.10-DEL-in-filename",
         lambda: up(wheel(), filename="example_pkg-1.0-py3-none-any\x7f.whl"), 400,
         "Cannot upload a file with non-printable characters"),
    case("S3.10-path-in-filename",
         lambda: up(wheel(), filename="../../example_pkg-1.0-py3-none-any.whl"), 400,
         "Cannot upload a file with '/' or '\\' in the name."),
    case("S3.10-backslash-in-filename",
         lambda: up(wheel(), filename="..\\example_pkg-1.0-py3-none-any.whl"), 400,
         "Cannot upload a file with '/' or '\\' in the name."),
    case("S3.10-exe-file", lambda: up(wheel(), filename="example_pkg-1.0.win32.exe"), 400,
         "Invalid file extension: Use .tar.gz, .whl or .zip extension. See "
         "https://www.python.org/dev/peps/pep-0527 and https://peps.python.org/pep-0715/ for "
         "more information"),
    case("S3.10-egg-file", lambda: up(wheel(), filename="example_pkg-1.0-py3.11.egg"), 400,
         "Invalid file extension: Use .tar.gz, .whl or .zip extension."),
    case("S3.4-egg-file-as-setuptools-sends-it",
         lambda: up(wheel(), filename="example_pkg-1.0-py3.11.egg", filetype="bdist_egg"), 400,
         "Invalid value for filetype. Error: Use a known file type."),
    case("S3.10-tar-bz2-sdist", lambda: up(sdist(), filename="example_pkg-1.0.tar.bz2"), 400,
         "Invalid file extension: Use .tar.gz, .whl or .zip extension."),
    case("S3.10-wheel-named-like-an-sdist",
         lambda: up(wheel(), filename="example_pkg-1.0.tar.gz"), 400,
         "Invalid file extension: Extension .tar.gz is invalid for filetype bdist_wheel."),
    # S3.11: the content part
    case("S3.11-no-content-part", lambda: encode(twine(wheel())[:-1]), 400,
         "Upload payload does not have a file."),
    case("S3.11-content-sent-as-a-text-field",
         lambda: encode([*twine(wheel())[:-1], Part("content", "not a file")]), 400,
         "Upload payload does not have a file."),
    case("S3.11-two-content-parts",
         lambda: up(wheel(), extra=[Part("content", wheel("other-pkg")[1],
                                         wheel("other-pkg")[0], OCTET)]),
         400, "Upload payload has more than one file."),
    case("S3.11-image-content-type", lambda: up(wheel(), content_type="image/png"), 400,
         "Invalid distribution file."),
    case("S3.11-image-content-type-in-capitals", lambda: up(wheel(), content_type="IMAGE/GIF"),
         400, "Invalid distribution file."),
    # S3.12: sizes
    case("S3.12-file-over-the-streaming-limit",
         lambda: up(wheel(files={"blob.bin": b"\x01" * 50_000}, compression=zipfile.ZIP_STORED)),
         400, "File too large. Limit is 0 MB.", settings={"PRIVINDEX_MAX_FILE_SIZE": 1000}),
    case("S3.12-file-over-the-project-limit", lambda: up(wheel()), 400,
         f"File too large. Limit for project '{NEW}' is 0 MB.",
         settings={"PRIVINDEX_DEFAULT_FILE_SIZE_LIMIT": 100}),
    case("S3.12-project-over-its-total-limit", lambda: up(wheel(SEED, "2.0")), 400,
         f"Project size too large. Limit for project '{SEED}' total size is 0 GB.",
         settings={"PRIVINDEX_DEFAULT_PROJECT_SIZE_LIMIT": 1000}),
    # S3.13: digests
    case("S3.13-wrong-sha256", lambda: up(wheel(), sha256_digest="0" * 64), 400,
         "The digest supplied does not match a digest calculated from the uploaded file."),
    case("S3.13-wrong-blake2", lambda: up(wheel(), blake2_256_digest="F" * 64), 400,
         "The digest supplied does not match a digest calculated from the uploaded file."),
    case("S3.13-wrong-md5-with-right-sha256",
         lambda: up(wheel(), md5_digest="d41d8cd98f00b204e9800998ecf8427e"), 400,
         "The digest supplied does not match a digest calculated from the uploaded file."),
    case("S3.13-digests-of-another-file",
         lambda: encode([*twine(wheel(), drop=["sha256_digest", "blake2_256_digest"])[:-1],
                         *[p for p in twine(wheel(module_source="X = 1\n"))
                           if p.name.endswith("_digest")],
                         twine(wheel())[-1]]),
         400, "The digest supplied does not match a digest calculated from the uploaded file."),
    # S3.14: duplicates
    case("S3.14-same-filename-different-bytes",
         lambda: up(wheel(SEED, "1.0", module_source="CHANGED = 1\n")), 400,
         "File already exists ('seed_pkg-1.0-py3-none-any.whl', with blake2_256 hash '"),
    case("S3.14-same-bytes-different-filename",
         lambda: up(wheel(SEED, "1.0"), filename="seed_pkg-1.0-py2.py3-none-any.whl"), 400,
         "File already exists ('seed_pkg-1.0-py2.py3-none-any.whl', with blake2_256 hash '"),
    # S3.15
    case("S3.15-filename-of-a-deleted-file", lambda: up(wheel(SEED, "0.9")), 400,
         "This filename was previously used by a file that has since been deleted."),
    # S3.18
    case("S3.18-second-sdist-for-a-release", lambda: up(sdist(SEED, "1.0.0")), 400,
         "Only one sdist may be uploaded per release."),
    # S3.19: the archive, each reason
    case("S3.19-both-a-zip-and-a-tar", lambda: up(polyglot()), 400,
         "Invalid distribution file. File is both a zip and a tar file"),
    case("S3.19-wheel-not-a-zip", lambda: up(renamed(sdist(), wheel()[0])), 400,
         "Invalid distribution file. File is not a zipfile"),
    case("S3.19-sdist-not-a-tar",
         lambda: up((sdist()[0], b"plain text, not an archive" * 40)), 400,
         "Invalid distribution file. File is not a tarfile"),
    case("S3.19-zip-bomb", lambda: up(dists.zip_bomb_wheel()), 400,
         "Invalid distribution file. File exceeds compression ratio of 50"),
    case("S3.19-tar-bomb", lambda: up(dists.tar_bomb_sdist()), 400,
         "Invalid distribution file. File exceeds compression ratio of 50"),
    case("S3.19-gzip-bomb-after-the-tar-end", lambda: up(gzip_bomb_after_tar()), 400,
         "Invalid distribution file. File exceeds compression ratio of 50"),
    case("S3.19-zip-with-100001-members", lambda: up(zip_with_too_many_members()), 400,
         "Invalid distribution file. File has more than 100000 members"),
    case("S3.19-bzip2-compression", lambda: up(wheel(compression=zipfile.ZIP_BZIP2)), 400,
         "Invalid distribution file. File does not use a supported compression type"),
    case("S3.19-sdist-with-two-top-level-directories",
         lambda: up(dists.sdist_with_member("other-1.0/file.txt")), 400,
         "Invalid distribution file. Incorrect number of top-level directories in sdist"),
    case("S3.19-sdist-without-PKG-INFO", lambda: up(sdist(omit=["PKG-INFO"])), 400,
         f"Invalid distribution file. PKG-INFO not found at {TOP}/PKG-INFO"),
    case("S3.19-wheel-without-WHEEL", lambda: up(wheel(omit=["WHEEL"])), 400,
         f"Invalid distribution file. WHEEL not found at {DIST_INFO}/WHEEL"),
    case("S3.19-zip-data-descriptor", lambda: up(zip_with_data_descriptors()), 400,
         f"Invalid distribution file. ZIP archive not accepted: ZIP contains a data descriptor. "
         f"{ARCHIVES}"),
    case("S3.19-zip-central-directory-comment", lambda: up(zip_with_comment()), 400,
         "ZIP archive not accepted: Comment in central directory."),
    case("S3.19-zip-duplicate-member", lambda: up(zip_with_duplicate_member()), 400,
         "ZIP archive not accepted: Duplicate filename in local headers."),
    case("S3.19-zip-trailing-junk", lambda: up((wheel()[0], wheel()[1] + b"junk" * 8)), 400,
         "ZIP archive not accepted: Malformed zip file."),
    case("S3.19-zip-local-file-size-mismatch",
         lambda: up(zip_patched("example_pkg.py", 22, "<I", 999)), 400,
         "ZIP archive not accepted: Mis-matched file size."),
    case("S3.19-zip-local-data-size-mismatch",
         lambda: up(zip_patched("example_pkg.py", 18, "<I", 999)), 400,
         "ZIP archive not accepted: Mis-matched data size."),
    case("S3.19-zip-local-name-not-in-central-directory",
         lambda: up(zip_with_renamed_local_header()), 400,
         "ZIP archive not accepted: Filename not in central directory."),
    case("S3.19-zip-end-record-miscounts", lambda: up(zip_with_miscounted_end_record()), 400,
         "ZIP archive not accepted: Mismatched central directory records."),
    case("S3.19-zip-control-character-in-member-name",
         lambda: up(zip_with_control_character_in_a_name()), 400,
         "ZIP archive not accepted: Invalid character in filename."),
    case("S3.19-zip-unicode-path-not-utf8", lambda: up(zip_with_extra(UNICODE_PATH_NOT_UTF8)),
         400, "ZIP archive not accepted: Filename not valid UTF-8."),
    case("S3.19-zip-duplicate-extra", lambda: up(zip_with_extra(UNICODE_PATH_A * 2)), 400,
         "ZIP archive not accepted: Invalid duplicate extra in local file."),
    case("S3.19-zip-encrypted-member", lambda: up(zip_with_flags("example_pkg.py", 0x1)), 400,
         "Invalid distribution file. File contains an encrypted member: 'example_pkg.py'"),
    case("S3.19-zip-bad-crc", lambda: up(zip_with_corrupt_data()), 400,
         "Invalid distribution file. File is corrupt or truncated: Bad CRC-32"),
    case("S3.19-truncated-wheel", lambda: up((wheel()[0], dists.truncated(wheel()[1], 0.6))),
         400, "Invalid distribution file. File is not a zipfile"),
    case("S3.19-truncated-sdist", lambda: up((sdist()[0], dists.truncated(sdist()[1], 0.6))),
         400, "Invalid distribution file. File is corrupt or truncated: Compressed file ended "
         "before the end-of-stream marker was reached"),
    case("S3.19-tar-without-end-marker", lambda: up(tar_without_end_marker()), 400,
         "Invalid distribution file. File is corrupt or truncated: the tar end-of-archive "
         "marker is missing"),
    case("S3.19-gzip-bad-crc", lambda: up(gzip_with_bad_crc()), 400,
         "Invalid distribution file. File is corrupt or truncated: CRC check failed"),
    case("S3.19-tar-sparse-member", lambda: up(tar_with_sparse_member()), 400,
         f"Invalid distribution file. tar archive not accepted: Sparse members are not allowed. "
         f"{ARCHIVES}"),
    case("S3.19-wheel-dotdot-member", lambda: up(dists.traversal_wheel()), 400,
         "Invalid distribution file. File contains a member with an unsafe path: '../evil.py'"),
    case("S3.19-sdist-dotdot-member", lambda: up(dists.traversal_sdist()), 400,
         f"File contains a member with an unsafe path: '{TOP}/../../evil.py'"),
    case("S3.19-wheel-absolute-member", lambda: up(dists.absolute_member_wheel()), 400,
         "File contains a member with an unsafe path: '/tmp/evil.py'"),
    case("S3.19-sdist-absolute-member", lambda: up(dists.absolute_member_sdist()), 400,
         "File contains a member with an unsafe path: '/tmp/evil.py'"),
    case("S3.19-wheel-windows-drive-member", lambda: up(dists.wheel_with_member("C:/evil.py")),
         400, "File contains a member with an unsafe path: 'C:/evil.py'"),
    case("S3.19-sdist-symlink-member", lambda: up(dists.link_sdist("symlink")), 400,
         f"Invalid distribution file. File contains a link member: '{TOP}/evil'"),
    case("S3.19-sdist-hardlink-member", lambda: up(dists.link_sdist("hardlink")), 400,
         f"Invalid distribution file. File contains a link member: '{TOP}/evil'"),
    case("S3.19-sdist-device-member", lambda: up(dists.link_sdist("device")), 400,
         f"Invalid distribution file. File contains a special file member: '{TOP}/evil'"),
    case("S3.19-sdist-duplicate-member",
         lambda: up(dists.sdist_with_member(f"{TOP}/example_pkg.py", b"evil = True\n")), 400,
         f"Invalid distribution file. File contains a duplicate member: '{TOP}/example_pkg.py'"),
    case("S3.19-wheel-symlink-member", lambda: up(zip_with_symlink_member()), 400,
         "Invalid distribution file. File contains a symbolic link member: "
         "'example_pkg_link.py'"),
    # S3.20: sdist filename and contents
    case("S3.20-unparseable-sdist-filename",
         lambda: up(sdist(), filename="example_pkg.tar.gz"), 400,
         "Invalid source distribution filename: example_pkg.tar.gz"),
    case("S3.20-sdist-filename-for-another-project",
         lambda: up(sdist(), filename="other_pkg-1.0.tar.gz"), 400,
         f"Start filename for '{NEW}' with 'example_pkg'."),
    case("S3.20-sdist-filename-not-normalized",
         lambda: up(sdist(), filename="Example_Pkg-1.0.tar.gz"), 400,
         "Filename 'Example_Pkg-1.0.tar.gz' is invalid, should be 'example_pkg-1.0.tar.gz'."),
    case("S3.20-zip-sdist", lambda: up(sdist(), filename="example_pkg-1.0.zip"), 400,
         "Filename 'example_pkg-1.0.zip' is invalid, should be 'example_pkg-1.0.tar.gz'."),
    case("S3.20-sdist-license-file-missing",
         lambda: up(sdist(metadata_extra="License-File: LICENSE\n")), 400,
         f"License-File LICENSE does not exist in distribution file {TOP}.tar.gz at "
         f"{TOP}/LICENSE"),
    # S3.21: wheel filename and contents
    case("S3.21-wheel-filename-unparseable",
         lambda: up(wheel(), filename="example_pkg-1.0.whl"), 400,
         "Invalid wheel filename (wrong number of parts): 'example_pkg-1.0'"),
    # Django skips a part whose headers are not UTF-8, so the file is simply not there.
    case("S3.10-S3.11-filename-not-utf8",
         lambda: up(wheel(), filename=b"example_pkg-1.0\xff-py3-none-any.whl"), 400,
         "Upload payload does not have a file."),
    case("S3.21-unsupported-platform-tag",
         lambda: up(wheel(tag="cp312-cp312-freebsd_14_0_amd64"), pyversion="cp312"), 400,
         "Binary wheel 'example_pkg-1.0-cp312-cp312-freebsd_14_0_amd64.whl' has an unsupported "
         "platform tag 'freebsd_14_0_amd64'."),
    case("S3.21-wheel-filename-for-another-project",
         lambda: up(wheel(), filename="other_pkg-1.0-py3-none-any.whl"), 400,
         f"Start filename for '{NEW}' with 'example_pkg'."),
    case("S3.21-wheel-name-segment-not-normalized",
         lambda: up(wheel(), filename="Example_Pkg-1.0-py3-none-any.whl"), 400,
         "should contain the normalized project name 'example_pkg', not 'Example_Pkg'."),
    case("S3.21-wheel-version-differs-from-the-form",
         lambda: up(wheel(), filename="example_pkg-2.0-py3-none-any.whl"), 400,
         "Version in filename should be '1.0' not '2.0'."),
    case("S3.21-wheel-without-RECORD", lambda: up(wheel(omit=["RECORD"])), 400,
         f"Wheel 'example_pkg-1.0-py3-none-any.whl' does not contain the required RECORD file: "
         f"{DIST_INFO}/RECORD"),
    case("S3.21-wheel-without-METADATA", lambda: up(wheel(omit=["METADATA"])), 400,
         f"Wheel 'example_pkg-1.0-py3-none-any.whl' does not contain the required METADATA "
         f"file: {DIST_INFO}/METADATA"),
    case("S3.21-invalid-entry-points",
         lambda: up(wheel(files=ENTRY_POINTS)), 400,
         "has invalid entry points defined in the entry_points.txt file"),
    case("S3.21-license-file-outside-licenses-directory",
         lambda: up(wheel(metadata_extra="License-File: LICENSE\n", files={"LICENSE": "MIT"})),
         400, f"License-File LICENSE does not exist in distribution file "
         f"example_pkg-1.0-py3-none-any.whl at {DIST_INFO}/licenses/LICENSE"),
    # S3.22: the archive's own metadata (beyond Warehouse)
    case("S3.22-wheel-METADATA-names-another-project",
         lambda: up(dists.wheel_for_other_project(), name=NEW), 400,
         f"Invalid distribution file. {DIST_INFO}/METADATA has Name 'other-pkg', not '{NEW}'."),
    case("S3.22-sdist-PKG-INFO-names-another-project",
         lambda: up(dists.sdist_for_other_project(), name=NEW), 400,
         f"Invalid distribution file. {TOP}/PKG-INFO has Name 'other-pkg', not '{NEW}'."),
    case("S3.22-sdist-PKG-INFO-has-another-version",
         lambda: up(sdist(pkg_info_text=dists.metadata_text(version="2.0")), version="1.0"), 400,
         f"Invalid distribution file. {TOP}/PKG-INFO has Version '2.0', not '1.0'."),
    case("S3.22-requires-python-disagrees",
         lambda: up(wheel(requires_python=">=3.10"), requires_python=">=3.9"), 400,
         f"{DIST_INFO}/METADATA has Requires-Python '>=3.10', not '>=3.9'."),
    case("S3.22-requires-dist-disagrees",
         lambda: up(wheel(requires_dist=["packaging>=20", "attrs"]),
                    requires_dist=["packaging>=20"]), 400,
         f"{DIST_INFO}/METADATA has Requires-Dist ['attrs', 'packaging>=20'], not "
         "['packaging>=20']."),
    case("S3.22-METADATA-breaks-a-form-rule",
         lambda: up(wheel(metadata_extra="Classifier: Made Up :: Thing\n"),
                    classifiers=None), 400,
         f"Invalid distribution file. {DIST_INFO}/METADATA: 'Made Up :: Thing' is not a valid "
         "classifier."),
    case("S3.22-PKG-INFO-metadata-version-2.6",
         lambda: up(sdist(pkg_info_text=dists.metadata_text(metadata_version="2.6")),
                    metadata_version="2.4"), 400,
         f"Invalid distribution file. {TOP}/PKG-INFO: '2.6' is not a valid metadata version."),
    case("S3.22-METADATA-not-utf8",
         lambda: up(wheel_with_raw_metadata(LATIN_1_METADATA), name=NEW), 400,
         f"Invalid distribution file. {DIST_INFO}/METADATA: 'summary' has invalid data."),
    case("S3.22-METADATA-description-not-utf8",
         lambda: up(wheel_with_raw_metadata(BAD_BODY_METADATA), name=NEW), 400,
         f"Invalid distribution file. {DIST_INFO}/METADATA: 'description' has invalid data."),
    case("S3.22-METADATA-NUL-in-name",
         lambda: up(wheel(metadata_text=dists.metadata_text(name="example\x00pkg")), name=NEW),
         400, f"Invalid distribution file. {DIST_INFO}/METADATA: "),
    # Hostile form data
    case("hostile-S3.5.5-1MB-summary", lambda: up(wheel(), summary="s" * 1024**2), 400,
         "'summary' field must be 512 characters or less."),
    case("hostile-S2.1-20MB-description-over-DATA_UPLOAD_MAX_MEMORY_SIZE",
         lambda: up(wheel(), description="d" * 20 * 1024**2), 413,
         "The form fields are too large."),
    case("hostile-S2.1-20MB-description-after-the-content-part",
         lambda: up(wheel(), description="d" * 20 * 1024**2, content_first=True), 413,
         "The form fields are too large."),
    case("hostile-S2.4-10000-classifiers",
         lambda: up(wheel(), classifiers=["Typing :: Typed"] * 10_000), 400,
         "Too many form fields."),
    case("hostile-S2.4-10000-classifiers-after-the-content-part",
         lambda: up(wheel(), classifiers=["Typing :: Typed"] * 10_000, content_first=True), 400,
         "Too many form fields."),
    # Django decodes fields with errors="replace": the U+FFFD it leaves is refused.
    case("hostile-S3.4-non-utf8-name", lambda: up(wheel(), name="example-\udcffpkg"), 400,
         "'name' is not valid UTF-8."),
    case("hostile-S3.5.2-non-utf8-version", lambda: up(wheel(), version="1.\udcff0"), 400,
         "'version' is not valid UTF-8."),
    case("hostile-S3.5-non-utf8-summary", lambda: up(wheel(), summary="caf\udce9"), 400,
         "'summary' is not valid UTF-8."),
]
# fmt: on


# Fixtures and the test --------------------------------------------------------------------


def _post(client: Any, body: Body, token: str) -> tuple[Any, list[Any]]:
    """POST as an upload client would, capturing (and running) any on-commit work."""
    data, content_type = body
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        response = client.post("/legacy/", data, content_type=content_type, **basic(token))
    return response, callbacks


@pytest.fixture
def uploader_token(db) -> str:
    uploader = factories.UserFactory(username="uploader")
    return token_issue(user=uploader, scopes=["upload", "read"]).secret


@pytest.fixture
def seeded(client, uploader_token, private_project) -> str:
    """The index before each case; returns the uploader's token."""
    for dist in (wheel(SEED, "1.0"), sdist(SEED, "1.0")):
        response, _ = _post(client, up(dist), uploader_token)
        assert response.status_code == 200, response.content
    FilenameRegistry.objects.create(filename=DELETED)
    return uploader_token


def snapshot(settings) -> dict[str, Any]:
    """Everything an upload could leave behind: rows and bytes."""

    def files_under(root: Path) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())

    return {
        "projects": sorted(Project.objects.values_list("name", "normalized_name", "visibility")),
        "roles": ProjectRole.objects.count(),
        "releases": sorted(Release.objects.values_list("project__name", "version", "summary")),
        "files": sorted(File.objects.values_list("filename", "sha256", "storage_state")),
        "registry": sorted(FilenameRegistry.objects.values_list("filename", flat=True)),
        "metadata": CoreMetadata.objects.count(),
        "events": Event.objects.count(),
        "staging": files_under(settings.PRIVINDEX_STAGING_DIR),
        "store": files_under(settings.PRIVINDEX_FILES_DIR),
    }


def test_the_corpus_is_large_enough():  # issue 4: at least 60 malformed uploads
    assert len(CASES) >= 60


@pytest.mark.parametrize(("build", "status", "message", "overrides"), CASES)
def test_bad_upload_is_refused_with_its_message_and_leaves_nothing(
    client, settings, seeded, build, status, message, overrides
):
    for key, value in overrides.items():
        setattr(settings, key, value)
    body = build()
    before = snapshot(settings)
    assert before["files"] and not before["staging"]  # the seed is stored, staging is clean
    response, callbacks = _post(client, body, seeded)
    text = response.content.decode()
    assert response.status_code == status, (response.status_code, text[:2000])
    assert message in response.reason_phrase, response.reason_phrase  # S2.12
    assert message in text, text[:2000]
    assert "\n" not in response.reason_phrase
    assert not callbacks  # nothing scheduled: no store task for a refused file
    assert not any(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir())  # the streamed copy is gone
    assert snapshot(settings) == before


# Valid uploads next to the corpus's edges: the checks above must not catch these ------------


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda: up(wheel(), content_type=None),
            id="S3.11-content-part-without-a-Content-Type-as-uv-publish-sends-it",
        ),
        pytest.param(
            lambda: up(wheel(), summary="Handles \ufffd in input"),
            id="S3.5-summary-with-a-literal-U+FFFD-sent-as-valid-UTF-8",
        ),
        pytest.param(lambda: up(wheel(), summary="a\x00b"), id="S3.2-NUL-in-summary-is-escaped"),
        pytest.param(lambda: up(wheel(), summary="s" * 512), id="S3.5.5-summary-of-512"),
    ],
)
def test_edge_of_the_corpus_is_accepted(client, settings, seeded, build):
    response, _ = _post(client, build(), seeded)
    assert response.status_code == 200, response.content
    assert File.objects.filter(filename=wheel()[0]).exists()
