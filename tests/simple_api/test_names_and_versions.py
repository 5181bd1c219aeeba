"""Names, versions and URL stability (S1.2, S1.3, S1.6, S1.7, S1.39, S1.43, S5.1-S5.3)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from projects.models import Release
from tests import dists, factories
from tests.simple_api.helpers import basic
from tokens.services import token_issue
from uploads.validation import UploadError, validate_form

JSON = "application/vnd.pypi.simple.v1+json"


def test_normalization_test_vector_redirects(client, db):  # S1.3, S1.4
    response = client.get("/simple/FrIeNdLy-._.-bArD/")
    assert response.status_code == 301
    assert response["Location"] == "/simple/friendly-bard/"


@pytest.mark.parametrize("name", ["-leading", "trailing-", "sp ace", "dot.", "trailing\n"])
def test_invalid_project_names_are_refused_on_upload(name):  # S1.2 (note the \Z)
    filename, content = dists.make_wheel("valid-name", "1.0")
    from django.http import QueryDict
    from django.utils.datastructures import MultiValueDict

    post = QueryDict(mutable=True)
    for key, value in dists.upload_fields(filename, content, name=name).items():
        for item in value if isinstance(value, list) else [value]:
            post.appendlist(key, item)
    files = MultiValueDict(
        {"content": [SimpleUploadedFile(filename, content, "application/octet-stream")]}
    )
    with pytest.raises(UploadError) as caught:
        validate_form(post, files)
    assert "invalid" in caught.value.message and repr(name)[1:-1] in caught.value.message


def test_unknown_project_404_is_light_plain_text(client, db):  # S1.6
    response = client.get("/simple/nothing-here/")
    assert response.status_code == 404
    assert response.content == b"404 Not Found\n"
    assert response["Content-Type"].startswith("text/plain")


def test_equivalent_versions_are_one_release(client, db, settings):  # S1.7
    user = factories.UserFactory()
    token = token_issue(user=user, scopes=["upload", "read"], actor=None).secret
    for builder, version in ((dists.make_wheel, "1.0"), (dists.make_sdist, "1.0.0")):
        filename, content = builder("same-release", version)
        fields = dists.upload_fields(filename, content)
        fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post("/legacy/", fields, **basic(token))
        assert response.status_code == 200, response.content
    assert Release.objects.filter(project__normalized_name="same-release").count() == 1
    data = client.get("/pypi/same-release/1.0.0/json", **basic(token)).json()
    assert {u["filename"] for u in data["urls"]} == {
        "same_release-1.0-py3-none-any.whl",
        "same_release-1.0.0.tar.gz",
    }


def test_json_api_version_is_1_5_with_its_mandatory_parts(client, db):  # S1.39, S1.40
    project = factories.ProjectFactory(name="v14", visibility="public")
    factories.FileFactory(release=factories.ReleaseFactory(project=project, version="1"))
    data = client.get("/simple/v14/", HTTP_ACCEPT=JSON).json()
    assert data["meta"]["api-version"] == "1.5"  # PEP 752; HTML stays 1.4 (PEP 833)
    assert "versions" in data and all("size" in f for f in data["files"])
    assert "namespaces" in data


def test_yanked_files_always_carry_their_marker(client, db):  # S1.43, S1.15
    project = factories.ProjectFactory(name="yk", visibility="public")
    release = factories.ReleaseFactory(project=project, version="1", yanked=True)
    factories.FileFactory(release=release)
    assert 'data-yanked=""' in client.get("/simple/yk/").content.decode()
    assert client.get("/simple/yk/", HTTP_ACCEPT=JSON).json()["files"][0]["yanked"] is True


def test_index_lists_stable_app_urls_whose_bytes_match(client, db, settings):
    """S5.1, S5.2, S5.3: the last segment is the filename, the URL is the app's own (never a
    presigned store URL), and the bytes are the advertised ones."""
    from tests.simple_api.helpers import file_with_bytes

    project = factories.ProjectFactory(name="stable", visibility="public")
    release = factories.ReleaseFactory(project=project, version="1")
    file_with_bytes(release, b"exact bytes", filename="stable-1-py3-none-any.whl")
    entry = client.get("/simple/stable/", HTTP_ACCEPT=JSON).json()["files"][0]
    assert entry["url"].startswith("/files/")
    assert "?" not in entry["url"] and "X-Amz" not in entry["url"]
    assert entry["url"].rsplit("/", 1)[1] == entry["filename"]
    body = b"".join(client.get(entry["url"]).streaming_content)
    assert hashlib.sha256(body).hexdigest() == entry["hashes"]["sha256"]
