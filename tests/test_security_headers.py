"""Security headers (issue 10): a strict Content-Security-Policy (django-csp), Permissions-Policy
(privindex.security), Referrer-Policy, nosniff, framing, HSTS over HTTPS only; and static files
with hashed names and a cache lifetime of forever (whitenoise's manifest storage)."""

import contextlib
import importlib
import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, reverse

from privindex.security import PERMISSIONS_POLICY, allow_remote_images
from tests import factories
from tests.simple_api.helpers import file_with_bytes

JSON = "application/vnd.pypi.simple.v1+json"
POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
}
# What no page may hold under that policy: inline scripts, style elements and attributes,
# event handler attributes, javascript: URLs.
INLINE = re.compile(
    rb"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I
)


MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module", autouse=True)
def collected_static(tmp_path_factory):
    """Static files collected into a directory of this module's own, with the manifest storage
    ({% static %} raises for a file it has not hashed)."""
    root = tmp_path_factory.mktemp("static")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def policy(response, header="Content-Security-Policy"):
    directives = [part.strip().split(None, 1) for part in response[header].split(";")]
    return {name: value for name, value in directives}


def assert_security_headers(response):
    assert policy(response) == POLICY
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def assert_no_inline_code(response):
    found = INLINE.findall(response.content)
    assert not found, f"inline code the policy blocks on {response.wsgi_request.path}: {found}"


def assert_assets_from_this_site(response):
    for url in re.findall(rb'<(?:script|link|img)[^>]*\s(?:src|href)="([^"]+)"', response.content):
        assert url.startswith(b"/"), url
        assert not url.startswith(b"//"), url


# --- the web UI ----------------------------------------------------------------------------


def test_html_page_headers(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_inline_code(response)
    assert_assets_from_this_site(response)


def test_signed_in_pages_carry_no_inline_code(client, owner, private_project):
    client.force_login(owner)
    for path in ("/", f"/project/{private_project.normalized_name}/", "/account/tokens/", "/org/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)
        assert_no_inline_code(response)
        assert_assets_from_this_site(response)


def test_error_pages_carry_the_policy(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_security_headers(response)
    assert_no_inline_code(response)


def test_permissions_policy_denies_devices_and_payments():
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in PERMISSIONS_POLICY
    # The copy buttons write to the clipboard: that stays allowed.
    assert "clipboard" not in PERMISSIONS_POLICY


def test_a_view_setting_its_own_permissions_policy_keeps_it(rf):
    from privindex.security import PermissionsPolicyMiddleware

    own = HttpResponse()
    own["Permissions-Policy"] = "camera=(self)"
    middleware = PermissionsPolicyMiddleware(lambda request: own)
    assert middleware(rf.get("/"))["Permissions-Policy"] == "camera=(self)"


def test_allow_remote_images_adds_https_to_img_src_only():
    from csp.middleware import CSPMiddleware

    request = RequestFactory().get("/project/public-pkg/")
    middleware = CSPMiddleware(lambda request: HttpResponse())
    middleware.process_request(request)
    relaxed = middleware.process_response(request, allow_remote_images(HttpResponse()))
    assert policy(relaxed) == {**POLICY, "img-src": "'self' data: https:"}
    plain = middleware.process_response(request, HttpResponse())
    assert policy(plain) == POLICY


# --- HSTS and TLS --------------------------------------------------------------------------


def test_hsts_only_over_https(client, db):
    assert "Strict-Transport-Security" not in client.get("/")
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_behind_a_tls_proxy(client, db, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/", HTTP_X_FORWARDED_PROTO="http")


def test_ssl_redirect_spares_the_health_check(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/simple/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/simple/"
    assert client.get("/healthz").status_code != 301


SECURE_CSRF = {"CSRF_COOKIE_SECURE": True}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"SECURE_HSTS_SECONDS": 31536000, "SESSION_COOKIE_SECURE": False}),
        ({"PRIVINDEX_HSTS_SECONDS": "0"}, {"SECURE_HSTS_SECONDS": 0}),
        (
            {"PRIVINDEX_HSTS_INCLUDE_SUBDOMAINS": "1", "PRIVINDEX_HSTS_PRELOAD": "1"},
            {"SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True},
        ),
        (
            {"PRIVINDEX_SSL_REDIRECT": "true"},
            {
                "SECURE_SSL_REDIRECT": True,
                "SESSION_COOKIE_SECURE": True,
                "CSRF_COOKIE_SECURE": True,
            },
        ),
        (
            {"PRIVINDEX_BEHIND_TLS_PROXY": "true"},
            {
                "SECURE_SSL_REDIRECT": False,
                "SESSION_COOKIE_SECURE": True,
                "CSRF_COOKIE_SECURE": True,
            },
        ),
    ],
)
def test_tls_settings_from_the_environment(monkeypatch, tmp_path, env, expected):
    import privindex.settings as module

    for name in (
        "PRIVINDEX_HSTS_SECONDS",
        "PRIVINDEX_HSTS_INCLUDE_SUBDOMAINS",
        "PRIVINDEX_HSTS_PRELOAD",
        "PRIVINDEX_SSL_REDIRECT",
        "PRIVINDEX_BEHIND_TLS_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRIVINDEX_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    fresh = importlib.reload(module)
    try:
        for name, value in expected.items():
            assert getattr(fresh, name, False) == value, name
    finally:
        monkeypatch.undo()
        importlib.reload(module)


# --- the tool surfaces still answer as before ----------------------------------------------


def test_simple_json_headers(client, db):
    factories.ProjectFactory(name="open-pkg", visibility="public")
    response = client.get("/simple/open-pkg/", HTTP_ACCEPT=JSON)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(JSON)
    assert response.json()["name"] == "open-pkg"
    assert_security_headers(response)


def test_file_download_is_intact(client, db):
    project = factories.ProjectFactory(name="dlpkg", visibility="public")
    release = factories.ReleaseFactory(project=project, version="1.0")
    payload = bytes(range(256)) * 8
    file = file_with_bytes(release, payload, filename="dlpkg-1.0-py3-none-any.whl")
    response = client.get(f"/files/{file.storage_key}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == payload
    assert response["Content-Type"] == "application/octet-stream"
    assert "Content-Encoding" not in response
    assert_security_headers(response)


# --- the Django admin under the policy -----------------------------------------------------


def test_admin_login_renders_under_the_policy(client, db):
    # The admin signs in through the account sign-in (accounts.security_views.admin_login).
    response = client.get("/admin/login/", follow=True)
    assert response.redirect_chain == [("/account/login/?next=/admin/", 302)]
    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_inline_code(response)
    assert_assets_from_this_site(response)


@pytest.fixture
def superuser_client(client, db):
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_every_admin_list_and_add_page_needs_nothing_the_policy_blocks(
    superuser_client, private_project
):
    """Django 5 admin has no inline script; its one inline <style> (a change list without
    actions) and our own admin code must stay off every page, or the policy needs an exemption."""
    pages = ["/admin/"]
    for model in admin.site._registry:
        opts = model._meta
        for view in ("changelist", "add"):
            with contextlib.suppress(NoReverseMatch):  # a model admin without that view
                pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}"))
    checked = 0
    for page in pages:
        response = superuser_client.get(page)
        if response.status_code != 200:  # an admin without an add page
            assert response.status_code in (302, 403), page
            continue
        checked += 1
        assert_security_headers(response)
        assert_no_inline_code(response)
        assert_assets_from_this_site(response)
    assert checked > len(admin.site._registry)


def test_admin_change_pages_need_nothing_the_policy_blocks(superuser_client, private_project):
    for url in (
        reverse("admin:projects_project_change", args=[private_project.pk]),
        reverse("admin:accounts_user_change", args=[private_project.roles.first().user_id]),
    ):
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        assert_no_inline_code(response)
        assert_assets_from_this_site(response)


# --- static files --------------------------------------------------------------------------


def test_settings_use_the_manifest_storage():
    import privindex.settings as production

    assert production.STORAGES["staticfiles"]["BACKEND"] == MANIFEST


def test_pages_link_hashed_static_files_cached_forever(client, db):
    page = client.get("/")
    (stylesheet,) = re.findall(rb'href="(/static/privindex\.[0-9a-f]{12}\.css)"', page.content)
    response = client.get(stylesheet.decode())
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert b".error-code" in b"".join(response.streaming_content)
    response.close()
    # WhiteNoise answers before the clickjacking middleware: frame-ancestors covers framing.
    assert policy(response) == POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    # The unhashed name still answers, with a short lifetime (a stale page may ask for it).
    unhashed = client.get("/static/privindex.css")
    unhashed.close()
    assert unhashed.status_code == 200
    assert "immutable" not in unhashed["Cache-Control"]


def test_static_files_are_compressed(client, db):
    page = client.get("/")
    (stylesheet,) = re.findall(rb'href="(/static/privindex\.[0-9a-f]{12}\.css)"', page.content)
    response = client.get(stylesheet.decode(), HTTP_ACCEPT_ENCODING="gzip")
    response.close()
    assert response["Content-Encoding"] == "gzip"
