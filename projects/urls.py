"""Web UI routes (namespace ``web``, mounted at the site root)."""

from django.urls import path, re_path

from projects import dashboard_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("project/<str:name>/", views.project_detail, name="project"),
    path("project/<str:name>/status/", views.project_status, name="project-status"),
    path("project/<str:name>/transfer/", views.project_transfer, name="project-transfer"),
    # A version begins with a digit (or "v" and a digit, or an epoch), so no word a page of the
    # project takes (history/, visibility/, settings/...) is ever read as one.
    re_path(
        r"^project/(?P<name>[^/]+)/(?P<version>[vV]?[0-9][^/]*)/$",
        views.release_detail,
        name="release",
    ),
]
