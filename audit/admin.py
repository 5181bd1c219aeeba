"""The audit trail in the admin: read-only, as a trail must be."""

from django.contrib import admin

from audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created", "action", "actor", "project", "token")
    list_filter = ("action",)
    list_select_related = ("actor", "project", "token")
    search_fields = ("action", "project__normalized_name", "actor__username")
    date_hierarchy = "created"
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
