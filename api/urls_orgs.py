"""Organizations, their members, invitations, teams and tokens."""

from django.urls import path

from api.views import orgs

urlpatterns = [
    path("orgs/", orgs.OrgList.as_view(), name="org-list"),
    path("orgs/<str:name>/", orgs.OrgDetail.as_view(), name="org-detail"),
    path("orgs/<str:name>/tokens/", orgs.OrgTokenList.as_view(), name="org-token-list"),
    path(
        "orgs/<str:name>/tokens/<str:identifier>/",
        orgs.OrgTokenDetail.as_view(),
        name="org-token-detail",
    ),
]
