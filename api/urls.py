"""REST API routes, mounted at /api/v1/ (namespace ``api``): one module of routes per area,
and the schema with its docs page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import urls_audit, urls_orgs, urls_projects

urlpatterns = [
    *urls_projects.urlpatterns,
    *urls_orgs.urlpatterns,
    *urls_audit.urlpatterns,
    # OpenAPI 3.1 (drf-spectacular), and Swagger UI from this site's static files (the
    # sidecar package): no CDN; its setup script is a separate file, so the CSP holds.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
