"""Distribution builders for every upload test: valid wheels and sdists, and hostile archives.

Builds are deterministic (fixed timestamps, gzip mtime 0), so building the same thing twice
gives the same bytes. Wheels install with pip and uv; sdists build offline with
``pip wheel --no-deps --no-build-isolation`` using the environment's setuptools.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import tarfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from packaging.metadata import parse_email
from packaging.tags import parse_tag
from packaging.utils import canonicalize_name

ZIP_DATE = (2024, 1, 1, 0, 0, 0)
TAR_MTIME = 1704067200
SUMMARY = "An example package"
BOMB_SIZE = 80 * 1024**2  # over the 64 MiB floor of the ratio check, and >1000x compressible

# RawMetadata key -> form key, where they differ (S2.4).
_FORM_KEYS = {
    "platforms": "platform",
    "supported_platforms": "supported_platform",
    "license_files": "license_file",
    "import_names": "import_name",
    "import_namespaces": "import_namespace",
}


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


def upload_fields(
    filename: str,
    content: bytes,
    *,
    filetype: str | None = None,
    name: str | None = None,
    version: str | None = None,
    md5: bool = False,
    **overrides: Any,
) -> dict[str, Any]:
    """The form fields twine sends for this file, minus ``content`` (S2.2-S2.4).

    Metadata comes from the archive's METADATA / PKG-INFO (lists as lists, so the test client
    sends repeated keys); ``name`` is twine's "safe name". Digests are sha256 and blake2_256,
    plus md5 when ``md5``. An override of None removes that field.
    """
    wheel = filename.endswith(".whl")
    fields: dict[str, Any] = read_form_metadata(filename, content)
    stem = filename[:-4] if wheel else re.sub(r"\.(tar\.gz|zip)$", "", filename)
    parts = stem.split("-")
    fields.setdefault("metadata_version", "2.4")
    fields.setdefault("name", parts[0])
    fields.setdefault("version", parts[1] if len(parts) > 1 else "")
    if "name" in fields:
        fields["name"] = re.sub(r"[^A-Za-z0-9.]+", "-", fields["name"])
    fields.update(
        {
            "filetype": filetype or ("bdist_wheel" if wheel else "sdist"),
            "pyversion": parts[-3] if wheel and len(parts) >= 5 else "source",
            "sha256_digest": hashlib.sha256(content).hexdigest(),
            "blake2_256_digest": hashlib.blake2b(content, digest_size=32).hexdigest(),
            ":action": "file_upload",
            "protocol_version": "1",
        }
    )
    if md5:
        fields["md5_digest"] = hashlib.md5(content).hexdigest()
    if name is not None:
        fields["name"] = name
    if version is not None:
        fields["version"] = version
    for key, value in overrides.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def read_form_metadata(filename: str, content: bytes) -> dict[str, Any]:
    """The archive's core metadata as form fields, or {} if the archive cannot be read."""
    try:
        if filename.endswith(".whl"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                member = next(
                    n for n in archive.namelist()
                    if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)
                )  # fmt: skip
                data = archive.read(member)
        else:
            with tarfile.open(fileobj=io.BytesIO(content), mode="r:gz") as archive:
                info = next(
                    m for m in archive.getmembers() if re.fullmatch(r"[^/]+/PKG-INFO", m.name)
                )
                extracted = archive.extractfile(info)
                assert extracted is not None
                data = extracted.read()
    except (zipfile.BadZipFile, tarfile.TarError, StopIteration, OSError, EOFError):
        return {}
    raw, _ = parse_email(data)
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        form_key = _FORM_KEYS.get(key, key)
        if key == "keywords":
            fields[form_key] = ", ".join(value)  # type: ignore[arg-type]
        elif key == "project_urls":
            urls: dict[str, str] = value  # type: ignore[assignment]
            fields[form_key] = [f"{label}, {url}" for label, url in urls.items()]
        else:
            fields[form_key] = value
    return fields


# Hostile archives ---------------------------------------------------------------------------


def zip_bomb_wheel(
    name: str = "example-pkg", version: str = "1.0", *, size: int = BOMB_SIZE
) -> tuple[str, bytes]:
    """An otherwise valid wheel with ``size`` zero bytes compressed ~1000x (S3.19)."""
    return make_wheel(name, version, files={f"{dist_name(name)}_data/zeros.bin": Zeros(size)})


def tar_bomb_sdist(
    name: str = "example-pkg", version: str = "1.0", *, size: int = BOMB_SIZE
) -> tuple[str, bytes]:
    """An otherwise valid sdist with ``size`` zero bytes compressed ~1000x."""
    top = f"{dist_name(name)}-{version}"
    return make_sdist(name, version, extra_members=[(f"{top}/zeros.bin", Zeros(size))])


def wheel_with_member(member: str, data: Content = b"x = 1\n", **kwargs: Any) -> tuple[str, bytes]:
    """A wheel with one extra member at ``member`` (e.g. ``../evil.py`` or ``/etc/evil``)."""
    files = {**kwargs.pop("files", {}), member: data}
    return make_wheel(**kwargs, files=files)


def sdist_with_member(
    member: str | tarfile.TarInfo, data: Content = b"x = 1\n", **kwargs: Any
) -> tuple[str, bytes]:
    """An sdist with one extra member (a path from the archive root, or a ready TarInfo)."""
    extra_members = [*kwargs.pop("extra_members", ()), (member, data)]
    return make_sdist(**kwargs, extra_members=extra_members)


def traversal_wheel(**kwargs: Any) -> tuple[str, bytes]:
    """A wheel with a ``../evil.py`` member."""
    return wheel_with_member("../evil.py", **kwargs)


def traversal_sdist(**kwargs: Any) -> tuple[str, bytes]:
    """An sdist with a ``<top>/../../evil.py`` member."""
    top = f"{dist_name(kwargs.get('name', 'example-pkg'))}-{kwargs.get('version', '1.0')}"
    return sdist_with_member(f"{top}/../../evil.py", **kwargs)


def absolute_member_wheel(**kwargs: Any) -> tuple[str, bytes]:
    """A wheel with a ``/tmp/evil.py`` member."""
    return wheel_with_member("/tmp/evil.py", **kwargs)


def absolute_member_sdist(**kwargs: Any) -> tuple[str, bytes]:
    """An sdist with a ``/tmp/evil.py`` member."""
    return sdist_with_member("/tmp/evil.py", **kwargs)


def link_sdist(kind: str = "symlink", **kwargs: Any) -> tuple[str, bytes]:
    """An sdist with a symlink, hardlink, character device or FIFO member in its top dir."""
    top = f"{dist_name(kwargs.get('name', 'example-pkg'))}-{kwargs.get('version', '1.0')}"
    info = tarfile.TarInfo(f"{top}/evil")
    info.type = {
        "symlink": tarfile.SYMTYPE,
        "hardlink": tarfile.LNKTYPE,
        "device": tarfile.CHRTYPE,
        "fifo": tarfile.FIFOTYPE,
    }[kind]
    info.linkname = "/etc/passwd" if kind in ("symlink", "hardlink") else ""
    return sdist_with_member(info, b"", **kwargs)


def truncated(content: bytes, keep: float = 0.5) -> bytes:
    """The first ``keep`` fraction of an archive's bytes."""
    return content[: int(len(content) * keep)]


def wheel_for_other_project(
    name: str = "example-pkg", version: str = "1.0", *, other: str = "other-pkg"
) -> tuple[str, bytes]:
    """A wheel named for ``name`` whose METADATA says it is ``other``."""
    return make_wheel(name, version, metadata_text=_metadata(other, version))


def sdist_for_other_project(
    name: str = "example-pkg", version: str = "1.0", *, other: str = "other-pkg"
) -> tuple[str, bytes]:
    """An sdist named for ``name`` whose PKG-INFO says it is ``other``."""
    return make_sdist(name, version, pkg_info_text=_metadata(other, version))


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
