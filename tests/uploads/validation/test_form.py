"""The upload form as twine sends it (S2.2-S2.4, S3.2-S3.4), its description (S3.9) and
its content part (S3.11): ``uploads.validation.form``. Pure functions: no database."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from tests import dists
from tests.uploads.validation.helpers import (
    SDIST,
    SPEC,
    WHEEL,
    _files,
    _form,
    _form_error,
    _post,
)
from uploads.validation.errors import UploadError
from uploads.validation.form import validate_form

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


def test_a_version_whose_canonical_form_is_too_long_is_refused():
    version = "1" + ".1" * 48 + "-1"  # 99 characters; "1.1...1.post1" has 103
    assert _form_error(version=version) == (
        "'version' is too long: normalized, it has more than 100 characters."
    )


def test_a_pyversion_longer_than_its_column_is_refused():
    assert _form(pyversion="p" * 100).pyversion == "p" * 100
    assert _form_error(pyversion="p" * 101) == (
        "'pyversion' is too long: at most 100 characters are allowed."
    )


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
