"""The distribution's filename against the form (S3.10, S3.20, S3.21)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from packaging.utils import (
    InvalidWheelFilename,
    canonicalize_name,
    canonicalize_version,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from uploads import limits
from uploads.validation.errors import UploadError

if TYPE_CHECKING:
    from uploads.validation.form import FormData

PEP527_LINK = "https://www.python.org/dev/peps/pep-0527"
_EXTENSION_RE = re.compile(r".+?\.(tar\.gz|zip|whl)$", re.IGNORECASE)
_EXTENSIONS = {"sdist": (".tar.gz", ".zip"), "bdist_wheel": (".whl",)}

# S3.21: the wheel platform tags PyPI accepts.
_STATIC_PLATFORMS = frozenset(
    {
        "any", "win32", "win_amd64", "win_arm64", "win_ia64",
        "manylinux1_x86_64", "manylinux1_i686", "manylinux2010_x86_64", "manylinux2010_i686",
        "manylinux2014_x86_64", "manylinux2014_i686", "manylinux2014_aarch64",
        "manylinux2014_armv7l", "manylinux2014_ppc64", "manylinux2014_ppc64le",
        "manylinux2014_s390x", "linux_armv6l", "linux_armv7l",
    }
)  # fmt: skip
_MACOS_ARCHES = "ppc|ppc64|i386|x86_64|arm64|intel|fat|fat3|fat64|universal|universal2"
_PLATFORM_PATTERNS = [
    re.compile(pattern)
    for pattern in (
        r"manylinux_\d+_\d+_(x86_64|i686|aarch64|armv7l|ppc64le|s390x|riscv64|ppc64)",
        r"musllinux_\d+_\d+_(x86_64|i686|aarch64|armv7l|ppc64le|s390x|riscv64)",
        rf"macosx_10_\d+_({_MACOS_ARCHES})",
        rf"macosx_(11|12|13|14|15|26)_0_({_MACOS_ARCHES})",
        r"ios_\d+_\d+_(arm64|x86_64)_(iphoneos|iphonesimulator)",
        r"android_\d+_(armeabi_v7a|arm64_v8a|x86|x86_64)",
        r"pyemscripten_\d+_\d+_wasm32",
    )
]
# A private index may take plain linux_* wheels built for its own machines.
_LINUX_PATTERN = re.compile(r"linux_[a-z0-9_]+")


def validate_filename(filename: str, form: FormData) -> None:
    """Check the uploaded file's name against the form; return None or raise UploadError(400).

    S3.10: no control characters or slashes; extension .tar.gz, .zip or .whl, and one that fits
    the filetype. S3.20 (sdists): the name must be exactly
    ``<normalized name with _>-<normalized version>.tar.gz`` (so .zip sdists are refused).
    S3.21 (wheels): ``parse_wheel_filename`` errors verbatim, platform tags on the allow-list
    (plus ``linux_*`` when ``settings.PRIVINDEX_ALLOW_LINUX_WHEELS``), the same canonical name,
    the normalized name as the first segment, and an equal version.
    """
    if len(filename) > limits.FILENAME_MAX:
        raise UploadError(
            f"The filename is too long: at most {limits.FILENAME_MAX} characters are allowed."
        )
    if any(ord(char) < 32 or ord(char) == 127 for char in filename):
        raise UploadError(
            "Cannot upload a file with non-printable characters (ordinals 0-31) or the DEL "
            "character (ordinal 127) in the name."
        )
    if "/" in filename or "\\" in filename:
        raise UploadError("Cannot upload a file with '/' or '\\' in the name.")
    match = _EXTENSION_RE.match(filename)
    if match is None:
        raise UploadError(
            "Invalid file extension: Use .tar.gz, .whl or .zip extension. See "
            f"{PEP527_LINK} and https://peps.python.org/pep-0715/ for more information"
        )
    if not filename.endswith(_EXTENSIONS.get(form.filetype, ())):
        raise UploadError(
            f"Invalid file extension: Extension .{match.group(1)} is invalid for filetype "
            f"{form.filetype}. See {PEP527_LINK} for more information."
        )
    if form.filetype == "sdist":
        _check_sdist_filename(filename, form)
    else:
        _check_wheel_filename(filename, form)


def valid_platform_tag(platform: str) -> bool:
    """Is this wheel platform tag one the index accepts (S3.21)?"""
    if platform in _STATIC_PLATFORMS or any(p.fullmatch(platform) for p in _PLATFORM_PATTERNS):
        return True
    return bool(
        getattr(settings, "PRIVINDEX_ALLOW_LINUX_WHEELS", False)
        and _LINUX_PATTERN.fullmatch(platform)
    )


def _check_sdist_filename(filename: str, form: FormData) -> None:
    project = canonicalize_name(form.name)
    underscored = project.replace("-", "_")
    stem = filename[: -len(".tar.gz")] if filename.endswith(".tar.gz") else filename[: -len(".zip")]
    splits = _sdist_splits(stem)
    if not splits:
        raise UploadError(f"Invalid source distribution filename: {filename}")
    # Like Warehouse, accept any split whose name part is the project's: a post-release
    # spelled "1.0-1" puts a hyphen in the version.
    if not any(canonicalize_name(name) == project for name, _ in splits):
        raise UploadError(f"Start filename for '{form.name}' with '{underscored}'.")
    expected = f"{underscored}-{Version(form.version)}.tar.gz"
    if filename != expected:
        raise UploadError(f"Filename '{filename}' is invalid, should be '{expected}'.")


def _sdist_splits(stem: str) -> list[tuple[str, Version]]:
    splits = []
    for index, char in enumerate(stem):
        if char == "-" and index:
            try:
                splits.append((stem[:index], Version(stem[index + 1 :])))
            except InvalidVersion:
                continue
    return splits


def _check_wheel_filename(filename: str, form: FormData) -> None:
    try:
        name, version, _build, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as exc:
        raise UploadError(str(exc)) from None
    for platform in sorted({tag.platform for tag in tags}):
        if not valid_platform_tag(platform):
            raise UploadError(
                f"Binary wheel '{filename}' has an unsupported platform tag '{platform}'."
            )
    project = canonicalize_name(form.name)
    underscored = project.replace("-", "_")
    if name != project:
        raise UploadError(f"Start filename for '{form.name}' with '{underscored}'.")
    raw_name = filename.partition("-")[0]
    if raw_name != underscored:
        raise UploadError(
            f"Filename '{filename}' should contain the normalized project name "
            f"'{underscored}', not '{raw_name}'."
        )
    if version != Version(form.version):
        raise UploadError(
            f"Version in filename should be '{Version(form.version)}' not '{version}'."
        )


def wheel_identity(filename: str) -> tuple[str, str, tuple[int, str] | tuple[()], frozenset[str]]:
    """What makes two wheels the same wheel to an installer: the normalized name, the
    canonical version, the build tag and the set of tags. ``P-1.0-py3-none-any.whl`` and
    ``P-1.0.0-py3-none-any.whl`` are one wheel spelled twice. Raises UploadError for a name
    that is not a wheel filename."""
    try:
        name, version, build, tags = parse_wheel_filename(filename)
    except (InvalidWheelFilename, InvalidVersion) as exc:
        raise UploadError(f"Invalid wheel filename: {filename}") from exc
    return name, canonicalize_version(version), build, frozenset(str(tag) for tag in tags)
