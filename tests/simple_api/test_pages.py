"""Simple API page content, caching and query budgets (S1.x, DESIGN 8)."""

import json
import re

import pytest

from tests import factories
from tests.simple_api.helpers import basic, file_with_bytes
from tokens.services import token_issue

JSON = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def project(db):
    owner = factories.UserFactory(username="pageowner")
    project = factories.ProjectFactory(name="Page.Pkg", visibility="public")
    factories.ProjectRoleFactory(project=project, user=owner)
    old = factories.ReleaseFactory(project=project, version="1.0", yanked=True, yanked_reason="")
    new = factories.ReleaseFactory(
        project=project, version="2.0.0", yanked=True, yanked_reason='broken <"&> build'
    )
    cur = factories.ReleaseFactory(project=project, version="3.0")
    file_with_bytes(
        old,
        b"old",
        filename="page_pkg-1.0-py3-none-any.whl",
        requires_python=">=3.8,<4",
        metadata_sha256="aa" * 32,
    )
    file_with_bytes(
        new, b"new", filename="page_pkg-2.0.0.tar.gz", packagetype="sdist", python_version="source"
    )
    file_with_bytes(cur, b"cur", filename="page_pkg-3.0-py3-none-any.whl")
    return project


def test_html_detail_page(client, project):
    response = client.get("/simple/page-pkg/")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")  # S1.8
    assert '<meta name="pypi:repository-version" content="1.4">' in html  # S1.9
    assert '<meta name="pypi:project-status" content="active">' in html  # S1.19
    anchors = re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', html)
    assert len(anchors) == 3  # S1.11
    for href, _attrs, text in anchors:
        path, _, fragment = href.partition("#")
        assert path.rsplit("/", 1)[1] == text  # S1.11, S5.1
        assert re.fullmatch(r"sha256=[0-9a-f]{64}", fragment)  # S1.12
    by_name = {text: attrs for _, attrs, text in anchors}
    assert (
        'data-requires-python="&gt;=3.8,&lt;4"' in by_name["page_pkg-1.0-py3-none-any.whl"]
    )  # S1.14
    assert 'data-yanked=""' in by_name["page_pkg-1.0-py3-none-any.whl"]  # S1.15
    assert 'data-yanked="broken &lt;&quot;&amp;&gt; build"' in by_name["page_pkg-2.0.0.tar.gz"]
    assert "data-yanked" not in by_name["page_pkg-3.0-py3-none-any.whl"]
    meta = by_name["page_pkg-1.0-py3-none-any.whl"]
    assert f'data-core-metadata="sha256={"aa" * 32}"' in meta  # S1.16
    assert f'data-dist-info-metadata="sha256={"aa" * 32}"' in meta
    assert "data-core-metadata" not in by_name["page_pkg-3.0-py3-none-any.whl"]


def test_json_detail_page(client, project):
    response = client.get("/simple/page-pkg/", HTTP_ACCEPT=JSON)
    assert response["Content-Type"] == f"{JSON}; charset=utf-8"  # S1.32
    data = json.loads(response.content)
    assert data["meta"] == {"api-version": "1.5"}  # S1.24, S1.40: JSON moves on to 1.5
    assert data["name"] == "page-pkg"  # S1.26 normalized
    assert data["project-status"] == {"status": "active"}  # S1.26 top-level object
    assert set(data["versions"]) == {"1.0", "2.0.0", "3.0"}  # S1.26 PEP 700
    files = {f["filename"]: f for f in data["files"]}
    whl = files["page_pkg-1.0-py3-none-any.whl"]
    assert set(whl["hashes"]) == {"sha256"}  # S1.27
    assert "#" not in whl["url"]  # S5.1
    assert whl["size"] == 3
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", whl["upload-time"])  # S1.27
    assert whl["requires-python"] == ">=3.8,<4"
    assert whl["yanked"] is True  # no reason -> true
    assert whl["core-metadata"] == {"sha256": "aa" * 32}
    assert files["page_pkg-2.0.0.tar.gz"]["yanked"] == 'broken <"&> build'
    assert files["page_pkg-3.0-py3-none-any.whl"]["yanked"] is False
    assert files["page_pkg-3.0-py3-none-any.whl"]["core-metadata"] is False
    assert b"dist-info-metadata" not in response.content  # S1.28
    assert set(data) == {"meta", "name", "project-status", "versions", "files", "namespaces"}
    assert data["namespaces"] is None  # S1.40: in no namespace


def test_json_root_page(client, project):
    data = client.get("/simple/", HTTP_ACCEPT=JSON).json()
    assert data == {"meta": {"api-version": "1.5"}, "projects": [{"name": "Page.Pkg"}]}  # S1.25


def test_html_root_page(client, project):
    html = client.get("/simple/").content.decode()
    assert '<meta name="pypi:repository-version" content="1.4">' in html
    assert '<a href="/simple/page-pkg/">Page.Pkg</a>' in html  # S1.10


def test_status_markers_and_reason(client, project):  # S1.19, S1.26
    project.status, project.status_reason = "deprecated", "use other-pkg"
    project.save()
    html = client.get("/simple/page-pkg/").content.decode()
    assert '<meta name="pypi:project-status" content="deprecated">' in html
    assert '<meta name="pypi:project-status-reason" content="use other-pkg">' in html
    data = client.get("/simple/page-pkg/", HTTP_ACCEPT=JSON).json()
    assert data["project-status"] == {"status": "deprecated", "reason": "use other-pkg"}


def test_quarantined_project_offers_no_files_and_is_not_listed(client, project):  # S1.42
    project.status = "quarantined"
    project.save()
    assert client.get("/simple/page-pkg/", HTTP_ACCEPT=JSON).json()["files"] == []
    assert client.get("/simple/", HTTP_ACCEPT=JSON).json()["projects"] == []


def test_406_for_unacceptable_types(client, project):  # S1.35
    response = client.get("/simple/page-pkg/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406


def test_format_query_parameter(client, project):  # S1.36
    response = client.get("/simple/page-pkg/?format=application/vnd.pypi.simple.latest%2Bjson")
    assert response["Content-Type"].startswith(JSON)


def test_vary_etag_and_304(client, project):  # S1.37, S1.38
    response = client.get("/simple/page-pkg/")
    assert {"Accept", "Authorization"} <= {v.strip() for v in response["Vary"].split(",")}
    assert response["Cache-Control"] == "public, max-age=600"
    etag = response["ETag"]
    again = client.get("/simple/page-pkg/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    other = client.get("/simple/page-pkg/", HTTP_ACCEPT=JSON)
    assert other["ETag"] != etag


def test_private_pages_are_private(client, private_project, read_token):  # DESIGN 8, S5.10
    response = client.get("/simple/secret-pkg/", **basic(read_token))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=600"
    assert "Authorization" in response["Vary"]
    root = client.get("/simple/", **basic(read_token))
    assert root["Cache-Control"].startswith("private")


def test_head_has_get_headers(client, project):  # S1.38, S5.12
    get = client.get("/simple/page-pkg/")
    head = client.head("/simple/page-pkg/")
    assert head.status_code == 200
    assert head["ETag"] == get["ETag"] and head["Content-Type"] == get["Content-Type"]


def test_trailing_slash_redirect(client, project):  # S1.5
    response = client.get("/simple/page-pkg")
    assert response.status_code == 301
    assert response["Location"] == "/simple/page-pkg/"


def _grow(project, releases, files_each, start=0):
    for r in range(start, start + releases):
        release = factories.ReleaseFactory(project=project, version=f"9.{r}")
        for _ in range(files_each):
            factories.FileFactory(release=release)


@pytest.mark.parametrize("accept", ["text/html", JSON])
def test_project_page_query_count_is_constant(client, db, django_assert_max_num_queries, accept):
    """DESIGN 8: queries do not grow with files, releases or roles."""
    owner = factories.UserFactory()
    project = factories.ProjectFactory(name="grow", visibility="private")
    factories.ProjectRoleFactory(project=project, user=owner)
    secret = token_issue(user=owner, scopes=["read"], actor=None).secret
    auth = basic(secret)
    _grow(project, 1, 1)
    client.get("/simple/grow/", **auth)  # first use of the token writes last_used
    with django_assert_max_num_queries(10) as small:
        assert client.get("/simple/grow/", HTTP_ACCEPT=accept, **auth).status_code == 200
    _grow(project, 20, 5, start=1)
    for _ in range(10):
        factories.ProjectRoleFactory(project=project, role="reader")
    with django_assert_max_num_queries(10) as large:
        assert client.get("/simple/grow/", HTTP_ACCEPT=accept, **auth).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_download_query_count_is_constant(client, db, django_assert_max_num_queries):
    owner = factories.UserFactory()
    project = factories.ProjectFactory(name="dl", visibility="private")
    factories.ProjectRoleFactory(project=project, user=owner)
    auth = basic(token_issue(user=owner, scopes=["read"], actor=None).secret)
    release = factories.ReleaseFactory(project=project, version="1.0")
    target = file_with_bytes(release, b"payload", filename="dl-1.0-py3-none-any.whl")

    def fetch():
        response = client.get(f"/files/{target.storage_key}", **auth)
        assert b"".join(response.streaming_content) == b"payload"

    fetch()  # first use writes last_used
    with django_assert_max_num_queries(6) as small:
        fetch()
    _grow(project, 20, 5)
    for _ in range(10):
        factories.ProjectRoleFactory(project=project, role="reader")
    with django_assert_max_num_queries(6) as large:
        fetch()
    assert len(large.captured_queries) == len(small.captured_queries)


def test_root_index_query_count_is_constant(client, db, django_assert_max_num_queries):
    for _ in range(3):
        factories.ProjectFactory(visibility="public")
    with django_assert_max_num_queries(3) as small:
        client.get("/simple/")
    for _ in range(30):
        factories.ProjectFactory(visibility="public")
    with django_assert_max_num_queries(3) as large:
        client.get("/simple/")
    assert len(large.captured_queries) == len(small.captured_queries)
