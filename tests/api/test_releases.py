"""REST API releases (api.views.releases): list, detail, deletion, yank and un-yank (PEP 592)."""

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Event
from projects.models import FilenameRegistry, Release
from tests import factories
from tests.api.helpers import bearer, detail

PRIVATE, PUBLIC = "secret-pkg", "open-pkg"


def _file_body(file):
    return {
        "filename": file.filename,
        "url": f"http://testserver/files/{file.storage_key}",
        "size": 1234,
        "hashes": {"sha256": file.sha256, "blake2b_256": file.blake2_256, "md5": file.md5},
        "metadata_sha256": file.metadata_sha256,
        "packagetype": "bdist_wheel",
        "python_version": file.python_version,
        "requires_python": file.requires_python,
        "upload_time": file.upload_time.isoformat().replace("+00:00", "Z"),
        "yanked": False,
    }


def test_release_list_is_a_page_of_summaries_and_the_detail_has_files(api, owner, releases):
    api.force_login(owner)
    file = releases[PRIVATE].files.get()

    listed = api.get(reverse("api:release-list", args=[PRIVATE])).json()
    shown = api.get(reverse("api:release-detail", args=[PRIVATE, "1.0"])).json()

    base = "http://testserver/api/v1/projects/secret-pkg/releases/1.0/"
    summary = {
        "version": "1.0",
        "yanked": False,
        "yanked_reason": "",
        "requires_python": "",
        "summary": releases[PRIVATE].summary,
        "created": releases[PRIVATE].created.isoformat().replace("+00:00", "Z"),
        "url": base,
        "files_url": f"{base}files/",
    }
    assert listed == {"count": 1, "next": None, "previous": None, "results": [summary]}
    assert shown == {**summary, "files": [_file_body(file)]}


def test_release_list_pages_newest_first(api, owner, public_project):
    for n in range(5):
        factories.ReleaseFactory(project=public_project, version=f"0.{n}")
    api.force_login(owner)

    page = api.get(reverse("api:release-list", args=[PUBLIC]), {"limit": 2, "offset": 1}).json()

    assert page["count"] == 5
    assert [r["version"] for r in page["results"]] == ["0.3", "0.2"]
    assert page["next"] and page["previous"]


def test_release_list_refuses_unknown_parameters(api, owner, public_project):
    api.force_login(owner)

    response = api.get(reverse("api:release-list", args=[PUBLIC]), {"order": "oldest"})

    assert response.status_code == 400
    assert detail(response) == "order: Unknown field."


def test_release_list_query_count_does_not_grow(
    api, owner, public_project, django_assert_max_num_queries
):
    api.force_login(owner)
    for _ in range(3):
        factories.FileFactory(release=factories.ReleaseFactory(project=public_project))
    url = reverse("api:release-list", args=[PUBLIC])
    with CaptureQueriesContext(connection) as few:
        assert api.get(url).status_code == 200
    for _ in range(30):
        factories.FileFactory(release=factories.ReleaseFactory(project=public_project))

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(url).json()["count"] == 33


@pytest.mark.parametrize("spelling", ["1.0", "1", "1.0.0", "v1.0", "1.0.0.0"])
def test_release_detail_accepts_any_pep440_spelling(api, public_project, releases, spelling):
    response = api.get(reverse("api:release-detail", args=[PUBLIC, spelling]))

    assert response.status_code == 200
    assert response.json()["version"] == "1.0"


@pytest.mark.parametrize(
    "version", ["9.9", "not a version", "9" * 5000, "1.0\u00e9", "1." * 60, "%2e%2e"]
)
def test_an_odd_or_unknown_version_is_a_404_never_a_500(api, owner, public_project, version):
    api.force_login(owner)
    url = f"/api/v1/projects/{PUBLIC}/releases/{version}/"

    for method in ("get", "delete"):
        response = getattr(api, method)(url)
        assert response.status_code == 404, (method, response.content[:200])
        assert detail(response) == "Not found."
    yank = api.post(f"{url}yank/", {"reason": "x"}, format="json")
    assert yank.status_code == 404


def _simple_json(client, name):
    response = client.get(f"/simple/{name}/", HTTP_ACCEPT="application/vnd.pypi.simple.v1+json")
    assert response.status_code == 200
    return response.json()


def test_yank_and_unyank_show_on_simple_page(api, client, upload_token, releases):
    # S1.x / PEP 592: the simple JSON page reports the yank and its reason.
    url = reverse("api:release-yank", args=[PUBLIC, "1.0"])

    yanked = api.post(url, {"reason": "broken build"}, format="json", **bearer(upload_token))
    after_yank = _simple_json(client, PUBLIC)
    unyanked = api.delete(f"{url}?reason=fixed", **bearer(upload_token))
    after_unyank = _simple_json(client, PUBLIC)

    assert yanked.status_code == 200
    assert yanked.json() == {"version": "1.0", "yanked": True, "yanked_reason": "broken build"}
    assert [f["yanked"] for f in after_yank["files"]] == ["broken build"]
    assert unyanked.status_code == 200
    assert unyanked.json() == {"version": "1.0", "yanked": False, "yanked_reason": ""}
    assert [f["yanked"] for f in after_unyank["files"]] == [False]
    events = Event.objects.filter(action__startswith="release:").order_by("id")
    assert [(e.action, e.data["reason"]) for e in events] == [
        ("release:yank", "broken build"),
        ("release:unyank", "fixed"),
    ]


def test_yank_without_reason(api, maintainer, releases):
    api.force_login(maintainer)

    response = api.post(reverse("api:release-yank", args=[PRIVATE, "1.0.0"]))

    assert response.status_code == 200
    assert (response.json()["yanked"], response.json()["yanked_reason"]) == (True, "")


def test_yanking_a_yanked_release_changes_its_reason(api, maintainer, releases):
    api.force_login(maintainer)
    url = reverse("api:release-yank", args=[PRIVATE, "1.0"])
    api.post(url, {"reason": "first"}, format="json")

    again = api.post(url, {"reason": "second"}, format="json")

    assert again.json()["yanked_reason"] == "second"


def test_unyanking_a_release_that_is_not_yanked_is_409(api, maintainer, releases):
    api.force_login(maintainer)

    response = api.delete(reverse("api:release-yank", args=[PRIVATE, "1.0"]))

    assert response.status_code == 409
    assert detail(response) == "Secret-Pkg 1.0 is not yanked."
    assert not Event.objects.filter(action="release:unyank").exists()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda api, url: api.post(url, {"reason": "x" * 1001}, format="json"),
         "reason: Ensure this field has no more than 1000 characters."),
        (lambda api, url: api.post(url, {"why": "x"}, format="json"), "why: Unknown field."),
        (lambda api, url: api.delete(f"{url}?why=x"), "why: Unknown field."),
        (lambda api, url: api.delete(url, {"reason": "x"}, format="json"),
         "A DELETE has no body: give the reason as ?reason=."),
    ],
)  # fmt: skip
def test_bad_yank_input_is_400_and_changes_nothing(api, maintainer, releases, call, message):
    api.force_login(maintainer)
    release = releases[PRIVATE]
    release.yanked = True
    release.save(update_fields=["yanked"])

    response = call(api, reverse("api:release-yank", args=[PRIVATE, "1.0"]))

    assert response.status_code == 400
    assert detail(response) == message
    release.refresh_from_db()
    assert release.yanked and release.yanked_reason == ""


def test_owner_deletes_a_release_and_its_files(api, owner, releases):
    api.force_login(owner)
    filename = releases[PRIVATE].files.get().filename

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.delete(reverse("api:release-detail", args=[PRIVATE, "1.0.0"]))

    assert response.status_code == 204
    assert not Release.objects.filter(project__normalized_name=PRIVATE).exists()
    assert FilenameRegistry.objects.filter(filename=filename).exists()
    event = Event.objects.get(action="release:delete")
    assert event.data["version"] == "1.0" and event.data["files"][0]["filename"] == filename
    assert api.get(reverse("api:release-detail", args=[PRIVATE, "1.0"])).status_code == 404


def test_a_maintainer_yanks_but_may_not_delete(api, maintainer, releases):
    api.force_login(maintainer)

    response = api.delete(reverse("api:release-detail", args=[PRIVATE, "1.0"]))

    assert response.status_code == 403
    assert Release.objects.filter(project__normalized_name=PRIVATE).exists()


def test_a_quarantined_project_offers_no_files(api, owner, releases, private_project):
    private_project.status = "quarantined"
    private_project.save(update_fields=["status"])
    api.force_login(owner)

    shown = api.get(reverse("api:release-detail", args=[PRIVATE, "1.0"]))

    assert shown.status_code == 200
    assert shown.json()["files"] == []  # S1.42
