"""A release's files through the REST API (api.views.files): list, detail, deletion."""

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Event
from projects.models import File, FilenameRegistry, Release
from tests import factories
from tests.api.helpers import detail
from tests.simple_api.helpers import file_with_bytes

PRIVATE = "secret-pkg"
WHEEL = "secret_pkg-1.0-py3-none-any.whl"


@pytest.fixture
def wheel(private_project):
    release = factories.ReleaseFactory(project=private_project, version="1.0")
    return file_with_bytes(release, b"wheel bytes", filename=WHEEL, metadata_sha256="ab" * 32)


def _url(*parts):
    name = "api:file-detail" if len(parts) == 3 else "api:file-list"
    return reverse(name, args=list(parts))


def test_a_reader_lists_and_reads_a_releases_files(api, reader, wheel):
    api.force_login(reader)

    listed = api.get(_url(PRIVATE, "1.0"))
    shown = api.get(_url(PRIVATE, "1.0", WHEEL))

    assert listed.status_code == shown.status_code == 200
    assert listed.json()["count"] == 1
    assert listed.json()["results"] == [shown.json()]
    assert shown.json() == {
        "filename": WHEEL,
        "url": f"http://testserver/files/{wheel.storage_key}",
        "size": len(b"wheel bytes"),
        "hashes": {"sha256": wheel.sha256, "blake2b_256": wheel.blake2_256, "md5": wheel.md5},
        "metadata_sha256": "ab" * 32,
        "packagetype": "bdist_wheel",
        "python_version": wheel.python_version,
        "requires_python": wheel.requires_python,
        "upload_time": wheel.upload_time.isoformat().replace("+00:00", "Z"),
        "yanked": False,
    }


def test_the_download_url_serves_the_bytes(api, client, owner, wheel):
    api.force_login(owner)
    client.force_login(owner)

    url = api.get(_url(PRIVATE, "1.0", WHEEL)).json()["url"]
    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"wheel bytes"


def test_files_are_listed_a_page_at_a_time_in_few_queries(
    api, owner, private_project, django_assert_max_num_queries
):
    release = factories.ReleaseFactory(project=private_project, version="2.0")
    for n in range(2):
        factories.FileFactory(release=release, filename=f"secret_pkg-2.0-py3{n}-none-any.whl")
    api.force_login(owner)
    with CaptureQueriesContext(connection) as few:
        assert api.get(_url(PRIVATE, "2.0")).status_code == 200
    for n in range(2, 9):
        factories.FileFactory(release=release, filename=f"secret_pkg-2.0-py3{n}-none-any.whl")

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = api.get(_url(PRIVATE, "2.0"), {"limit": 3, "offset": 3}).json()

    assert page["count"] == 9
    assert [f["filename"] for f in page["results"]] == [
        f"secret_pkg-2.0-py3{n}-none-any.whl" for n in (3, 4, 5)
    ]


@pytest.mark.parametrize(
    "filename", ["nope.whl", "x" * 5000, "secret_pkg-1.0-py3-none-any.whl.metadata", "é.whl"]
)
def test_an_unknown_or_odd_filename_is_a_404_never_a_500(api, owner, wheel, filename):
    api.force_login(owner)

    for method in ("get", "delete"):
        response = getattr(api, method)(_url(PRIVATE, "1.0", filename))
        assert response.status_code == 404
        assert detail(response) == "Not found."


def test_a_file_of_another_release_is_not_found_under_this_one(api, owner, wheel):
    factories.ReleaseFactory(project=wheel.release.project, version="2.0")
    api.force_login(owner)

    assert api.get(_url(PRIVATE, "2.0", WHEEL)).status_code == 404


def test_owner_deletes_a_file_the_release_stays_and_the_filename_stays_reserved(
    api, owner, wheel, settings
):
    api.force_login(owner)
    stored = settings.PRIVINDEX_FILES_DIR / wheel.storage_key

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.delete(_url(PRIVATE, "1.0", WHEEL))

    assert response.status_code == 204
    assert not File.objects.exists()
    assert Release.objects.filter(version="1.0").exists()
    assert FilenameRegistry.objects.filter(filename=WHEEL).exists()  # S3.15
    assert not stored.exists()
    assert Event.objects.get(action="file:delete").data["filename"] == WHEEL


@pytest.mark.parametrize("who", ["maintainer", "reader"])
def test_who_may_not_manage_may_not_delete_a_file(cast, api, wheel, who):
    cast.sign_in(api, who)

    response = api.delete(_url(PRIVATE, "1.0", WHEEL))

    assert response.status_code == 403
    assert File.objects.exists()


def test_a_quarantined_projects_files_are_not_offered_but_can_be_deleted(api, owner, wheel):
    project = wheel.release.project
    project.status = "quarantined"
    project.save(update_fields=["status"])
    api.force_login(owner)

    listed = api.get(_url(PRIVATE, "1.0"))
    shown = api.get(_url(PRIVATE, "1.0", WHEEL))
    deleted = api.delete(_url(PRIVATE, "1.0", WHEEL))

    assert listed.json()["results"] == []  # S1.42
    assert shown.status_code == 404
    assert deleted.status_code == 204
    assert not File.objects.exists()
