"""Valid wheels and sdists, built deterministically, and the archive writers."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping

from packaging.tags import parse_tag
from packaging.utils import canonicalize_name

ZIP_DATE = (2024, 1, 1, 0, 0, 0)
TAR_MTIME = 1704067200
SUMMARY = "An example package"
BOMB_SIZE = 80 * 1024**2  # over the 64 MiB floor of the ratio check, and >1000x compressible


class Zeros:
    """Member content of ``size`` zero bytes, written in chunks (for bombs)."""

    def __init__(self, size: int) -> None:
        self.size = size

    def chunks(self, chunk: int = 1024**2) -> Iterator[bytes]:
        left = self.size
        while left > 0:
            yield bytes(min(chunk, left))
            left -= chunk

    def read(self, amount: int = -1) -> bytes:
        """For tarfile.addfile, which reads exactly ``size`` bytes in chunks."""
        return bytes(self.size if amount < 0 else min(amount, self.size))


Content = bytes | str | Zeros


def dist_name(name: str) -> str:
    """The normalized name as it appears in filenames: ``Example.Pkg`` -> ``example_pkg``."""
    return canonicalize_name(name).replace("-", "_")


def metadata_text(
    name: str = "example-pkg",
    version: str = "1.0",
    *,
    requires_python: str | None = None,
    requires_dist: Iterable[str] = (),
    extra: str = "",
    metadata_version: str = "2.4",
    summary: str = SUMMARY,
) -> str:
    """A METADATA / PKG-INFO text; ``extra`` is appended as raw header lines."""
    lines = [
        f"Metadata-Version: {metadata_version}",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {summary}",
    ]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines.extend(f"Requires-Dist: {requirement}" for requirement in requires_dist)
    text = "\n".join(lines) + "\n"
    if extra:
        text += extra.rstrip("\n") + "\n"
    return text


def make_wheel(
    name: str = "example-pkg",
    version: str = "1.0",
    *,
    requires_python: str | None = None,
    requires_dist: Iterable[str] = (),
    metadata_extra: str = "",
    files: Mapping[str, Content] | None = None,
    tag: str = "py3-none-any",
    omit: Iterable[str] = (),
    metadata_text: str | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
    module_source: str | None = None,
) -> tuple[str, bytes]:
    """A valid, installable wheel ``<name>-<version>-<tag>.whl``: (filename, bytes).

    It holds a module named after the project defining ``VERSION``, plus ``files`` (archive
    path -> content, written as given), and a dist-info with METADATA, WHEEL and a RECORD
    whose hashes are right. ``omit`` drops dist-info files by name ("METADATA", "WHEEL",
    "RECORD"); ``metadata_text`` replaces METADATA wholesale.
    """
    dist = dist_name(name)
    dist_info = f"{dist}-{version}.dist-info"
    text = metadata_text if metadata_text is not None else _metadata(
        name, version, requires_python=requires_python, requires_dist=requires_dist,
        extra=metadata_extra,
    )  # fmt: skip
    members: dict[str, Content] = {
        f"{dist}.py": module_source if module_source is not None else f'VERSION = "{version}"\n',
        **(files or {}),
    }
    pure = tag.rsplit("-", 1)[-1] == "any"
    wheel = "Wheel-Version: 1.0\nGenerator: privindex-tests\n"
    wheel += f"Root-Is-Purelib: {'true' if pure else 'false'}\n"
    wheel += "".join(f"Tag: {t}\n" for t in sorted(str(t) for t in parse_tag(tag)))
    for key, value in (("METADATA", text), ("WHEEL", wheel)):
        if key not in omit:
            members.setdefault(f"{dist_info}/{key}", value)
    record = None if "RECORD" in omit else f"{dist_info}/RECORD"
    filename = f"{dist}-{version}-{tag}.whl"
    return filename, _zip(members, record=record, compression=compression)


def make_sdist(
    name: str = "example-pkg",
    version: str = "1.0",
    *,
    requires_python: str | None = None,
    requires_dist: Iterable[str] = (),
    metadata_extra: str = "",
    pkg_info_text: str | None = None,
    extra_members: Iterable[tuple[str | tarfile.TarInfo, Content]] = (),
    top: str | None = None,
    module_source: str | None = None,
    omit: Iterable[str] = (),
) -> tuple[str, bytes]:
    """A PEP 625 sdist ``<name>-<version>.tar.gz``: (filename, bytes).

    Its top directory (``top``, default ``<name>-<version>``) holds PKG-INFO, a setuptools
    pyproject.toml (PEP 621) and the module. ``extra_members`` are (path from the archive
    root or a TarInfo, content) pairs added after those; ``omit`` drops "PKG-INFO",
    "pyproject.toml" or the module by their name in the top directory.
    """
    dist = dist_name(name)
    top = top if top is not None else f"{dist}-{version}"
    requires_dist = list(requires_dist)
    pkg_info = pkg_info_text if pkg_info_text is not None else _metadata(
        name, version, requires_python=requires_python, requires_dist=requires_dist,
        extra=metadata_extra,
    )  # fmt: skip
    project = [f"name = {json.dumps(name)}", f"version = {json.dumps(version)}"]
    project.append(f"description = {json.dumps(SUMMARY)}")
    if requires_python:
        project.append(f"requires-python = {json.dumps(requires_python)}")
    project.append(f"dependencies = {json.dumps(requires_dist)}")
    pyproject = (
        '[build-system]\nrequires = ["setuptools>=69"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n" + "\n".join(project) + "\n\n"
        f"[tool.setuptools]\npy-modules = [{json.dumps(dist)}]\n"
    )
    module = module_source if module_source is not None else f'VERSION = "{version}"\n'
    members: list[tuple[str | tarfile.TarInfo, Content]] = [
        (f"{top}/{member}", content)
        for member, content in (
            ("PKG-INFO", pkg_info), ("pyproject.toml", pyproject), (f"{dist}.py", module)
        )
        if member not in omit
    ]  # fmt: skip
    members.extend(extra_members)
    return f"{dist}-{version}.tar.gz", _tar_gz(members, top=top)


# Writers ------------------------------------------------------------------------------------

_metadata = metadata_text


def _zip(members: Mapping[str, Content], *, record: str | None, compression: int) -> bytes:
    buffer = io.BytesIO()
    lines = []
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for path, content in members.items():
            info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            digest, size = hashlib.sha256(), 0
            with archive.open(info, "w") as out:
                for chunk in _chunks(content):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            hashed = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
            lines.append(f"{path},sha256={hashed},{size}")
        if record is not None:
            info = zipfile.ZipInfo(record, date_time=ZIP_DATE)
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            archive.writestr(info, "\n".join([*lines, f"{record},,"]) + "\n")
    return buffer.getvalue()


def _tar_gz(members: Iterable[tuple[str | tarfile.TarInfo, Content]], *, top: str) -> bytes:
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(filename="", fileobj=buffer, mode="wb", mtime=0) as stream,
        tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        directory = tarfile.TarInfo(top)
        directory.type, directory.mode, directory.mtime = tarfile.DIRTYPE, 0o755, TAR_MTIME
        archive.addfile(directory)
        for member, content in members:
            if isinstance(member, tarfile.TarInfo):
                info = member
            else:
                info = tarfile.TarInfo(member)
                info.mode = 0o644
            info.mtime = TAR_MTIME
            if isinstance(content, Zeros):
                info.size = content.size
                archive.addfile(info, content)  # type: ignore[arg-type]
            elif info.isreg():
                data = content.encode() if isinstance(content, str) else content
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            else:
                archive.addfile(info)
    return buffer.getvalue()


def _chunks(content: Content) -> Iterator[bytes]:
    if isinstance(content, Zeros):
        yield from content.chunks()
    else:
        yield content.encode() if isinstance(content, str) else content
