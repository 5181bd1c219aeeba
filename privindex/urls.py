from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import security_views
from namespaces import views as namespace_views
from privindex import health
from simple_api import downloads, jsonapi, upload
from upstream import views as upstream_views

urlpatterns = [
    path("simple/", include(("simple_api.urls", "simple"), namespace="simple")),
    # The same index, but every anonymous request is challenged (keyring and prompt flows).
    path("auth/simple/", include(("simple_api.urls", "simple"), namespace="auth-simple")),
    path("files/<str:b1>/<str:b2>/<str:rest>/<str:filename>", downloads.file_download, name="file"),
    # Files of upstream projects, fetched on first request and served from the store after.
    path(
        "files/upstream/<str:name>/<str:filename>",
        upstream_views.file_download,
        name="upstream-file",
    ),
    path("legacy/", upload.upload, name="legacy-upload"),
    path("legacy", upload.missing_slash, name="legacy-upload-noslash"),
    path("pypi/<str:name>/json", jsonapi.project_json, name="pypi-json"),
    path("pypi/<str:name>/<str:version>/json", jsonapi.release_json, name="pypi-release-json"),
    # PEP 752 (JSON API 1.5): outside /simple/, where they could clash with project names.
    path("namespaces", namespace_views.namespace_list, name="namespaces"),
    path("namespace/<str:name>", namespace_views.namespace_detail, name="namespace"),
    path("api/v1/", include(("api.urls", "api"), namespace="api")),
    path("account/", include(("accounts.urls", "accounts"), namespace="accounts")),
    path("account/", include("allauth.urls")),
    # The admin signs in through the account sign-in: its throttling and two-factor stage.
    path("admin/login/", security_views.admin_login, name="admin-login"),
    # The admin's own password page would write the password outside user_password_set.
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="accounts:password-change"),
        name="admin-password-change",
    ),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    # The audit log pages (/project/<name>/history/, /org/<name>/audit/) before the web UI's.
    path("", include(("audit.urls", "audit"), namespace="audit")),
    path("org/", include(("accounts.org_urls", "orgs"), namespace="orgs")),
    path(
        "project/<str:name>/settings/",
        include(("projects.settings_urls", "settings"), namespace="settings"),
    ),
    path("", include(("projects.urls", "web"), namespace="web")),
]

# Errors raised outside our views: styled pages on the web UI, JSON under /api/, plain text
# on the tool surfaces (privindex.errors).
handler400 = "privindex.errors.bad_request"
handler403 = "privindex.errors.permission_denied"
handler404 = "privindex.errors.page_not_found"
handler500 = "privindex.errors.server_error"
