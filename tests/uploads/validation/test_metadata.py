"""Core-metadata rules on the upload form (S3.5): ``uploads.validation.metadata``, as
``validate_form`` applies them. Pure functions: no database."""

from __future__ import annotations

import pytest

from projects.models import Release
from tests.uploads.validation.helpers import (
    SPEC,
    _form,
    _form_error,
)
from uploads.validation.metadata import PRIVATE_CLASSIFIER

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
