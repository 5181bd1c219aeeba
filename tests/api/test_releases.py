"""REST API releases (api.views.releases): list, detail, yank and un-yank (PEP 592)."""

import pytest
from django.urls import reverse

from audit.models import Event
from tests.api.helpers import bearer, detail

PRIVATE, PUBLIC = "secret-pkg", "open-pkg"


def test_release_list_and_detail_show_files(api, owner, releases):
    api.force_login(owner)
    file = releases[PRIVATE].files.get()

    listed = api.get(reverse("api:release-list", args=[PRIVATE])).json()
    detail = api.get(reverse("api:release-detail", args=[PRIVATE, "1.0"])).json()

    assert listed == [detail]
    assert detail["version"] == "1.0"
    assert detail["files"] == [
        {
            "filename": file.filename,
            "url": f"http://testserver/files/{file.storage_key}",
            "size": 1234,
            "sha256": file.sha256,
            "packagetype": "bdist_wheel",
            "upload_time": file.upload_time.isoformat().replace("+00:00", "Z"),
            "yanked": False,
        }
    ]


@pytest.mark.parametrize("spelling", ["1.0", "1", "1.0.0", "v1.0", "1.0.0.0"])
def test_release_detail_accepts_any_pep440_spelling(api, public_project, releases, spelling):
    response = api.get(reverse("api:release-detail", args=[PUBLIC, spelling]))

    assert response.status_code == 200
    assert response.json()["version"] == "1.0"


def test_unknown_release_of_visible_project_is_404(api, public_project):
    response = api.get(reverse("api:release-detail", args=[PUBLIC, "9.9"]))

    assert response.status_code == 404
    assert detail(response) == "Not found."


def _simple_json(client, name):
    response = client.get(f"/simple/{name}/", HTTP_ACCEPT="application/vnd.pypi.simple.v1+json")
    assert response.status_code == 200
    return response.json()


def test_yank_and_unyank_show_on_simple_page(api, client, upload_token, releases):
    # S1.x / PEP 592: the simple JSON page reports the yank and its reason.
    url = reverse("api:release-yank", args=[PUBLIC, "1.0"])

    yanked = api.post(url, {"reason": "broken build"}, format="json", **bearer(upload_token))
    after_yank = _simple_json(client, PUBLIC)
    unyanked = api.delete(url, **bearer(upload_token))
    after_unyank = _simple_json(client, PUBLIC)

    assert yanked.status_code == 200
    assert yanked.json()["yanked"] is True
    assert yanked.json()["yanked_reason"] == "broken build"
    assert [f["yanked"] for f in after_yank["files"]] == ["broken build"]
    assert unyanked.status_code == 200
    assert unyanked.json()["yanked"] is False
    assert [f["yanked"] for f in after_unyank["files"]] == [False]
    assert list(
        Event.objects.filter(action__startswith="release:")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["release:yank", "release:unyank"]


def test_yank_without_reason(api, maintainer, releases):
    api.force_login(maintainer)

    response = api.post(reverse("api:release-yank", args=[PRIVATE, "1.0.0"]))

    assert response.status_code == 200
    assert (response.json()["yanked"], response.json()["yanked_reason"]) == (True, "")
