"""The audit trail's pages (namespace ``audit``, mounted at the site root)."""

from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("project/<str:name>/history/", views.project_history, name="project-history"),
    path("org/<str:name>/audit/", views.organization_log, name="organization-log"),
    path("account/activity/", views.account_activity, name="account-activity"),
]
