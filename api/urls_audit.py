"""Audit events of projects and organizations, and namespaces."""

from django.urls import path

from api.views import audit, namespaces

urlpatterns = [
    path("projects/<str:name>/events/", audit.ProjectEvents.as_view(), name="project-events"),
    path("orgs/<str:name>/events/", audit.OrganizationEvents.as_view(), name="org-events"),
    path("namespaces/", namespaces.NamespaceList.as_view(), name="namespace-list"),
    path("namespaces/<str:name>/", namespaces.NamespaceDetail.as_view(), name="namespace-detail"),
]
