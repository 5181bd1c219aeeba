"""A quarantined project offers no distributions on any surface (S1.42)."""

import pytest

from tests import factories
from tests.simple_api.helpers import file_with_bytes


@pytest.fixture
def quarantined(db):
    owner = factories.UserFactory()
    project = factories.ProjectFactory(name="bad-pkg", visibility="public")
    factories.ProjectRoleFactory(project=project, user=owner)
    release = factories.ReleaseFactory(project=project, version="1.0")
    file = file_with_bytes(
        release, b"malware", filename="bad_pkg-1.0-py3-none-any.whl", metadata_sha256="ab" * 32
    )
    factories.CoreMetadataFactory(file=file)
    project.status = "quarantined"
    project.save()
    return file


def test_file_and_metadata_urls_answer_the_ordinary_404(client, quarantined):  # S1.42
    unknown = client.get("/simple/no-such-thing/")
    for suffix in ("", ".metadata"):
        response = client.get(f"/files/{quarantined.storage_key}{suffix}")
        assert response.status_code == 404
        assert response.content == unknown.content


def test_json_api_lists_no_files(client, quarantined):
    data = client.get("/pypi/bad-pkg/json").json()
    assert data["urls"] == [] and data["releases"] == {"1.0": []}
    assert client.get("/pypi/bad-pkg/1.0/json").json()["urls"] == []


def test_rest_api_lists_no_files(client, quarantined):
    # The REST API's lists are for signed-in callers (issue 11).
    client.force_login(factories.UserFactory())
    files = client.get("/api/v1/projects/bad-pkg/releases/1.0/files/").json()
    assert (files["count"], files["results"]) == (0, [])
    assert client.get("/api/v1/projects/bad-pkg/releases/1.0/").json()["files"] == []
    file = f"/api/v1/projects/bad-pkg/releases/1.0/files/{quarantined.filename}/"
    assert client.get(file).status_code == 404
