"""A project's settings (namespace ``settings``), mounted at ``project/<str:name>/settings/``:
every view here takes the project's ``name`` from that prefix."""

from django.urls import path

from projects import settings_views as views

app_name = "settings"

urlpatterns = [
    path("", views.settings_index, name="index"),
    path("visibility/", views.visibility, name="visibility"),
    path("collaborators/users/", views.user_role_set, name="user-set"),
    path(
        "collaborators/users/<str:username>/remove/",
        views.user_role_remove,
        name="user-remove",
    ),
    path("collaborators/teams/", views.team_role_set, name="team-set"),
    path(
        "collaborators/teams/<int:team_id>/remove/",
        views.team_role_remove,
        name="team-remove",
    ),
    path("releases/<str:version>/yank/", views.release_yank, name="yank"),
    path("releases/<str:version>/unyank/", views.release_unyank, name="unyank"),
    path("releases/<str:version>/delete/", views.release_delete, name="release-delete"),
    path(
        "releases/<str:version>/files/<str:filename>/delete/",
        views.file_delete,
        name="file-delete",
    ),
    path("delete/", views.project_delete, name="project-delete"),
]
