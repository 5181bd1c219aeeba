"""The distribution's filename against the form (S3.10, S3.20, S3.21):
``uploads.validation.filename``. Pure functions: no database."""

from __future__ import annotations

import pytest
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from tests.uploads.validation.helpers import (
    PEP527,
    SDIST,
    WHEEL,
    _filename_error,
    _form,
)
from uploads.validation.filename import validate_filename

# The filename: S3.10, S3.20, S3.21 --------------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x7f", "\n"])
def test_filename_with_control_characters_is_refused(char):  # S3.10
    assert _filename_error(f"example_pkg-1.0{char}-py3-none-any.whl") == (
        "Cannot upload a file with non-printable characters (ordinals 0-31) or the DEL "
        "character (ordinal 127) in the name."
    )


@pytest.mark.parametrize("filename", ["dir/example_pkg-1.0-py3-none-any.whl", "a\\b.whl"])
def test_filename_with_slashes_is_refused(filename):  # S3.10
    assert _filename_error(filename) == "Cannot upload a file with '/' or '\\' in the name."


@pytest.mark.parametrize(
    "filename",
    ["example_pkg-1.0.egg", "example_pkg-1.0.exe", "example_pkg-1.0.msi",
     "example_pkg-1.0.tar.bz2", "example_pkg-1.0.rpm", "example_pkg-1.0.dmg", "whl"],
)  # fmt: skip
def test_legacy_and_unknown_extensions_are_refused(filename):  # S3.10
    assert _filename_error(filename) == (
        "Invalid file extension: Use .tar.gz, .whl or .zip extension. See "
        "https://www.python.org/dev/peps/pep-0527 and https://peps.python.org/pep-0715/ "
        "for more information"
    )


@pytest.mark.parametrize(
    ("dist", "filename", "ext"),
    [
        (WHEEL, "example_pkg-1.0.tar.gz", ".tar.gz"),
        (WHEEL, "example_pkg-1.0.zip", ".zip"),
        (SDIST, "example_pkg-1.0-py3-none-any.whl", ".whl"),
        (WHEEL, "example_pkg-1.0-py3-none-any.WHL", ".WHL"),
    ],
)
def test_extension_must_fit_the_filetype(dist, filename, ext):  # S3.10
    filetype = "bdist_wheel" if dist is WHEEL else "sdist"
    assert _filename_error(filename, _form(dist)) == (
        f"Invalid file extension: Extension {ext} is invalid for filetype {filetype}. {PEP527}"
    )


def test_valid_filenames_pass():  # S3.10, S3.20, S3.21
    validate_filename(SDIST[0], _form(SDIST))
    validate_filename(WHEEL[0], _form(WHEEL))


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("example_pkg-1.0.zip", "example_pkg-1.0.tar.gz"),
        ("Example_Pkg-1.0.tar.gz", "example_pkg-1.0.tar.gz"),
        ("example-pkg-1.0.tar.gz", "example_pkg-1.0.tar.gz"),
        ("example.pkg-1.0.tar.gz", "example_pkg-1.0.tar.gz"),
        ("example_pkg-1.0.0.tar.gz", "example_pkg-1.0.tar.gz"),
        ("example_pkg-01.0.tar.gz", "example_pkg-1.0.tar.gz"),
    ],
)
def test_sdist_filename_must_be_exactly_normalized(filename, expected):  # S3.20
    assert _filename_error(filename, _form(SDIST)) == (
        f"Filename '{filename}' is invalid, should be '{expected}'."
    )


def test_sdist_post_release_with_a_hyphen_is_resplit():  # S3.20
    form = _form(SDIST, version="1.0.post1")
    assert _filename_error("example_pkg-1.0-1.tar.gz", form) == (
        "Filename 'example_pkg-1.0-1.tar.gz' is invalid, should be 'example_pkg-1.0.post1.tar.gz'."
    )


def test_sdist_version_is_normalized_in_the_expected_name():  # S3.20
    validate_filename("example_pkg-1.0rc1.tar.gz", _form(SDIST, version="1.0-RC1"))


def test_sdist_for_another_project_is_refused():  # S3.20
    assert _filename_error("other_pkg-1.0.tar.gz", _form(SDIST, name="Example.Pkg")) == (
        "Start filename for 'Example.Pkg' with 'example_pkg'."
    )


@pytest.mark.parametrize(
    "filename", ["example_pkg.tar.gz", "example_pkg-.tar.gz", "example_pkg-x.y.tar.gz"]
)
def test_unparseable_sdist_filename_is_refused(filename):  # S3.20
    assert _filename_error(filename, _form(SDIST)) == (
        f"Invalid source distribution filename: {filename}"
    )


@pytest.mark.parametrize(
    "filename",
    ["example_pkg-1.0.whl", "example_pkg-x.y-py3-none-any.whl",
     "example_pkg-1.0-x-py3-none-any.whl",
     "example pkg-1.0-py3-none-any.whl"],
)  # fmt: skip
def test_wheel_filename_parse_errors_are_returned_verbatim(filename):  # S3.21
    with pytest.raises(InvalidWheelFilename) as expected:
        parse_wheel_filename(filename)
    assert _filename_error(filename) == str(expected.value)


@pytest.mark.parametrize(
    "platform",
    ["any", "win32", "win_amd64", "win_arm64", "manylinux1_x86_64", "manylinux2010_i686",
     "manylinux2014_aarch64", "manylinux_2_17_x86_64.manylinux2014_x86_64",
     "manylinux_2_28_riscv64", "musllinux_1_2_aarch64", "macosx_10_9_x86_64",
     "macosx_11_0_arm64", "macosx_26_0_universal2", "ios_13_0_arm64_iphonesimulator",
     "android_21_arm64_v8a", "pyemscripten_2024_0_wasm32", "linux_armv7l"],
)  # fmt: skip
def test_allowed_platform_tags(platform):  # S3.21
    validate_filename(f"example_pkg-1.0-cp312-cp312-{platform}.whl", _form(pyversion="cp312"))


@pytest.mark.parametrize(
    "platform",
    ["freebsd_14_0_amd64", "macosx_16_0_arm64", "macosx_11_0_sparc", "manylinux_2_17_sparc",
     "musllinux_1_2_ppc64", "ios_13_0_arm64", "cygwin_x86_64"],
)  # fmt: skip
def test_unsupported_platform_tags_are_refused(platform):  # S3.21
    filename = f"example_pkg-1.0-cp312-cp312-{platform}.whl"
    assert _filename_error(filename) == (
        f"Binary wheel '{filename}' has an unsupported platform tag '{platform}'."
    )


def test_linux_platform_tags_follow_the_setting(settings):  # S3.21
    filename = "example_pkg-1.0-cp312-cp312-linux_x86_64.whl"
    settings.PRIVINDEX_ALLOW_LINUX_WHEELS = True
    validate_filename(filename, _form())
    settings.PRIVINDEX_ALLOW_LINUX_WHEELS = False
    assert _filename_error(filename) == (
        f"Binary wheel '{filename}' has an unsupported platform tag 'linux_x86_64'."
    )


def test_wheel_for_another_project_is_refused():  # S3.21
    assert _filename_error("other_pkg-1.0-py3-none-any.whl", _form(name="Example.Pkg")) == (
        "Start filename for 'Example.Pkg' with 'example_pkg'."
    )


@pytest.mark.parametrize("raw", ["Example_Pkg", "example.pkg"])
def test_wheel_name_segment_must_be_normalized(raw):  # S3.21
    filename = f"{raw}-1.0-py3-none-any.whl"
    assert _filename_error(filename) == (
        f"Filename '{filename}' should contain the normalized project name 'example_pkg', "
        f"not '{raw}'."
    )


def test_wheel_version_must_equal_the_form_version():  # S3.21
    assert _filename_error("example_pkg-2.0-py3-none-any.whl") == (
        "Version in filename should be '1.0' not '2.0'."
    )
    validate_filename("example_pkg-1.0.0-py3-none-any.whl", _form())  # equal under PEP 440
