"""The project's current release, as every surface shows it: PyPI's rule, one selector.

The highest version that is not a pre-release, else the highest pre-release; never simply
the newest upload. Both bugs went through real uploads, so the tests do too.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from tests import dists, factories
from tests.simple_api.helpers import basic
from tokens.services import token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(db):
    user = factories.UserFactory(username="releaser")
    return token_issue(user=user, scopes=["upload", "read"], actor=None).secret


def upload(client, token, version, *, summary):
    filename, content = dists.make_wheel("cur-pkg", version)
    fields = dists.upload_fields(filename, content, summary=summary)
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/legacy/", fields, **basic(token))
    assert response.status_code == 200, response.content


def test_web_page_shows_the_highest_version_not_the_newest_upload(client, token):
    upload(client, token, "2.0.0", summary="the two")
    upload(client, token, "1.0.1", summary="a backport")

    page = client.get("/project/cur-pkg/", **basic(token))

    assert page.status_code == 200
    assert page.context["latest"].version == "2.0.0"
    assert b"the two" in page.content
    assert b"a backport" not in page.content.split(b"<h2")[0]


def test_json_api_version_skips_a_newer_pre_release(client, token):
    upload(client, token, "1.0", summary="final")
    upload(client, token, "1.2rc1", summary="candidate")

    info = client.get("/pypi/cur-pkg/json", **basic(token)).json()["info"]

    assert info["version"] == "1.0"
    assert info["summary"] == "final"


def test_json_api_falls_back_to_the_highest_pre_release(client, token):
    upload(client, token, "1.1rc1", summary="first candidate")
    upload(client, token, "1.2b1", summary="beta")

    info = client.get("/pypi/cur-pkg/json", **basic(token)).json()["info"]

    assert info["version"] == "1.2b1"


def test_web_and_json_agree_on_the_current_release(client, token):
    for version in ("3.0rc1", "2.5", "2.10", "1.9"):
        upload(client, token, version, summary=f"v{version}")

    page = client.get("/project/cur-pkg/", **basic(token))
    info = client.get("/pypi/cur-pkg/json", **basic(token)).json()["info"]

    assert page.context["latest"].version == info["version"] == "2.10"
