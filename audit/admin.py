"""The audit trail in the admin: read-only, as a trail must be."""

from django.contrib import admin

from audit.models import AuthFailure, Event
from privindex.admin_support import ReadOnlyAdmin


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = (
        "created",
        "action",
        "actor_name",
        "actor_kind",
        "organization",
        "project",
        "target",
        "ip",
    )
    list_filter = (
        "action",
        "actor_kind",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("organization", admin.RelatedOnlyFieldListFilter),
        ("project", admin.RelatedOnlyFieldListFilter),
        "created",
    )
    list_select_related = ("organization", "project")
    # ``ip`` is searched as text (PostgreSQL: HOST(ip)), so part of an address finds it.
    search_fields = ("actor_name", "target", "ip", "action")
    date_hierarchy = "created"
    show_full_result_count = False


@admin.register(AuthFailure)
class AuthFailureAdmin(ReadOnlyAdmin):
    """Failed token authentications, counted per address, token and hour."""

    list_display = ("window", "ip", "identifier", "count", "last_seen")
    search_fields = ("ip", "identifier")
    date_hierarchy = "window"
    show_full_result_count = False
