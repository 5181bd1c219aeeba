"""Proxied project pages: /simple/<name>/ for names with no local project (issue 8).

Against the fake PyPI (tests/upstream_index), a real second process on loopback.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.simple_api.helpers import basic
from upstream.models import CachedPage, Upstream

JSON = "application/vnd.pypi.simple.v1+json"
pytestmark = pytest.mark.django_db


@pytest.fixture
def upstream(fake_pypi, settings):
    settings.PRIVINDEX_UPSTREAM_URL = fake_pypi.url
    settings.PRIVINDEX_UPSTREAM_READ_TIMEOUT = 5
    return fake_pypi


def test_a_name_only_upstream_has_is_served_in_json_with_file_urls_here(client, upstream):
    response = client.get("/simple/public-dep/", HTTP_ACCEPT=JSON)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(JSON)
    assert response["Privindex-Upstream"] == "fetched"
    page = json.loads(response.content)
    assert page["meta"]["api-version"] == "1.5"
    assert page["name"] == "public-dep"
    assert page["namespaces"] is None
    by_name = {f["filename"]: f for f in page["files"]}
    wheel = by_name["public_dep-2.0-py3-none-any.whl"]
    assert wheel["url"] == "/files/upstream/public-dep/public_dep-2.0-py3-none-any.whl"
    assert wheel["hashes"]["sha256"] == upstream.sha256("public_dep-2.0-py3-none-any.whl")
    assert wheel["requires-python"] == ">=3.8"
    assert wheel["core-metadata"] and wheel["core-metadata"] is not True
    assert wheel["size"] == upstream.path("public_dep-2.0-py3-none-any.whl").stat().st_size
    assert "upload-time" in wheel
    assert by_name["public_dep-2.1-py3-none-any.whl"]["yanked"] == "broken build"
    assert "2.0" in page["versions"]


def test_html_keeps_hashes_yanks_requires_python_and_metadata(client, upstream):
    response = client.get("/simple/public-dep/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'content="1.4"' in html
    digest = upstream.sha256("public_dep-2.0-py3-none-any.whl")
    assert (
        f'href="/files/upstream/public-dep/public_dep-2.0-py3-none-any.whl#sha256={digest}"' in html
    )
    assert 'data-requires-python="&gt;=3.8"' in html
    assert 'data-yanked="broken build"' in html
    assert "data-core-metadata=" in html


def test_an_html_only_upstream_is_understood(client, upstream):
    upstream.html_only()
    response = client.get("/simple/public-dep/", HTTP_ACCEPT=JSON)
    page = json.loads(response.content)
    wheel = next(f for f in page["files"] if f["filename"] == "public_dep-2.0-py3-none-any.whl")
    assert wheel["hashes"]["sha256"] == upstream.sha256("public_dep-2.0-py3-none-any.whl")
    assert wheel["requires-python"] == ">=3.8"
    assert wheel["core-metadata"]


@pytest.mark.parametrize("visibility", ["public", "private"])
def test_a_local_name_is_never_answered_from_the_upstream(client, upstream, visibility):
    factories.ProjectFactory(name="acme-secret", visibility=visibility)
    response = client.get("/simple/acme-secret/", HTTP_ACCEPT=JSON)
    if visibility == "public":
        assert response.status_code == 200
        assert json.loads(response.content)["files"] == []  # the local project, no files
    else:
        assert response.status_code == 404
    assert "Privindex-Upstream" not in response
    assert not upstream.requested("acme-secret")


def test_a_private_local_name_answers_the_404_of_an_unknown_name(client, upstream):
    factories.ProjectFactory(name="acme-secret", visibility="private")
    hidden = client.get("/simple/acme-secret/")
    unknown = client.get("/simple/no-such-name-anywhere/")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content
    assert dict(hidden.headers) == dict(unknown.headers)


def test_a_name_no_upstream_has_is_404_and_remembered(client, upstream):
    assert client.get("/simple/nothing-here/").status_code == 404
    assert client.get("/simple/nothing-here/").status_code == 404
    assert len(upstream.requested("nothing-here")) == 1
    assert CachedPage.objects.get(name="nothing-here").found is False


def test_pages_are_cached_for_the_ttl_then_revalidated(client, upstream, settings):
    client.get("/simple/public-dep/")
    second = client.get("/simple/public-dep/")
    assert second["Privindex-Upstream"] == "cached"
    assert len(upstream.requested("public-dep", kind="page")) == 1
    settings.PRIVINDEX_UPSTREAM_TTL = 0
    third = client.get("/simple/public-dep/")
    assert third["Privindex-Upstream"] == "revalidated"  # 304 from the upstream
    log = [r for r in upstream.log() if r["path"].startswith("/simple/public-dep/")]
    assert log[-1]["if-none-match"]  # asked conditionally, with the ETag it had


def test_a_down_upstream_serves_the_cached_page_flagged_stale(client, upstream, settings):
    fresh = client.get("/simple/public-dep/", HTTP_ACCEPT=JSON)
    settings.PRIVINDEX_UPSTREAM_TTL = 0
    with upstream.down():
        stale = client.get("/simple/public-dep/", HTTP_ACCEPT=JSON)
    assert stale.status_code == 200
    assert stale["Privindex-Upstream"] == "stale"
    assert json.loads(stale.content) == json.loads(fresh.content)
    assert Upstream.objects.get(name="environment").last_error


def test_a_never_seen_name_with_the_upstream_down_is_502_never_404(client, upstream):
    with upstream.down():
        response = client.get("/simple/public-app/")
    assert response.status_code == 502
    assert b"upstream" in response.content
    assert not CachedPage.objects.filter(name="public-app").exists()  # failures not cached
    assert client.get("/simple/public-app/").status_code == 200


def test_a_slow_upstream_is_504(client, upstream, settings):
    settings.PRIVINDEX_UPSTREAM_READ_TIMEOUT = 0.5
    upstream.delay(3, "/simple/")
    response = client.get("/simple/public-app/")
    assert response.status_code == 504


def test_an_upstream_error_status_is_502_and_not_cached(client, upstream):
    upstream.fail(500, "/simple/")
    assert client.get("/simple/public-app/").status_code == 502
    upstream.fail(None)
    assert client.get("/simple/public-app/").status_code == 200


def test_no_upstream_configured_answers_404(client, settings, fake_pypi):
    settings.PRIVINDEX_UPSTREAM_URL = ""
    assert client.get("/simple/public-dep/").status_code == 404
    assert not fake_pypi.requested("public-dep")


def test_bad_credentials_are_401_before_any_upstream_request(client, upstream):
    response = client.get("/simple/public-dep/", **basic("pvi_wrong_token"))
    assert response.status_code == 401
    assert not upstream.requested("public-dep")


def test_cached_pages_cost_a_constant_number_of_queries(
    client, upstream, django_assert_max_num_queries
):
    client.get("/simple/public-dep/")
    client.get("/simple/public-app/")
    with django_assert_max_num_queries(6) as first:
        client.get("/simple/public-dep/")
    with django_assert_max_num_queries(6) as second:
        client.get("/simple/public-app/")
    assert len(first.captured_queries) == len(second.captured_queries)


# --- a hidden local name answers as an unknown one would, without asking the upstream -----------


def test_a_hidden_name_fails_like_an_unknown_name_while_the_upstream_is_down(client, upstream):
    factories.ProjectFactory(name="acme-secret", visibility="private")
    client.get("/simple/public-dep/")  # the upstream is known, and was fine
    with upstream.down():
        unknown = client.get("/simple/never-seen-name/")
        hidden = client.get("/simple/acme-secret/")
    assert unknown.status_code == hidden.status_code == 502
    assert unknown.content == hidden.content
    assert not upstream.requested("acme-secret")


def test_a_hidden_name_costs_the_queries_of_an_unknown_name(client, upstream):
    factories.ProjectFactory(name="acme-secret", visibility="private")
    client.get("/simple/never-seen-name/")
    client.get("/simple/acme-secret/")  # leaves a stand-in, as the unknown name left a page
    assert CachedPage.objects.get(name="acme-secret").shadow
    with CaptureQueriesContext(connection) as unknown:
        client.get("/simple/never-seen-name/")
    with CaptureQueriesContext(connection) as hidden:
        client.get("/simple/acme-secret/")
    assert len(unknown.captured_queries) == len(hidden.captured_queries)
    assert not upstream.requested("acme-secret")


def test_a_stand_in_is_never_an_answer(client, upstream):
    project = factories.ProjectFactory(name="acme-secret", visibility="private")
    client.get("/simple/acme-secret/")
    project.delete()  # the name is no longer local: the upstream's, fetched
    response = client.get("/simple/acme-secret/", HTTP_ACCEPT=JSON)
    assert response.status_code == 200
    assert response["Privindex-Upstream"] == "fetched"
    assert not CachedPage.objects.get(name="acme-secret").shadow


@pytest.mark.parametrize("name", ["a" * 201, "-bad-", "x" * 300])
def test_names_no_upstream_could_have_are_404_and_never_sent(client, upstream, name):
    assert client.get(f"/simple/{name}/").status_code == 404
    assert client.get(f"/files/upstream/{name}/{name}-1.0.tar.gz").status_code == 404
    assert upstream.requests() == []


def test_a_hidden_name_the_name_policy_checked_still_fails_like_a_never_seen_one(client, upstream):
    from upstream.proxy import exists_upstream

    factories.ProjectFactory(name="zeta-hidden", visibility="private")
    assert exists_upstream("zeta-hidden") is False  # as at the project's creation
    client.get("/simple/public-dep/")
    with upstream.down():
        unknown = client.get("/simple/never-seen-name/")
        hidden = client.get("/simple/zeta-hidden/")
    assert hidden.status_code == unknown.status_code == 502
    assert hidden.content == unknown.content


def test_an_html_upstream_gets_sizes_once_files_are_kept(client, upstream):
    upstream.html_only()
    wheel = "public_dep-2.0-py3-none-any.whl"
    page = json.loads(client.get("/simple/public-dep/", HTTP_ACCEPT=JSON).content)
    assert "size" not in next(f for f in page["files"] if f["filename"] == wheel)
    b"".join(client.get(f"/files/upstream/public-dep/{wheel}").streaming_content)
    page = json.loads(client.get("/simple/public-dep/", HTTP_ACCEPT=JSON).content)
    entry = next(f for f in page["files"] if f["filename"] == wheel)
    assert entry["size"] == upstream.path(wheel).stat().st_size


def test_an_outbound_proxy_is_used_when_set(client, upstream, settings):
    """The fake answers absolute-form requests too, so it can stand in for the proxy: the
    upstream's host does not even resolve."""
    settings.PRIVINDEX_UPSTREAM_URL = "http://pypi.invalid/simple/"
    settings.PRIVINDEX_UPSTREAM_PROXY = upstream.base
    response = client.get("/simple/public-dep/", HTTP_ACCEPT=JSON)
    assert response.status_code == 200
    assert any(path.startswith("http://pypi.invalid/") for path in upstream.requests())


def test_a_hidden_name_asked_first_in_an_outage_fails_like_a_never_seen_one(client, upstream):
    factories.ProjectFactory(name="acme-secret", visibility="private")
    with upstream.down():
        hidden = client.get("/simple/acme-secret/")
        unknown = client.get("/simple/never-seen-name/")
    assert hidden.status_code == unknown.status_code == 502
    assert hidden.content == unknown.content


def test_one_failing_page_upstream_does_not_tell_a_hidden_name_apart(client, upstream):
    factories.ProjectFactory(name="acme-secret", visibility="private")
    upstream.fail(500, "/simple/broken-one/")
    assert client.get("/simple/broken-one/").status_code == 502
    assert client.get("/simple/acme-secret/").status_code == 404
    assert client.get("/simple/never-seen-name/").status_code == 404


def test_a_hidden_name_costs_one_upstream_round_trip_like_an_unknown_one(client, upstream):
    """The upstream is asked once, about a random decoy, never about the name."""
    factories.ProjectFactory(name="acme-secret", visibility="private")
    upstream.clear_log()
    client.get("/simple/acme-secret/")
    client.get("/simple/acme-secret/")  # within the TTL: no request, as for a cached name
    paths = upstream.requests()
    assert len(paths) == 1 and paths[0].startswith("/simple/privindex-decoy-")
    upstream.clear_log()
    client.get("/simple/never-seen-name/")
    client.get("/simple/never-seen-name/")
    assert upstream.requests() == ["/simple/never-seen-name/"]
