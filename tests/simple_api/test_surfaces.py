"""The DESIGN 4 status table, row by row, through every read surface.

Surfaces: simple HTML, simple JSON, /auth/simple/ pages, file downloads, ``.metadata``, the
PyPI JSON API and the web project page. A 404 for a private name must be byte-identical
(status, body, headers) to the 404 for a name that does not exist (S4.12).
"""

import datetime as dt

import pytest

from tests import factories
from tests.simple_api.helpers import basic, file_url, file_with_bytes
from tokens.services import token_issue, token_revoke

WWW_AUTH = 'Basic realm="privindex"'


@pytest.fixture
def index(db):
    """A public and a private project, each with a wheel (+ METADATA), and their owner."""
    owner = factories.UserFactory(username="pkgowner")
    out = {"owner": owner}
    for vis in ("public", "private"):
        project = factories.ProjectFactory(name=f"{vis}-pkg", visibility=vis)
        factories.ProjectRoleFactory(project=project, user=owner, role="owner")
        release = factories.ReleaseFactory(project=project, version="1.0")
        file = file_with_bytes(
            release,
            f"{vis} wheel bytes".encode(),
            metadata_sha256="ab" * 32,
            filename=f"{vis}_pkg-1.0-py3-none-any.whl",
        )
        factories.CoreMetadataFactory(file=file)
        out[vis] = file
    # A file of an unknown project: same shape of URL, no row.
    out["unknown"] = factories.FileFactory.build(
        filename="ghost_pkg-1.0-py3-none-any.whl", blake2_256="cd" * 32
    )
    return out


def _surfaces(file, name):
    return {
        "simple-html": (f"/simple/{name}/", {"HTTP_ACCEPT": "text/html"}),
        "simple-json": (
            f"/simple/{name}/",
            {"HTTP_ACCEPT": "application/vnd.pypi.simple.v1+json"},
        ),
        "file": (file_url(file), {}),
        "metadata": (file_url(file) + ".metadata", {}),
        "json-api": (f"/pypi/{name}/json", {}),
    }


SURFACES = ["simple-html", "simple-json", "file", "metadata", "json-api"]


def _credentials(kind, index):
    owner = index["owner"]
    if kind == "anonymous":
        return {}
    if kind == "malformed":
        return {"HTTP_AUTHORIZATION": "Basic ***"}
    if kind == "unknown":
        return basic("pvi_aaaaaaaaaaaa_" + "a" * 40)
    if kind == "username-password":
        return basic("hunter2", user="pkgowner")
    if kind == "expired":
        issued = token_issue(user=owner, scopes=["read"], expires_in=dt.timedelta(days=1))
        issued.token.expires = issued.token.created - dt.timedelta(seconds=1)
        issued.token.save()
        return basic(issued.secret)
    if kind == "revoked":
        issued = token_issue(user=owner, scopes=["read"])
        token_revoke(token=issued.token)
        return basic(issued.secret)
    if kind == "no-read-scope":
        return basic(token_issue(user=owner, scopes=["upload", "manage"]).secret)
    if kind == "read":
        return basic(token_issue(user=owner, scopes=["read"]).secret)
    if kind == "read-bearer":
        return {"HTTP_AUTHORIZATION": "Bearer " + token_issue(user=owner, scopes=["read"]).secret}
    if kind == "read-username-only":
        return basic("", user=token_issue(user=owner, scopes=["read"]).secret)
    if kind == "read-other-user":
        return basic(token_issue(user=factories.UserFactory(), scopes=["read"]).secret)
    if kind == "read-restricted-elsewhere":
        elsewhere = factories.ProjectFactory(name="elsewhere")
        factories.ProjectRoleFactory(project=elsewhere, user=owner)
        return basic(token_issue(user=owner, scopes=["read"], projects=[elsewhere]).secret)
    raise AssertionError(kind)


# caller -> (public, private, unknown); "private" is readable only for the owner's read tokens.
TABLE = {
    "anonymous": (200, 404, 404),
    "malformed": (401, 401, 401),
    "unknown": (401, 401, 401),
    "username-password": (401, 401, 401),
    "expired": (401, 401, 401),
    "revoked": (401, 401, 401),
    "no-read-scope": (403, 403, 403),
    "read": (200, 200, 404),
    "read-bearer": (200, 200, 404),
    "read-username-only": (200, 200, 404),
    "read-other-user": (200, 404, 404),
    "read-restricted-elsewhere": (200, 404, 404),
}


def _get(client, url, headers, method="get"):
    response = getattr(client, method)(url, **headers)
    if response.streaming:
        response.content_bytes = b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("caller", list(TABLE))
def test_status_table(client, index, caller, surface):
    headers = _credentials(caller, index)
    expected = dict(zip(("public", "private", "unknown"), TABLE[caller], strict=False))
    for column, status in expected.items():
        file = index[column]
        name = f"{column}-pkg" if column != "unknown" else "ghost-pkg"
        url, extra = _surfaces(file, name)[surface]
        response = _get(client, url, {**headers, **extra})
        assert response.status_code == status, (caller, column, surface, response.content[:200])
        if status == 401:
            assert response["WWW-Authenticate"] == WWW_AUTH  # S4.8
        else:
            assert not response.has_header("WWW-Authenticate")


def _fingerprint(response):
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("date",)}
    body = response.content_bytes if response.streaming else response.content
    return response.status_code, body, headers


@pytest.mark.parametrize("surface", [*SURFACES, "simple-head", "file-head"])
@pytest.mark.parametrize("caller", ["anonymous", "read-other-user", "read-restricted-elsewhere"])
def test_private_404_is_byte_identical_to_unknown_404(client, index, caller, surface):
    headers = _credentials(caller, index)
    method = "head" if surface.endswith("-head") else "get"
    base = {"simple-head": "simple-html", "file-head": "file"}.get(surface, surface)
    private_url, extra = _surfaces(index["private"], "private-pkg")[base]
    unknown_url, _ = _surfaces(index["unknown"], "ghost-pkg")[base]
    private = _get(client, private_url, {**headers, **extra}, method)
    unknown = _get(client, unknown_url, {**headers, **extra}, method)
    assert private.status_code == 404
    assert _fingerprint(private) == _fingerprint(unknown)


def test_existing_file_under_a_wrong_hash_path_is_unknown(client, index):
    file = index["public"]
    url = f"/files/00/00/{'0' * 60}/{file.filename}"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("caller", list(TABLE))
def test_auth_simple_challenges_anonymous_and_otherwise_matches_simple(client, index, caller):
    headers = _credentials(caller, index)
    expected = TABLE[caller]
    if caller == "anonymous":
        expected = (401, 401, 401)
    for column, status in zip(("public", "private", "unknown"), expected, strict=False):
        name = f"{column}-pkg" if column != "unknown" else "ghost-pkg"
        response = client.get(f"/auth/simple/{name}/", **headers)
        assert response.status_code == status, (caller, column)
        if status == 401:
            assert response["WWW-Authenticate"] == WWW_AUTH
    root = client.get("/auth/simple/", **headers)
    assert root.status_code == {200: 200, 401: 401, 403: 403}[expected[0]]


@pytest.mark.parametrize(
    ("caller", "visible"),
    [
        ("anonymous", {"public-pkg"}),
        ("read", {"public-pkg", "private-pkg"}),
        ("read-other-user", {"public-pkg"}),
        ("read-restricted-elsewhere", {"public-pkg"}),
    ],
)
def test_root_index_lists_only_readable_projects(client, index, caller, visible):  # S4.14
    headers = _credentials(caller, index)
    if caller == "read-restricted-elsewhere":
        visible = visible | {"elsewhere"}
    response = client.get("/simple/", HTTP_ACCEPT="application/vnd.pypi.simple.v1+json", **headers)
    assert response.status_code == 200
    names = {p["name"] for p in response.json()["projects"]}
    assert names == visible


@pytest.mark.parametrize("caller", ["malformed", "revoked", "no-read-scope"])
def test_root_index_refuses_bad_or_scope_less_credentials(client, index, caller):
    response = client.get("/simple/", **_credentials(caller, index))
    assert response.status_code == (403 if caller == "no-read-scope" else 401)


def test_redirect_of_unnormalized_name_reveals_nothing(client, index):
    """Any spelling redirects, known or not, private or not: no oracle (S1.4)."""
    for name in ("Private_Pkg", "Ghost_Pkg"):
        response = client.get(f"/simple/{name}/?format=text/html")
        assert response.status_code == 301
        assert response["Location"].endswith(
            f"/simple/{name.lower().replace('_', '-')}/?format=text/html"
        )


def test_bad_credentials_are_refused_before_any_redirect(client, index):  # S4.9
    response = client.get("/simple/Private_Pkg/", HTTP_AUTHORIZATION="Basic ***")
    assert response.status_code == 401


@pytest.mark.parametrize("caller", ["anonymous", "read-other-user", "read-restricted-elsewhere"])
def test_private_and_unknown_names_cost_the_same_queries(
    client, index, caller, django_assert_max_num_queries
):
    """S4.12 asks for similar timing: the work done must not depend on existence."""
    headers = _credentials(caller, index)
    client.get("/simple/", **headers)  # first use of a token writes last_used
    counts = {}
    for name in ("private-pkg", "ghost-pkg"):
        with django_assert_max_num_queries(10) as captured:
            assert client.get(f"/simple/{name}/", **headers).status_code == 404
        counts[name] = len(captured.captured_queries)
    assert counts["private-pkg"] == counts["ghost-pkg"]
