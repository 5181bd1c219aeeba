"""What an archive must contain (S3.20 sdists, S3.21 wheels) and its metadata agreeing with
the form (S3.22): ``uploads.validation.archive``. Pure functions: no database."""

from __future__ import annotations

import pytest

from tests import dists
from tests.uploads.validation.helpers import (
    DIST_INFO,
    SDIST,
    SPEC,
    WHEEL,
    _archive_error,
    _form,
    _inspect,
)

# sdist contents: S3.20 --------------------------------------------------------------------


def test_sdist_with_two_top_level_directories_is_refused(tmp_path):  # S3.20
    dist = dists.sdist_with_member("other-1.0/file.txt")
    assert _archive_error(tmp_path, dist) == (
        "Invalid distribution file. Incorrect number of top-level directories in sdist"
    )


def test_sdist_without_pkg_info_is_refused(tmp_path):  # S3.20
    assert _archive_error(tmp_path, dists.make_sdist(omit=["PKG-INFO"])) == (
        "Invalid distribution file. PKG-INFO not found at example_pkg-1.0/PKG-INFO"
    )


def test_sdist_with_pkg_info_deeper_only_is_refused(tmp_path):  # S3.20
    dist = dists.make_sdist(
        omit=["PKG-INFO"],
        extra_members=[("example_pkg-1.0/sub/PKG-INFO", dists.metadata_text())],
    )
    assert "PKG-INFO not found at example_pkg-1.0/PKG-INFO" in _archive_error(tmp_path, dist)


def test_sdist_license_files_must_exist(tmp_path):  # S3.20
    extra = "License-File: LICENSE\n"
    dist = dists.make_sdist(metadata_extra=extra)
    assert _archive_error(tmp_path, dist, license_file=["LICENSE"]) == (
        f"License-File LICENSE does not exist in distribution file {SDIST[0]} at "
        "example_pkg-1.0/LICENSE"
    )
    dist = dists.make_sdist(
        metadata_extra=extra, extra_members=[("example_pkg-1.0/LICENSE", "MIT")]
    )
    _inspect(tmp_path, dist, license_file=["LICENSE"])


def test_sdist_license_files_named_only_in_pkg_info_must_exist(tmp_path):  # S3.20, S3.22
    dist = dists.make_sdist(metadata_extra="License-File: COPYING\n")
    assert "License-File COPYING does not exist" in _archive_error(tmp_path, dist)


# wheel contents: S3.21 --------------------------------------------------------------------


def test_wheel_without_record_is_refused(tmp_path):  # S3.21
    assert _archive_error(tmp_path, dists.make_wheel(omit=["RECORD"])) == (
        f"Wheel '{WHEEL[0]}' does not contain the required RECORD file: {DIST_INFO}/RECORD"
    )


def test_wheel_without_metadata_is_refused(tmp_path):  # S3.21
    assert _archive_error(tmp_path, dists.make_wheel(omit=["METADATA"])) == (
        f"Wheel '{WHEEL[0]}' does not contain the required METADATA file: {DIST_INFO}/METADATA"
    )


@pytest.mark.parametrize(
    "text",
    ["not an ini file", "[console_scripts]\nrun = a:b:c\n", "[console_scripts]\nrun = \n",
     "[console_scripts]\nrun = mod:func [extra\n"],
)  # fmt: skip
def test_wheel_with_invalid_entry_points_is_refused(tmp_path, text):  # S3.21
    dist = dists.make_wheel(files={f"{DIST_INFO}/entry_points.txt": text})
    assert _archive_error(tmp_path, dist) == (
        f"Wheel '{WHEEL[0]}' has invalid entry points defined in the entry_points.txt file"
    )


def test_wheel_with_valid_entry_points_is_accepted(tmp_path):  # S3.21
    text = "[console_scripts]\nrun = example_pkg:main\n\n[x.plugins]\nP = a.b : c.d [extra]\n"
    _inspect(tmp_path, dists.make_wheel(files={f"{DIST_INFO}/entry_points.txt": text}))


def test_wheel_license_files_must_be_in_the_licenses_directory(tmp_path):  # S3.21
    extra = "License-File: LICENSE\n"
    dist = dists.make_wheel(metadata_extra=extra, files={"LICENSE": "MIT"})
    assert _archive_error(tmp_path, dist, license_file=["LICENSE"]) == (
        f"License-File LICENSE does not exist in distribution file {WHEEL[0]} at "
        f"{DIST_INFO}/licenses/LICENSE"
    )
    dist = dists.make_wheel(metadata_extra=extra, files={f"{DIST_INFO}/licenses/LICENSE": "MIT"})
    _inspect(tmp_path, dist, license_file=["LICENSE"])


# In-archive metadata agrees with the form: S3.22 ------------------------------------------


@pytest.mark.parametrize(
    ("dist", "member"),
    [(dists.wheel_for_other_project(), f"{DIST_INFO}/METADATA"),
     (dists.sdist_for_other_project(), "example_pkg-1.0/PKG-INFO")],
)  # fmt: skip
def test_archive_metadata_naming_another_project_is_refused(tmp_path, dist, member):  # S3.22
    assert _archive_error(tmp_path, dist) == (
        f"Invalid distribution file. {member} has Name 'other-pkg', not 'example-pkg'."
    )


def test_archive_name_spelled_differently_is_accepted(tmp_path):  # S3.22, S2.6
    dist = dists.make_wheel(metadata_text=dists.metadata_text(name="Example_Pkg"))
    assert _inspect(tmp_path, dist).metadata.name == "Example_Pkg"


def test_archive_metadata_with_another_version_is_refused(tmp_path):  # S3.22
    dist = dists.make_sdist(pkg_info_text=dists.metadata_text(version="2.0"))
    assert _archive_error(tmp_path, dist) == (
        "Invalid distribution file. example_pkg-1.0/PKG-INFO has Version '2.0', not '1.0'."
    )
    _inspect(tmp_path, dists.make_sdist(pkg_info_text=dists.metadata_text(version="1.0.0")))


def test_archive_requires_python_must_match_the_form(tmp_path):  # S3.22
    dist = dists.make_wheel(requires_python=">=3.10")
    assert _archive_error(tmp_path, dist, requires_python=">=3.9") == (
        f"Invalid distribution file. {DIST_INFO}/METADATA has Requires-Python '>=3.10', "
        "not '>=3.9'."
    )
    assert "has Requires-Python ''" in _archive_error(
        tmp_path, dists.make_wheel(), requires_python=">=3.9"
    )
    _inspect(tmp_path, dists.make_wheel(requires_python="<4,>=3.9"), requires_python=">=3.9, <4")


def test_archive_requires_dist_must_match_the_form(tmp_path):  # S3.22
    dist = dists.make_wheel(requires_dist=["packaging>=20", "attrs"])
    assert _archive_error(tmp_path, dist, requires_dist=["packaging>=20"]) == (
        f"Invalid distribution file. {DIST_INFO}/METADATA has Requires-Dist "
        "['attrs', 'packaging>=20'], not ['packaging>=20']."
    )


def test_requires_dist_is_compared_after_normalization(tmp_path):  # S3.22
    dist = dists.make_wheel(requires_dist=["Foo_Bar[X,y] >= 1.0 , <2 ; python_version < '3.12'"])
    form_value = 'foo-bar[y,x]<2,>=1.0; python_version<"3.12"'
    _inspect(tmp_path, dist, requires_dist=[form_value])


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("Classifier: Made Up :: Thing\n", "'Made Up :: Thing' is not a valid classifier."),
        ("Home-page: ftp://example.org\n", "'ftp://example.org' is not a valid url."),
        ("Summary: second summary\n", "'summary' has invalid data."),
        ("Requires-Dist: foo @ https://x.example/f.whl\n", "Can't have direct dependency"),
    ],
)
def test_archive_metadata_gets_the_form_rules(tmp_path, extra, reason):  # S3.22, S3.5
    dist = dists.make_wheel(metadata_extra=extra)
    message = _archive_error(tmp_path, dist)
    assert message.startswith(f"Invalid distribution file. {DIST_INFO}/METADATA: ")
    assert reason in message and message.endswith(SPEC)


def test_archive_metadata_version_must_be_supported(tmp_path):  # S3.22, S3.5.1
    dist = dists.make_sdist(pkg_info_text=dists.metadata_text(metadata_version="2.6"))
    assert _archive_error(tmp_path, dist) == (
        "Invalid distribution file. example_pkg-1.0/PKG-INFO: "
        f"'2.6' is not a valid metadata version. {SPEC}"
    )


def test_archive_local_version_follows_the_setting(tmp_path, settings):  # S3.22, S3.5.3
    settings.PRIVINDEX_ALLOW_LOCAL_VERSIONS = True
    dist = dists.make_wheel(version="1.0+local")
    form = _form(dist)
    contents = _inspect(tmp_path, dist, form=form)
    assert str(contents.metadata.version) == "1.0+local"
    settings.PRIVINDEX_ALLOW_LOCAL_VERSIONS = False
    assert "The use of local versions in '1.0+local' is not allowed." in _archive_error(
        tmp_path, dist, form=form
    )
