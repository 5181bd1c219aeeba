"""Administering upstreams (issue 8): upstreams and their health, rules, allowed names, the
cache (look and purge), /healthz."""

import json

import pytest

from audit.models import Event
from storage.store import get_store
from upstream.models import AllowedName, CachedFile, CachedPage, Upstream, UpstreamRule

pytestmark = pytest.mark.django_db

WHEEL = "public_dep-2.0-py3-none-any.whl"


@pytest.fixture
def upstream(fake_pypi, settings):
    settings.PRIVINDEX_UPSTREAM_URL = fake_pypi.url
    return fake_pypi


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_an_upstream_added_in_the_admin_is_used_and_its_password_never_shown(
    admin_client, client, fake_pypi
):
    response = admin_client.post(
        "/admin/upstream/upstream/add/",
        {"name": "mirror", "url": fake_pypi.url.rstrip("/"), "username": "u",
         "password": "s3cret-pw", "priority": "10", "enabled": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    mirror = Upstream.objects.get(name="mirror")
    assert mirror.url.endswith("/simple/")  # the trailing slash is added
    assert mirror.password == "s3cret-pw"
    page = admin_client.get(f"/admin/upstream/upstream/{mirror.pk}/change/")
    assert b"s3cret-pw" not in page.content
    assert client.get("/simple/public-dep/").status_code == 200
    event = Event.objects.get(action="upstream:create")
    assert "s3cret-pw" not in json.dumps(event.data)
    # an empty password field keeps the stored one
    admin_client.post(
        f"/admin/upstream/upstream/{mirror.pk}/change/",
        {"name": "mirror", "url": mirror.url, "username": "u", "password": "",
         "priority": "10", "enabled": "on"},
    )  # fmt: skip
    mirror.refresh_from_db()
    assert mirror.password == "s3cret-pw"


def test_the_environments_upstream_cannot_be_changed_in_the_admin(admin_client, client, upstream):
    client.get("/simple/public-dep/")
    env = Upstream.objects.get(from_environment=True)
    response = admin_client.post(
        f"/admin/upstream/upstream/{env.pk}/change/",
        {"name": "x", "url": "https://evil.example/simple/", "priority": "0"},
    )
    assert response.status_code == 403
    env.refresh_from_db()
    assert env.url == upstream.url


def test_the_changelist_shows_health(admin_client, client, upstream):
    client.get("/simple/public-dep/")
    page = admin_client.get("/admin/upstream/upstream/")
    assert b"ok at" in page.content
    with upstream.down():
        client.get("/simple/never-seen/")
    page = admin_client.get("/admin/upstream/upstream/")
    assert b"failing since" in page.content


def test_a_rule_added_in_the_admin_is_normalized_and_applied(admin_client, client, upstream):
    response = admin_client.post(
        "/admin/upstream/upstreamrule/add/", {"name": "Public_Dep", "kind": "block", "note": ""}
    )
    assert response.status_code == 302
    assert UpstreamRule.objects.get().name == "public-dep"
    assert client.get("/simple/public-dep/").status_code == 404


def test_an_allowed_name_added_in_the_admin_is_recorded(admin_client):
    admin_client.post("/admin/upstream/allowedname/add/", {"name": "Acme.Widgets", "note": "ours"})
    assert AllowedName.objects.get().name == "acme-widgets"
    assert Event.objects.filter(action="upstream:allow-name").exists()


def test_purging_removes_pages_files_and_their_bytes(
    admin_client, client, upstream, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        read(client.get(f"/files/upstream/public-dep/{WHEEL}"))
    row = CachedFile.objects.get()
    assert get_store().exists(row.storage_key)
    listing = admin_client.get("/admin/upstream/cachedpage/")
    assert b"public-dep" in listing.content
    page = CachedPage.objects.get(name="public-dep")
    response = admin_client.post(
        "/admin/upstream/cachedpage/",
        {"action": "purge", "_selected_action": [page.pk]},
    )
    assert response.status_code == 302
    assert not CachedPage.objects.exists() and not CachedFile.objects.exists()
    assert not get_store().exists(row.storage_key)
    assert Event.objects.get(action="upstream:purge").data["files"] == 1
    # fetched again on the next request
    read(client.get(f"/files/upstream/public-dep/{WHEEL}"))
    assert len(upstream.requested("public-dep", kind="file")) == 2


def test_healthz_reports_each_upstream_and_degrades_when_one_fails(client, upstream):
    client.get("/simple/public-dep/")
    health = client.get("/healthz").json()
    assert health["upstreams"] == {"environment": "ok"}
    assert health["status"] == "ok"
    with upstream.down():
        client.get("/simple/never-seen/")
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["upstreams"]["environment"].startswith("error: ")


def test_healthz_without_upstreams_has_no_upstream_key(client, settings):
    settings.PRIVINDEX_UPSTREAM_URL = ""
    assert "upstreams" not in client.get("/healthz").json()


def test_the_upstreamcache_command_lists_and_purges(client, upstream):
    from io import StringIO

    from django.core.management import call_command

    read(client.get(f"/files/upstream/public-dep/{WHEEL}"))
    client.get("/simple/public-app/")
    out = StringIO()
    call_command("upstreamcache", stdout=out)
    assert "environment" in out.getvalue() and "2 page(s), 1 file(s)" in out.getvalue()
    out = StringIO()
    call_command("upstreamcache", "--purge", "Public_Dep", stdout=out)
    assert "Purged 1 page(s) and 1 file(s)." in out.getvalue()
    assert list(CachedPage.objects.values_list("name", flat=True)) == ["public-app"]


def test_credentials_are_never_shown_even_read_only(admin_client, client, fake_pypi, settings):
    settings.PRIVINDEX_UPSTREAM_URL = fake_pypi.url.replace("http://", "http://upuser:up%40secret@")
    assert client.get("/simple/public-dep/").status_code == 200
    env = Upstream.objects.get(from_environment=True)
    assert (env.username, env.password) == ("upuser", "up@secret")
    assert "@" not in env.url.split("//", 1)[1]
    page = admin_client.get(f"/admin/upstream/upstream/{env.pk}/change/")
    assert page.status_code == 200
    assert b"up@secret" not in page.content
    assert b"upuser:" not in page.content


def test_credentials_in_an_admin_url_move_to_their_fields(admin_client, fake_pypi):
    url = fake_pypi.url.replace("http://", "http://muser:mpass@")
    admin_client.post(
        "/admin/upstream/upstream/add/",
        {"name": "m", "url": url, "priority": "5", "enabled": "on"},
    )
    mirror = Upstream.objects.get(name="m")
    assert (mirror.username, mirror.password) == ("muser", "mpass")
    assert "mpass" not in mirror.url
    assert "mpass" not in admin_client.get("/admin/upstream/upstream/").content.decode()
    assert "mpass" not in json.dumps(Event.objects.get(action="upstream:create").data)


def test_a_url_with_a_user_only_keeps_the_stored_password(admin_client, fake_pypi):
    from upstream import services

    mirror = services.upstream_save(
        Upstream(name="m", url=fake_pypi.url, username="u", password="kept"), actor=None
    )
    mirror.url = fake_pypi.url.replace("http://", "http://u2@")
    services.upstream_save(mirror, actor=None)
    mirror.refresh_from_db()
    assert (mirror.username, mirror.password) == ("u2", "kept")


def test_a_url_that_cannot_be_taken_apart_is_a_message_not_a_500(admin_client):
    response = admin_client.post(
        "/admin/upstream/upstream/add/",
        {"name": "bad", "url": "http://u:p@127.0.0.1:99999/simple/", "priority": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert b"Not a valid URL" in response.content
    assert not Upstream.objects.filter(name="bad").exists()
