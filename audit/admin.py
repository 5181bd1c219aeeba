"""The audit trail in the admin: read-only, as a trail must be."""

from django.contrib import admin

from audit.models import Event
from privindex.admin_support import ReadOnlyAdmin


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("created", "action", "actor", "project", "token")
    list_filter = ("action",)
    list_select_related = ("actor", "project", "token")
    search_fields = ("action", "project__normalized_name", "actor__username")
    date_hierarchy = "created"
    show_full_result_count = False
