"""Projects, their releases, files and roles, and the caller's tokens."""

from django.urls import path

from api.views import projects, releases, roles, tokens

urlpatterns = [
    path("projects/", projects.ProjectList.as_view(), name="project-list"),
    path("projects/<str:name>/", projects.ProjectDetail.as_view(), name="project-detail"),
    path("projects/<str:name>/releases/", releases.ReleaseList.as_view(), name="release-list"),
    path(
        "projects/<str:name>/releases/<str:version>/",
        releases.ReleaseDetail.as_view(),
        name="release-detail",
    ),
    path(
        "projects/<str:name>/releases/<str:version>/yank/",
        releases.ReleaseYank.as_view(),
        name="release-yank",
    ),
    path("projects/<str:name>/roles/", roles.ProjectRoles.as_view(), name="project-roles"),
    path("tokens/", tokens.TokenList.as_view(), name="token-list"),
    path("tokens/<str:identifier>/", tokens.TokenDetail.as_view(), name="token-detail"),
]
