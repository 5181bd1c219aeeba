"""Upstream files and .metadata: fetched once, checked against the page, kept, served (issue 8)."""

import hashlib
import threading

import pytest
from django.db import connection

from storage.staging import staging_path
from storage.store import get_store
from tests import factories
from tests.simple_api.helpers import basic
from upstream import proxy
from upstream.models import CachedFile, CachedPage

WHEEL = "public_dep-2.0-py3-none-any.whl"
URL = f"/files/upstream/public-dep/{WHEEL}"


@pytest.fixture
def upstream(fake_pypi, settings):
    settings.PRIVINDEX_UPSTREAM_URL = fake_pypi.url
    settings.PRIVINDEX_UPSTREAM_READ_TIMEOUT = 5
    return fake_pypi


def body(response) -> bytes:
    """The whole body (the test client closes a streamed response once it is read)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def status(response) -> int:
    body(response)
    return response.status_code


@pytest.mark.django_db
def test_a_file_is_fetched_once_checked_stored_and_served_from_the_store(
    client, upstream, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(URL)
    assert first.status_code == 200
    data = body(first)
    assert hashlib.sha256(data).hexdigest() == upstream.sha256(WHEEL)
    row = CachedFile.objects.get(filename=WHEEL)
    assert row.storage_state == "stored"  # tasks run in-process: stored on commit
    assert get_store().sha256(row.storage_key) == upstream.sha256(WHEEL)
    assert not staging_path(row.storage_key).exists()
    again = client.get(URL)
    assert body(again) == data
    assert len(upstream.requested("public-dep", kind="file")) == 1
    assert first["ETag"] == f'"{upstream.sha256(WHEEL)}"'


@pytest.mark.django_db
def test_cached_files_are_served_while_the_upstream_is_down(client, upstream, settings):
    client.get("/simple/public-dep/")
    data = body(client.get(URL))
    settings.PRIVINDEX_UPSTREAM_TTL = 0
    with upstream.down():
        page = client.get("/simple/public-dep/")
        again = client.get(URL)
    assert page.status_code == 200 and page["Privindex-Upstream"] == "stale"
    assert again.status_code == 200 and body(again) == data


@pytest.mark.django_db
def test_a_tampered_file_is_refused_and_not_kept(client, upstream):
    upstream.tamper(WHEEL)
    response = client.get(URL)
    assert response.status_code == 502
    assert b"sha256 does not match" in response.content
    assert not CachedFile.objects.filter(filename=WHEEL).exists()
    upstream.untamper(WHEEL)
    fixed = client.get(URL)
    assert hashlib.sha256(body(fixed)).hexdigest() == upstream.sha256(WHEEL)


@pytest.mark.django_db
def test_metadata_is_fetched_checked_and_served(client, upstream):
    response = client.get(URL + ".metadata")
    assert response.status_code == 200
    assert b"Name: public-dep" in body(response)
    assert not CachedFile.objects.filter(filename=WHEEL).exists()  # the wheel was not needed


@pytest.mark.django_db
def test_a_file_the_page_does_not_list_is_404(client, upstream):
    missing = "/files/upstream/public-dep/public_dep-9.0-py3-none-any.whl"
    assert client.get(missing).status_code == 404
    assert client.get("/files/upstream/public-dep/not-a-dist.txt").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", ["public", "private"])
def test_a_local_name_never_serves_upstream_files(client, upstream, visibility):
    factories.ProjectFactory(name="acme-secret", visibility=visibility)
    response = client.get("/files/upstream/acme-secret/acme_secret-9.9.9-py3-none-any.whl")
    assert response.status_code == 404
    assert not upstream.requested("acme-secret")


@pytest.mark.django_db
def test_a_blocked_name_stops_being_served_even_from_the_cache(client, upstream):
    from upstream.models import RuleKind, UpstreamRule

    assert status(client.get(URL)) == 200
    UpstreamRule.objects.create(name="public-dep", kind=RuleKind.BLOCK)
    assert client.get(URL).status_code == 404
    assert client.get("/simple/public-dep/").status_code == 404


@pytest.mark.django_db
def test_curated_upstreams_serve_only_allowed_names(client, upstream, settings):
    from upstream.models import RuleKind, UpstreamRule

    settings.PRIVINDEX_UPSTREAM_CURATED = True
    assert client.get("/simple/public-dep/").status_code == 404
    UpstreamRule.objects.create(name="public-dep", kind=RuleKind.ALLOW)
    assert client.get("/simple/public-dep/").status_code == 200


@pytest.mark.django_db
def test_bad_credentials_get_401_and_no_fetch(client, upstream):
    assert client.get(URL, **basic("pvi_nope")).status_code == 401
    assert not upstream.requested("public-dep")


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_fetch_a_file_once(upstream):
    upstream.delay(0.5, "/packages/")
    page = proxy.project_page("public-dep")
    wanted = proxy.wanted_file(page, WHEEL)
    results, errors = [], []

    def fetch():
        try:
            results.append(proxy.file_fetch(wanted).pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert len(upstream.requested("public-dep", kind="file")) == 1
    assert CachedPage.objects.filter(name="public-dep").count() == 1


@pytest.mark.django_db
def test_files_say_whether_they_were_fetched_cached_or_stale(client, upstream, settings):
    states = []
    for _ in range(2):
        response = client.get(URL)
        body(response)
        states.append(response["Privindex-Upstream"])
    assert states == ["fetched", "cached"]
    settings.PRIVINDEX_UPSTREAM_TTL = 0
    with upstream.down():
        stale = client.get(URL)
        body(stale)
    assert stale.status_code == 200 and stale["Privindex-Upstream"] == "stale"


@pytest.mark.django_db
def test_a_kept_file_the_page_no_longer_lists_with_that_hash_is_fetched_again(client, upstream):
    first = body(client.get(URL))
    upstream.add_file("public-dep", WHEEL, first + b"\0")  # other bytes, same name
    CachedPage.objects.all().delete()  # the page is read again; the kept file stays
    again = body(client.get(URL))
    assert hashlib.sha256(again).hexdigest() == upstream.sha256(WHEEL)
    assert again != first
    assert CachedFile.objects.get(filename=WHEEL).sha256 == upstream.sha256(WHEEL)


@pytest.mark.django_db
def test_a_page_that_gives_only_another_hash_is_still_checked_against_the_kept_file(
    client, upstream
):
    """The fake gives sha256; a kept row whose md5 disagrees with the page is not served."""
    body(client.get(URL))
    row = CachedFile.objects.get(filename=WHEEL)
    row.hashes = {**row.hashes, "md5": "0" * 32}  # as if other bytes had been kept
    row.save()
    page = proxy.project_page("public-dep")
    wanted = proxy.wanted_file(page, WHEEL)
    assert not proxy.matches(row, proxy.Wanted(**{**wanted.__dict__, "hashes": {"md5": "1" * 32}}))
    assert proxy.matches(row, wanted)
