"""Upload validation: the form (S2.2-S2.4, S3.2-S3.5, S3.9, S3.11), the filename (S3.10, S3.20,
S3.21) and the archive (S3.19-S3.22). Pure functions: no database."""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from projects.models import Release
from tests import dists
from uploads import validation
from uploads.validation import (
    PRIVATE_CLASSIFIER,
    FormData,
    UploadError,
    inspect_archive,
    validate_filename,
    validate_form,
)
from uploads.validation import archive as archive_module

SPEC = "See https://packaging.python.org/specifications/core-metadata for more information."
PEP527 = "See https://www.python.org/dev/peps/pep-0527 for more information."
ARCHIVES = "See https://docs.pypi.org/archives for more information"
WHEEL, SDIST = dists.make_wheel(), dists.make_sdist()
DIST_INFO = "example_pkg-1.0.dist-info"


# Helpers ----------------------------------------------------------------------------------


def _post(fields: dict[str, Any]) -> QueryDict:
    post = QueryDict(mutable=True)
    for key, value in fields.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    return post


def _files(filename: str = WHEEL[0], content: bytes = WHEEL[1], **parts: Any) -> MultiValueDict:
    content_type = parts.pop("content_type", "application/octet-stream")
    files = {"content": [SimpleUploadedFile(filename, content, content_type)]}
    files.update({key: [value] for key, value in parts.items()})
    return MultiValueDict(files)


def _form(dist: tuple[str, bytes] = WHEEL, **overrides: Any) -> FormData:
    """Validate twine's fields for ``dist`` with ``overrides`` (None removes a field)."""
    filename, content = dist
    dropped = [
        k for k in ("name", "version", "filetype") if k in overrides and overrides[k] is None
    ]
    fields = dists.upload_fields(
        filename, content, **{k: v for k, v in overrides.items() if k not in dropped}
    )
    for key in dropped:
        del fields[key]
    return validate_form(_post(fields), _files(filename, content))


def _form_error(dist: tuple[str, bytes] = WHEEL, **overrides: Any) -> str:
    with pytest.raises(UploadError) as caught:
        _form(dist, **overrides)
    assert caught.value.status == 400
    return caught.value.message


def _filename_error(filename: str, form: FormData | None = None) -> str:
    with pytest.raises(UploadError) as caught:
        validate_filename(filename, form or _form())
    return caught.value.message


def _inspect(tmp_path: Path, dist: tuple[str, bytes], *, form: FormData | None = None,
             **overrides: Any) -> validation.ArchiveContents:  # fmt: skip
    filename, content = dist
    path = tmp_path / filename
    path.write_bytes(content)
    if form is None:
        filetype = "bdist_wheel" if filename.endswith(".whl") else "sdist"
        form = _form(
            dists.make_wheel() if filetype == "bdist_wheel" else dists.make_sdist(), **overrides
        )
    return inspect_archive(path, filename, form)


def _archive_error(tmp_path: Path, dist: tuple[str, bytes], **kwargs: Any) -> str:
    with pytest.raises(UploadError) as caught:
        _inspect(tmp_path, dist, **kwargs)
    assert caught.value.status == 400
    return caught.value.message


def _patch(content: bytes, old: bytes, new: bytes, *, count: int = 1) -> bytes:
    assert content.count(old) >= count, old
    return content.replace(old, new, count)


# The form: S2.2-S2.4, S3.2-S3.4 -------------------------------------------------------------


def test_twine_fields_for_a_wheel_validate():  # S2.2, S2.4
    form = _form(md5=True)
    assert (form.filetype, form.pyversion, form.name, form.version) == (
        "bdist_wheel", "py3", "example-pkg", "1.0"
    )  # fmt: skip
    assert set(form.digests) == {"md5", "sha256", "blake2_256"}
    assert form.metadata.name == "example-pkg"
    assert form.requires_python == "" and form.comment == "" and form.classifiers == []


def test_sdist_pyversion_defaults_to_source():  # S3.4
    assert _form(SDIST, pyversion=None).pyversion == "source"


def test_digests_are_lowercased_as_supplied():  # S2.3
    filename, content = WHEEL
    fields = dists.upload_fields(filename, content, blake2_256_digest=None)
    fields["sha256_digest"] = fields["sha256_digest"].upper()
    form = validate_form(_post(fields), _files())
    assert form.digests == {"sha256": fields["sha256_digest"].lower()}


def test_multi_use_fields_are_repeated_keys_and_three_keep_singular_names():  # S2.4
    form = _form(
        metadata_version="2.5",
        classifiers=["Programming Language :: Python :: 3", "Typing :: Typed"],
        requires_dist=["packaging>=20", "attrs; extra == 'x'"],
        provides_extra=["x"],
        platform=["linux", "win32"],
        supported_platform=["RedHat 9"],
        import_name=["example_pkg", "example_pkg._private; private"],
    )
    assert form.classifiers == ["Programming Language :: Python :: 3", "Typing :: Typed"]
    assert form.metadata.platforms == ["linux", "win32"]
    assert form.metadata.supported_platforms == ["RedHat 9"]
    assert form.metadata.import_names == ["example_pkg", "example_pkg._private; private"]
    assert form.release_fields["requires_dist"] == ["packaging>=20", 'attrs; extra == "x"']
    assert form.release_fields["provides_extra"] == ["x"]


def test_license_file_keeps_its_singular_form_name():  # S2.4
    form = _form(metadata_version="2.4", license_file=["LICENSE", "NOTICE"])
    assert form.metadata.license_files == ["LICENSE", "NOTICE"]


def test_keywords_and_project_urls_are_parsed():  # S2.4
    urls = ["Homepage, https://example.org", "Issues, https://example.org/i"]
    form = _form(keywords="a, b,c", project_urls=urls)
    assert form.metadata.keywords == ["a", "b", "c"]
    assert form.release_fields["keywords"] == "a, b,c"
    assert form.release_fields["project_urls"] == {
        "Homepage": "https://example.org", "Issues": "https://example.org/i"
    }  # fmt: skip


def test_empty_strings_count_as_absent():  # S2.4
    form = _form(summary="", author_email="", home_page="", classifiers=["", ""])
    assert form.metadata.summary is None
    assert form.release_fields["author_email"] == "" and form.classifiers == []


def test_unknown_keys_are_ignored():  # S2.4
    form = _form(**{"Description-Content-Type": "text/nonsense", "frobnicate": ["1", "2"]})
    assert form.metadata.description_content_type is None


@pytest.mark.parametrize("key", ["summary", "version", "requires_python", "keywords", "filetype"])
def test_single_value_field_sent_twice_is_invalid_data(key):  # S2.4, S3.5.17
    filename, content = WHEEL
    fields = dists.upload_fields(filename, content)
    fields[key] = ["1.0", "2.0"]
    with pytest.raises(UploadError) as caught:
        validate_form(_post(fields), _files())
    assert caught.value.message == f"'{key}' has invalid data. {SPEC}"


def test_duplicate_project_url_labels_are_invalid_data():  # S3.5.17
    message = _form_error(project_urls=["Home, https://a.example", "Home, https://b.example"])
    assert message == f"'project_urls' has invalid data. {SPEC}"


@pytest.mark.parametrize("value", ["UNKNOWN", "  UNKNOWN  "])
def test_unknown_values_are_dropped(value):  # S3.2
    form = _form(summary=value, home_page=value, author=value)
    assert form.metadata.summary is None and form.metadata.home_page is None
    assert form.release_fields["author"] == ""


def test_nul_characters_become_a_literal_escape():  # S3.2
    assert _form(summary="a\x00b").metadata.summary == "a\\x00b"


def test_nul_in_the_name_fails_the_name_rule():  # S3.2, S3.4
    assert _form_error(name="ex\x00ample").startswith("'ex\\\\x00ample' is an invalid value")


@pytest.mark.parametrize("field", ["summary", "name", "sha256_digest"])
def test_a_non_file_field_sent_as_a_file_part_is_refused(field):  # S3.2
    filename, content = WHEEL
    fields = dists.upload_fields(filename, content)
    part = SimpleUploadedFile("x", b"x", "text/plain")
    with pytest.raises(UploadError) as caught:
        validate_form(_post(fields), _files(**{field: part}))
    assert caught.value.message == f"{field}: Should not be a tuple."


def test_gpg_signature_may_be_a_file_part():  # S3.2, S2.5
    filename, content = WHEEL
    fields = dists.upload_fields(filename, content)
    signature = SimpleUploadedFile(filename + ".asc", b"sig", "application/octet-stream")
    assert validate_form(_post(fields), _files(gpg_signature=signature)).name == "example-pkg"


@pytest.mark.parametrize("value", ["2", "0", "one"])
def test_unknown_protocol_version_is_refused(value):  # S3.3
    assert _form_error(protocol_version=value) == "Unknown protocol version."


def test_missing_protocol_version_means_1():  # S3.3
    assert _form(protocol_version=None).name == "example-pkg"


@pytest.mark.parametrize("name", ["-bad", "bad-", "b@d", "a b", "ünicode"])
def test_invalid_name_is_refused(name):  # S3.4
    assert _form_error(name=name) == (
        f"{name!r} is an invalid value for Name. Error: Start and end with a letter or numeral "
        f"containing only ASCII numeric and '.', '_' and '-'. {SPEC}"
    )


def test_long_invalid_name_is_shortened_in_the_message():  # S3.4
    name = "a" * 40 + "!" + "b" * 40
    message = _form_error(name=name)
    assert message.startswith(f"'{'a' * 30}...{'b' * 30}' is an invalid value for Name.")


def test_missing_name_is_refused():  # S3.4
    assert _form_error(name=None) == (
        f"'' is an invalid value for Name. Error: This field is required. {SPEC}"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"filetype": "bdist_egg"}, "Invalid value for filetype. Error: Use a known file type."),
        ({"filetype": None}, "Invalid value for filetype. Error: This field is required."),
        (
            {"sha256_digest": "abc"},
            (
                "Invalid value for sha256_digest. Error: "
                "Use a valid, hex-encoded, SHA256 message digest."
            ),
        ),
        (
            {"blake2_256_digest": "z" * 64},
            (
                "Invalid value for blake2_256_digest. Error: "
                "Use a valid, hex-encoded, BLAKE2 message digest."
            ),
        ),
        (
            {"pyversion": None},
            "Error: Python version is required for binary distribution uploads.",
        ),
        (
            {"sha256_digest": None, "blake2_256_digest": None},
            "Error: Include at least one message digest.",
        ),
    ],
)
def test_form_rules(overrides, message):  # S3.4
    assert _form_error(**overrides) == message


def test_sdist_pyversion_must_be_source():  # S3.4
    assert _form_error(SDIST, pyversion="py3") == (
        "Error: Use 'source' as Python version for an sdist."
    )


@pytest.mark.parametrize(
    ("overrides", "reported"),
    [
        ({"name": "-bad", "filetype": "egg", "sha256_digest": "x"}, "for Name."),
        ({"filetype": "egg", "sha256_digest": "x", "blake2_256_digest": "x"}, "blake2_256_digest"),
        ({"filetype": "egg", "sha256_digest": "x"}, "filetype"),
        ({"sha256_digest": "x", "pyversion": None}, "sha256_digest"),
        ({"pyversion": None, "metadata_version": "9.9"}, "Python version is required"),
        ({"name": "-bad", "metadata_version": "9.9"}, "for Name."),
    ],
)
def test_form_errors_are_reported_in_priority_order(overrides, reported):  # S3.4
    assert reported in _form_error(**overrides)


# Metadata: S3.5 ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.6", "2.0", "3.0", "1.3"])
def test_unsupported_metadata_version_is_refused(version):  # S3.5.1
    assert _form_error(metadata_version=version) == (
        f"'{version}' is not a valid metadata version. {SPEC}"
    )


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"])
def test_supported_metadata_versions_are_accepted(version):  # S3.5.1
    assert _form(metadata_version=version).metadata.metadata_version == version


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"version": "not.a.version"}, f"'not.a.version' is invalid for 'version'. {SPEC}"),
        ({"version": None}, f"'version' is a required field. {SPEC}"),
    ],
)
def test_version_must_be_pep440(overrides, message):  # S3.5.2
    assert _form_error(**overrides) == message


def test_version_is_returned_as_sent():  # S3.5.2
    assert _form(version="1.0.0").version == "1.0.0"


def test_local_versions_are_refused_by_default():  # S3.5.3
    assert _form_error(version="1.0+local.7") == (
        "The use of local versions in '1.0+local.7' is not allowed. See "
        "https://packaging.python.org/specifications/version-specifiers/"
        "#local-version-identifiers for more information."
    )


def test_local_versions_are_accepted_when_the_index_allows_them(settings):  # S3.5.3
    settings.PRIVINDEX_ALLOW_LOCAL_VERSIONS = True
    assert _form(version="1.0+local.7").version == "1.0+local.7"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"metadata_version": "2.1", "license_expression": "MIT"},
            "license-expression introduced in metadata version 2.4, not 2.1.",
        ),
        (
            {"metadata_version": "2.1", "dynamic": "Summary"},
            "dynamic introduced in metadata version 2.2, not 2.1.",
        ),
        (
            {"metadata_version": "1.0", "classifiers": "Typing :: Typed"},
            "classifier introduced in metadata version 1.1, not 1.0.",
        ),
        (
            {"metadata_version": "2.4", "import_name": "example_pkg"},
            "import-name introduced in metadata version 2.5, not 2.4.",
        ),
    ],
)
def test_fields_newer_than_the_metadata_version_are_refused(overrides, message):  # S3.5.4
    assert _form_error(**overrides) == f"{message} {SPEC}"


def test_summary_is_limited_to_512_characters():  # S3.5.5
    assert _form(summary="s" * 512).metadata.summary == "s" * 512
    assert _form_error(summary="s" * 513) == (
        f"'summary' field must be 512 characters or less. {SPEC}"
    )


def test_summary_is_a_single_line():  # S3.5.5
    assert _form_error(summary="one\ntwo") == f"'summary' must be a single line. {SPEC}"


@pytest.mark.parametrize(
    "value", ["text/html", "text/plain; charset=latin-1", "text/markdown; variant=Wiki"]
)
def test_description_content_type_is_checked(value):  # S3.5.6
    message = _form_error(description_content_type=value, description="Hi")
    assert "description-content-type" in message and message.endswith(SPEC)


@pytest.mark.parametrize(
    "value",
    [
        "text/plain",
        "text/x-rst",
        "text/markdown",
        "text/markdown; charset=UTF-8; variant=CommonMark",
    ],
)
def test_valid_description_content_types(value):  # S3.5.6
    assert _form(description_content_type=value, description="Hi").metadata.description == "Hi"


@pytest.mark.parametrize("field", ["author_email", "maintainer_email"])
@pytest.mark.parametrize(
    ("value", "address"),
    [("Foo Bar", "Foo"), ("someone@", "someone@"), ("Someone <someone@>", "Someone <someone@>"),
     ("A <a@example.org>, B <b@example..org>", "b@example..org")],
)  # fmt: skip
def test_emails_must_be_valid(field, value, address):  # S3.5.7
    message = _form_error(**{field: value})
    assert message.startswith(f"{address!r} is not a valid email address: ")
    assert message.endswith(SPEC)


def test_emails_with_display_names_are_accepted():  # S3.5.7
    form = _form(author_email="A. Person <a.person@example.org>")
    assert form.release_fields["author_email"] == "A. Person <a.person@example.org>"


def test_unknown_classifier_is_refused():  # S3.5.8
    assert _form_error(classifiers=["Typing :: Typed", "Made Up :: Thing"]) == (
        f"'Made Up :: Thing' is not a valid classifier. {SPEC}"
    )


def test_deprecated_classifiers_are_refused():  # S3.5.8
    assert _form_error(classifiers="Framework :: Django CMS :: 4.2") == (
        "The classifier 'Framework :: Django CMS :: 4.2' has been deprecated, use one of "
        f"['Framework :: Django CMS :: 5.0'] instead. {SPEC}"
    )
    assert _form_error(classifiers="License :: OSI Approved :: Intel Open Source License") == (
        "The classifier 'License :: OSI Approved :: Intel Open Source License' has been "
        f"deprecated. {SPEC}"
    )


def test_the_private_classifier_is_accepted():  # S3.5.8
    assert _form(classifiers=[PRIVATE_CLASSIFIER]).classifiers == [PRIVATE_CLASSIFIER]


@pytest.mark.parametrize("field", ["home_page", "download_url"])
@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/x", "not a url", "https://exa mple.org", "javascript:alert(1)",
     "https://[::zz]/"],
)  # fmt: skip
def test_home_page_and_download_url_must_be_urls(field, url):  # S3.5.9
    assert _form_error(**{field: url}) == f"{url!r} is not a valid url. {SPEC}"


@pytest.mark.parametrize(
    "url",
    ["https://example.org", "http://localhost:8000/p?q=1#f", "https://[::1]/",
     "HTTPS://Example.org"],
)  # fmt: skip
def test_valid_urls_are_accepted(url):  # S3.5.9
    assert _form(home_page=url).release_fields["home_page"] == url


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (", https://example.org", "Must have a label."),
        ("L" * 33 + ", https://example.org", f"'{'L' * 33}' must be 32 characters or less."),
        ("Docs,", "Must have a URL."),
        ("Docs", "Must have a URL."),
        ("Docs, gopher://example.org", "'gopher://example.org' is not a valid url."),
    ],
)
def test_project_urls_need_a_label_and_a_url(value, message):  # S3.5.10
    assert _form_error(project_urls=[value]) == f"{message} {SPEC}"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"requires_dist": ["foo @ https://x.example/foo.whl"]},
         "Can't have direct dependency: foo @ https://x.example/foo.whl."),
        ({"provides_dist": ["foo @ https://x.example/foo.whl"]},
         "Can't have direct dependency: 'foo @ https://x.example/foo.whl'."),
        ({"obsoletes_dist": ["foo @ file:///tmp/foo"]},
         "Can't have direct dependency: 'foo @ file:///tmp/foo'."),
    ],
)  # fmt: skip
def test_dependencies_may_not_be_direct_urls(overrides, message):  # S3.5.11
    assert _form_error(**overrides) == f"{message} {SPEC}"


@pytest.mark.parametrize("field", ["requires_dist", "provides_dist", "obsoletes_dist"])
def test_dependencies_must_be_pep508(field):  # S3.5.11
    message = _form_error(**{field: ["not valid !!"]})
    assert message.startswith("'not valid !!' is invalid") and message.endswith(SPEC)


@pytest.mark.parametrize("value", ["3.8", "=>3.8", "> = 3", "~=3"])
def test_requires_python_must_be_a_specifier_set(value):  # S3.5.12
    assert _form_error(requires_python=value) == (
        f"{value!r} is invalid for 'requires-python'. {SPEC}"
    )


def test_requires_python_is_kept_as_sent():  # S3.5.12
    form = _form(requires_python=">=3.9, <4")
    assert form.requires_python == ">=3.9, <4"
    assert form.release_fields["requires_python"] == ">=3.9, <4"


@pytest.mark.parametrize("value", ["-bad", "sp ace", "x!"])
def test_provides_extra_must_be_a_valid_name(value):  # S3.5.13
    assert _form_error(provides_extra=[value]) == (
        f"{value!r} is invalid for 'provides-extra'. {SPEC}"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Name", "'name' is not allowed as a dynamic field."),
        ("version", "'version' is not allowed as a dynamic field."),
        ("Metadata-Version", "'metadata-version' is not allowed as a dynamic field."),
        ("Dynamic", "Dynamic field 'Dynamic' is not a valid dynamic field."),
        ("Frobnicate", "Dynamic field 'Frobnicate' is not a valid dynamic field."),
    ],
)
def test_dynamic_fields_are_restricted(value, message):  # S3.5.14
    assert _form_error(metadata_version="2.2", dynamic=[value]) == f"{message} {SPEC}"


def test_allowed_dynamic_fields_are_accepted():  # S3.5.14
    form = _form(metadata_version="2.2", dynamic=["Requires-Dist", "Summary", "License-File"])
    assert form.metadata.dynamic == ["requires-dist", "summary", "license-file"]


def test_license_expression_must_be_spdx():  # S3.5.15
    message = _form_error(license_expression="Not-A-License")
    assert message == f"'Not-A-License' is invalid for 'license-expression'. {SPEC}"


def test_license_expression_is_canonicalized():  # S3.5.15
    form = _form(license_expression="mit OR apache-2.0")
    assert form.release_fields["license_expression"] == "MIT OR Apache-2.0"


def test_license_and_license_expression_together_are_refused():  # S3.5.15
    assert _form_error(license="MIT License", license_expression="MIT") == (
        "License is deprecated when License-Expression is present. "
        f"Only License-Expression should be present. {SPEC}"
    )


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../LICENSE", "parent directory indicators are not allowed"),
        ("LICENSE*", "paths must be resolved"),
        ("/LICENSE", "paths must be relative"),
        ("licenses\\LICENSE", "paths must use '/' delimiter"),
    ],
)
def test_license_file_paths_are_checked(path, reason):  # S3.5.15
    assert _form_error(license_file=[path]) == (
        f"{path!r} is invalid for 'license-file', {reason}. {SPEC}"
    )


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("1bad", "'1bad' is not a valid identifier"),
        ("pkg.class", "'class' is a keyword"),
        ("pkg; public", "the only valid option is 'private'"),
    ],
)
def test_import_names_must_be_dotted_identifiers(value, detail):  # S3.5.16
    message = _form_error(metadata_version="2.5", import_namespace=[value])
    assert detail in message and "'import-namespace'" in message and message.endswith(SPEC)


@pytest.mark.parametrize(
    ("overrides", "reported"),
    [
        ({"metadata_version": "2.6", "version": "x", "classifiers": "Bad"}, "metadata version"),
        ({"version": "x", "classifiers": "Bad", "author_email": "@"}, "'version'"),
        ({"classifiers": "Bad", "author_email": "a@"}, "email address"),
        ({"summary": "s" * 600, "requires_python": "3"}, "'requires-python'"),
        ({"summary": "s" * 600, "project_urls": ["x"]}, "Must have a URL"),
    ],
)
def test_metadata_errors_are_reported_in_priority_order(overrides, reported):  # S3.4, S3.5
    assert reported in _form_error(**overrides)


def test_release_fields_carry_the_metadata():  # S3.5
    form = _form(
        summary="Summary",
        description="Title\n=====\n\nBody *text*.\n",
        author="A", author_email="a@example.org", maintainer="M",
        maintainer_email="m@example.org", license_expression="MIT", keywords="k1,k2",
        home_page="https://example.org", download_url="https://example.org/d",
        classifiers=["Typing :: Typed"], requires_dist=["packaging>=20"],
        provides_extra=["Extra_One"], project_urls=["Source, https://example.org/src"],
        requires_python=">=3.11",
    )  # fmt: skip
    fields = form.release_fields
    assert fields["summary"] == "Summary"
    assert fields["description"].startswith("Title")
    assert fields["description_content_type"] == ""
    assert "<em>text</em>" in fields["description_html"]
    assert (fields["author"], fields["author_email"]) == ("A", "a@example.org")
    assert (fields["maintainer"], fields["maintainer_email"]) == ("M", "m@example.org")
    assert (fields["license"], fields["license_expression"]) == ("", "MIT")
    assert fields["keywords"] == "k1,k2"
    assert fields["home_page"] == "https://example.org"
    assert fields["download_url"] == "https://example.org/d"
    assert fields["classifiers"] == ["Typing :: Typed"]
    assert fields["requires_dist"] == ["packaging>=20"]
    assert fields["provides_extra"] == ["extra-one"]
    assert fields["project_urls"] == {"Source": "https://example.org/src"}
    assert fields["requires_python"] == ">=3.11"
    assert set(fields) <= {f.name for f in Release._meta.fields}


# Description rendering: S3.9 --------------------------------------------------------------

BROKEN_RST = "Title\n=\n\n:unknown-role:`x`\n"


def test_description_defaults_to_restructuredtext():  # S3.9
    html = _form(description="Hello *world*").release_fields["description_html"]
    assert "<em>world</em>" in html


def test_description_that_fails_as_default_rst_is_refused():  # S3.9
    assert _form_error(description=BROKEN_RST) == (
        "The description failed to render in the default format of reStructuredText."
    )


def test_description_that_fails_as_declared_rst_is_refused():  # S3.9
    assert _form_error(description=BROKEN_RST, description_content_type="text/x-rst") == (
        "The description failed to render for 'text/x-rst'."
    )


def test_markdown_description_is_rendered_and_sanitized():  # S3.9
    form = _form(
        description="# Title\n\n<script>alert(1)</script>\n\n```python\nx = 1\n```\n",
        description_content_type="text/markdown; variant=GFM",
    )
    html = form.release_fields["description_html"]
    assert html.startswith("<h1") and ">Title<" in html and "<script>" not in html


def test_plain_description_is_escaped_and_preformatted():  # S3.9
    form = _form(description=BROKEN_RST + "<b>", description_content_type="text/plain")
    html = form.release_fields["description_html"]
    assert html.startswith("<pre>") and "&lt;b&gt;" in html


def test_no_description_renders_empty():  # S3.9
    assert _form().release_fields["description_html"] == ""


# The content part: S3.11 ------------------------------------------------------------------


def test_missing_content_is_refused():  # S3.11
    filename, content = WHEEL
    with pytest.raises(UploadError) as caught:
        validate_form(_post(dists.upload_fields(filename, content)), MultiValueDict())
    assert caught.value.message == "Upload payload does not have a file."


def test_content_sent_as_a_text_field_is_refused():  # S3.11
    filename, content = WHEEL
    fields = {**dists.upload_fields(filename, content), "content": "not a file"}
    with pytest.raises(UploadError) as caught:
        validate_form(_post(fields), MultiValueDict())
    assert caught.value.message == "Upload payload does not have a file."


def test_two_content_parts_are_refused():  # S3.11
    filename, content = WHEEL
    part = SimpleUploadedFile(filename, content, "application/octet-stream")
    files = _files()
    files.appendlist("content", part)
    with pytest.raises(UploadError) as caught:
        validate_form(_post(dists.upload_fields(filename, content)), files)
    assert caught.value.message == "Upload payload has more than one file."


def test_content_without_a_type_is_accepted():  # S3.11; uv publish sends no part type
    filename, content = WHEEL
    form = validate_form(
        _post(dists.upload_fields(filename, content)),
        _files(filename, content, content_type=""),
    )
    assert form.filetype == "bdist_wheel"


@pytest.mark.parametrize("content_type", ["image/png", "IMAGE/gif"])
def test_content_with_an_image_type_is_refused(content_type):  # S3.11
    filename, content = WHEEL
    with pytest.raises(UploadError) as caught:
        validate_form(
            _post(dists.upload_fields(filename, content)),
            _files(filename, content, content_type=content_type),
        )
    assert caught.value.message == "Invalid distribution file."


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


def _zip_not_accepted(reason: str) -> str:
    return f"Invalid distribution file. ZIP archive not accepted: {reason}. {ARCHIVES}"


class _Unseekable(io.RawIOBase):
    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.data += data
        return len(data)


def _wheel_members() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(WHEEL[1])) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_zip_with_data_descriptors_is_refused(tmp_path):  # S3.19
    stream = _Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _wheel_members().items():
            archive.writestr(name, data)
    assert _archive_error(tmp_path, (WHEEL[0], bytes(stream.data))) == (
        _zip_not_accepted("ZIP contains a data descriptor")
    )


def _rebuild(members: dict[str, bytes], *, hook: Any = None) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on duplicate names
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=dists.ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                if hook:
                    hook(info)
                archive.writestr(info, data)
            if hook is None:
                archive.writestr(f"{DIST_INFO}/RECORD", members[f"{DIST_INFO}/RECORD"])
    return buffer.getvalue()


def test_zip_with_a_central_directory_comment_is_refused(tmp_path):  # S3.19
    def comment(info: zipfile.ZipInfo) -> None:
        info.comment = b"hello"

    content = _rebuild(_wheel_members(), hook=comment)
    assert _archive_error(tmp_path, (WHEEL[0], content)) == (
        _zip_not_accepted("Comment in central directory")
    )


def test_zip_with_duplicate_names_is_refused(tmp_path):  # S3.19
    assert _archive_error(tmp_path, (WHEEL[0], _rebuild(_wheel_members()))) == (
        _zip_not_accepted("Duplicate filename in local headers")
    )


def test_zip_with_duplicate_extras_is_refused(tmp_path):  # S3.19
    def extras(info: zipfile.ZipInfo) -> None:
        unicode_path = struct.pack("<HHB", 0x7075, 5 + 1, 1) + b"\0\0\0\0" + b"a"
        info.extra = unicode_path + unicode_path

    content = _rebuild(_wheel_members(), hook=extras)
    assert _archive_error(tmp_path, (WHEEL[0], content)) == (
        _zip_not_accepted("Invalid duplicate extra in local file")
    )


def test_zip_with_a_non_utf8_unicode_path_is_refused(tmp_path):  # S3.19
    def extras(info: zipfile.ZipInfo) -> None:
        info.extra = struct.pack("<HHB", 0x7075, 5 + 2, 1) + b"\0\0\0\0" + b"\xff\xfe"

    content = _rebuild(_wheel_members(), hook=extras)
    assert _archive_error(tmp_path, (WHEEL[0], content)) == (
        _zip_not_accepted("Filename not valid UTF-8")
    )


def test_zip_with_a_control_character_in_a_name_is_refused(tmp_path):  # S3.19
    members = {**_wheel_members(), "bad\x01name.py": b""}
    content = _rebuild(members, hook=lambda info: None)
    assert _archive_error(tmp_path, (WHEEL[0], content)) == (
        _zip_not_accepted("Invalid character in filename")
    )


def _local_header_at(content: bytes, name: bytes) -> int:
    at = content.index(b"PK\x03\x04")
    while content[at + 30 : at + 30 + len(name)] != name:
        at = content.index(b"PK\x03\x04", at + 4)
    return at


def test_zip_whose_local_sizes_disagree_is_refused(tmp_path):  # S3.19
    content = bytearray(WHEEL[1])
    at = _local_header_at(WHEEL[1], b"example_pkg.py")
    compressed, size = struct.unpack_from("<II", content, at + 18)
    struct.pack_into("<I", content, at + 22, size + 1)
    assert _archive_error(tmp_path, (WHEEL[0], bytes(content))) == (
        _zip_not_accepted("Mis-matched file size")
    )
    struct.pack_into("<II", content, at + 18, compressed + 1, size)
    assert _archive_error(tmp_path, (WHEEL[0], bytes(content))) == (
        _zip_not_accepted("Mis-matched data size")
    )


def test_zip_whose_local_name_is_not_in_the_central_directory_is_refused(tmp_path):  # S3.19
    content = bytearray(WHEEL[1])
    at = _local_header_at(WHEEL[1], b"example_pkg.py")
    content[at + 30 : at + 30 + 14] = b"examplx_pkg.py"
    assert _archive_error(tmp_path, (WHEEL[0], bytes(content))) == (
        _zip_not_accepted("Filename not in central directory")
    )


def test_zip_whose_end_record_miscounts_is_refused(tmp_path):  # S3.19
    content = bytearray(WHEEL[1])
    end = content.rindex(b"PK\x05\x06")
    entries = struct.unpack_from("<H", content, end + 10)[0]
    struct.pack_into("<HH", content, end + 8, entries + 1, entries + 1)
    assert _archive_error(tmp_path, (WHEEL[0], bytes(content))) == (
        _zip_not_accepted("Mismatched central directory records")
    )


@pytest.mark.parametrize("extra", ["prefix", "suffix"])
def test_zip_with_extra_bytes_around_it_is_refused(tmp_path, extra):  # S3.19
    content = b"junk" * 8 + WHEEL[1] if extra == "prefix" else WHEEL[1] + b"junk" * 8
    assert _archive_error(tmp_path, (WHEEL[0], content)) == _zip_not_accepted("Malformed zip file")


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
