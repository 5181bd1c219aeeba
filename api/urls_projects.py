"""Projects, their releases, files and roles, and the caller's tokens.

A project is named by its name (any spelling), a release by its version (any PEP 440
spelling), a file by its filename, a user by their username, a team by its id (team names
are free text).
"""

from django.urls import path

from api.views import files, projects, releases, roles, tokens

PROJECT = "projects/<str:name>/"
RELEASE = f"{PROJECT}releases/<str:version>/"

urlpatterns = [
    path("projects/", projects.ProjectList.as_view(), name="project-list"),
    path(PROJECT, projects.ProjectDetail.as_view(), name="project-detail"),
    path(f"{PROJECT}transfer/", projects.ProjectTransfer.as_view(), name="project-transfer"),
    path(f"{PROJECT}releases/", releases.ReleaseList.as_view(), name="release-list"),
    path(RELEASE, releases.ReleaseDetail.as_view(), name="release-detail"),
    path(f"{RELEASE}yank/", releases.ReleaseYank.as_view(), name="release-yank"),
    path(f"{RELEASE}files/", files.FileList.as_view(), name="file-list"),
    path(f"{RELEASE}files/<str:filename>/", files.FileDetail.as_view(), name="file-detail"),
    path(f"{PROJECT}roles/users/", roles.UserRoleList.as_view(), name="project-user-roles"),
    path(
        f"{PROJECT}roles/users/<str:username>/",
        roles.UserRoleDetail.as_view(),
        name="project-user-role",
    ),
    path(f"{PROJECT}roles/teams/", roles.TeamRoleList.as_view(), name="project-team-roles"),
    path(
        f"{PROJECT}roles/teams/<int:team_id>/",
        roles.TeamRoleDetail.as_view(),
        name="project-team-role",
    ),
    path("tokens/", tokens.TokenList.as_view(), name="token-list"),
    path("tokens/<str:identifier>/", tokens.TokenDetail.as_view(), name="token-detail"),
]
