"""Web UI routes (namespace ``web``, mounted at the site root)."""

from django.urls import path

from projects import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("project/<str:name>/", views.project_detail, name="project"),
    path("project/<str:name>/visibility/", views.project_visibility, name="project-visibility"),
    path("project/<str:name>/status/", views.project_status, name="project-status"),
    path("project/<str:name>/transfer/", views.project_transfer, name="project-transfer"),
    path(
        "project/<str:name>/release/<str:version>/yank/",
        views.release_yank,
        name="release-yank",
    ),
]
