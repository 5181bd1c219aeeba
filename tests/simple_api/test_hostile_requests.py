"""Odd and hostile requests get clear 4xx answers, never a 500 (review findings)."""

import pytest

from projects.models import File
from tests import dists, factories
from tests.simple_api.helpers import basic, file_with_bytes
from tokens.services import token_issue


@pytest.fixture
def public_file(db):
    project = factories.ProjectFactory(name="open-pkg", visibility="public")
    release = factories.ReleaseFactory(project=project, version="1.0")
    return file_with_bytes(release, b"x" * 100, filename="open_pkg-1.0-py3-none-any.whl")


@pytest.mark.parametrize(
    "url",
    [
        "/simple/%00/",
        "/simple/a%00b/",
        "/pypi/%00/json",
        "/project/%00/",
        "/api/v1/projects/%00/",
        "/files/aa/bb/cc/%00",
        "/pypi/open-pkg/%00/json",
    ],
)
def test_nul_in_a_path_is_the_ordinary_404(client, public_file, url):
    response = client.get(url)
    assert response.status_code == 404
    # The API's own 404 under /api/ and the JSON API's under /pypi/ (RFC 9457 problems), the
    # tools' elsewhere.
    if url.startswith("/api/"):
        ordinary = "/api/v1/projects/no-such-name/"
    elif url.startswith("/pypi/"):
        ordinary = "/pypi/no-such-name/json"
    else:
        ordinary = "/simple/x/"
    assert response.content == client.get(ordinary).content


@pytest.mark.parametrize("url", ["/api/v1/projects/?q=%00", "/?q=%00", "/simple/?format=%00"])
def test_nul_in_a_query_is_a_400(client, public_file, url):
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("header", ["Basic ééé", "Basic Zm9vé", "Bearer é", "Basic \x80\x81"])
def test_non_ascii_authorization_is_401_not_500(client, public_file, header):
    response = client.get("/simple/open-pkg/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


def test_absurd_range_is_ignored_not_500(client, public_file):  # S5.6
    response = client.get(
        f"/files/{public_file.storage_key}", HTTP_RANGE="bytes=" + "9" * 5000 + "-"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"x" * 100


def test_auth_simple_challenges_before_redirecting(client, db):  # DESIGN 4: 401, not 301
    response = client.get("/auth/simple/Secret_Pkg/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


def test_scope_less_token_gets_403_before_redirecting(client, db):  # S4.11
    token = token_issue(user=factories.UserFactory(), scopes=["upload"], actor=None).secret
    assert client.get("/simple/Any_Name/", **basic(token)).status_code == 403


def test_redirect_location_is_encoded(client, db):
    response = client.get("/simple/Foo%3Fbar/")
    assert response.status_code == 301
    assert response["Location"] == "/simple/foo%3Fbar/"


def test_oversized_file_sent_before_the_other_fields_is_refused(client, db, settings):
    """S2.1: no dependence on field order; a discarded upload is never answered 200."""
    from tests.simple_api.test_upload import raw_multipart

    settings.PRIVINDEX_MAX_FILE_SIZE = 100
    token = token_issue(user=factories.UserFactory(), scopes=["upload"], actor=None).secret
    filename, content = dists.make_wheel("order-pkg", "1.0")
    fields = dists.upload_fields(filename, content)
    body, content_type = raw_multipart(fields, filename, content)
    # move the file part first
    boundary = content_type.split("boundary=")[1]
    parts = body.split(f"--{boundary}".encode())
    file_part = next(p for p in parts if b'name="content"' in p)
    others = [p for p in parts if p and p != file_part and not p.startswith(b"--")]
    reordered = b"".join(f"--{boundary}".encode() + p for p in [file_part, *others])
    reordered += f"--{boundary}--\r\n".encode()
    response = client.post("/legacy/", reordered, content_type=content_type, **basic(token))
    assert response.status_code == 400
    assert "File too large" in response.reason_phrase
    assert not File.objects.exists()


@pytest.mark.parametrize(
    ("name", "version", "message"),
    [
        ("n" * 231, "1.0", "'name' is too long"),
        ("long-version", "1." + "0" * 140, "'version' is too long"),
    ],
)
def test_over_long_fields_are_a_400_not_a_500(client, db, settings, name, version, message):
    from tests.simple_api.test_upload import post, snapshot

    token = token_issue(user=factories.UserFactory(), scopes=["upload"], actor=None).secret
    before = snapshot(settings)
    response = post(client, *dists.make_wheel(name, version), token)
    assert response.status_code == 400
    assert message in response.reason_phrase
    assert snapshot(settings) == before
