"""Audit events of projects and organizations, and namespaces."""

urlpatterns: list = []
