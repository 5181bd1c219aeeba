"""Hostile archives: bombs, unsafe and special members, truncations, the wrong project."""

from __future__ import annotations

import tarfile
from typing import Any

from tests.dists.build import BOMB_SIZE, Content, Zeros, dist_name, make_sdist, make_wheel
from tests.dists.build import metadata_text as _metadata


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
