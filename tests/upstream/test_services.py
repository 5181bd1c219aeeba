"""Upstream services and tasks: configuration rules, deletion with its cache, the store task."""

import pytest

from audit.models import Event
from storage.staging import staging_path
from upstream import services, tasks
from upstream.models import CachedFile, CachedPage, Upstream

pytestmark = pytest.mark.django_db
WHEEL = "public_dep-2.0-py3-none-any.whl"


@pytest.fixture
def upstream(fake_pypi, settings):
    settings.PRIVINDEX_UPSTREAM_URL = fake_pypi.url
    return fake_pypi


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", ["ftp://mirror.example/simple/", "mirror.example/simple/"])
def test_an_upstream_url_must_be_http(url):
    with pytest.raises(services.UpstreamConfigError, match="must be http"):
        services.upstream_save(Upstream(name="m", url=url), actor=None)
    assert not Upstream.objects.exists()


def test_the_environments_upstream_is_not_changed_or_deleted_by_services(client, upstream):
    client.get("/simple/public-dep/")
    env = Upstream.objects.get(from_environment=True)
    with pytest.raises(services.UpstreamConfigError, match="PRIVINDEX_UPSTREAM_URL"):
        services.upstream_save(env, actor=None)
    with pytest.raises(services.UpstreamConfigError, match="PRIVINDEX_UPSTREAM_URL"):
        services.upstream_delete(env, actor=None)


def test_deleting_an_upstream_purges_what_was_cached_from_it(client, upstream, settings):
    mirror = services.upstream_save(Upstream(name="m", url=upstream.url, priority=5), actor=None)
    settings.PRIVINDEX_UPSTREAM_URL = ""
    read(client.get(f"/files/upstream/public-dep/{WHEEL}"))
    row = CachedFile.objects.get(upstream=mirror)
    services.upstream_delete(mirror, actor=None)
    assert not CachedPage.objects.exists() and not CachedFile.objects.exists()
    assert not staging_path(row.storage_key).exists()
    assert Event.objects.filter(action="upstream:delete").exists()


def test_the_store_task_stores_and_says_so_and_forgets_a_lost_copy(client, upstream):
    read(client.get(f"/files/upstream/public-dep/{WHEEL}"))  # on-commit store not run here
    row = CachedFile.objects.get()
    assert row.storage_state == "staged"
    assert tasks.store_cached_file(row.pk) == "stored"
    assert tasks.store_cached_file(row.pk) == "stored"  # idempotent
    assert tasks.store_cached_file(10**9) == "gone"
    read(client.get(f"/files/upstream/public-dep/{WHEEL}.metadata"))
    meta = CachedFile.objects.get(filename=WHEEL + ".metadata")
    staging_path(meta.storage_key).unlink()
    assert tasks.store_cached_file(meta.pk) == "lost"
    assert not CachedFile.objects.filter(pk=meta.pk).exists()  # the next request fetches again


def test_the_sweeper_queues_files_left_staged(client, upstream, settings):
    settings.PRIVINDEX_STAGED_AGE_SECONDS = -1
    read(client.get(f"/files/upstream/public-dep/{WHEEL}"))
    assert tasks.sweep_cached_files() == 1  # eager: stored at once
    assert CachedFile.objects.get().storage_state == "stored"
