"""The upstream admin: upstreams and their health, block/allow rules, names a local project may
take although an upstream has them, and the cache (look, purge)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from privindex.admin_support import ServiceErrorsAsMessages
from upstream import services
from upstream.models import AllowedName, CachedFile, CachedPage, Upstream, UpstreamRule


class SavedThroughServices(admin.ModelAdmin):
    """Saves and deletions (one or a selection) go through ``save_service`` and
    ``delete_service``, which record who did it."""

    save_service: Callable[..., Any]
    delete_service: Callable[..., Any]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        type(self).save_service(obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        type(self).delete_service(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            type(self).delete_service(obj, actor=request.user)


class UpstreamForm(forms.ModelForm):
    url = forms.URLField(
        assume_scheme="https",
        max_length=500,
        help_text="The simple index base, e.g. https://pypi.org/simple/",
    )
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Left empty, the stored password is kept.",
    )

    class Meta:
        model = Upstream
        fields = ["name", "url", "username", "password", "priority", "enabled", "curated"]

    def clean_password(self) -> str:
        value = self.cleaned_data.get("password") or ""
        if not value and self.instance.pk is not None:
            return self.instance.password
        return value


@admin.register(Upstream)
class UpstreamAdmin(ServiceErrorsAsMessages, SavedThroughServices):
    form = UpstreamForm
    save_service = services.upstream_save
    delete_service = services.upstream_delete
    service_errors = (services.UpstreamConfigError,)
    list_display = ["name", "url", "priority", "enabled", "curated", "health", "last_error"]
    readonly_fields = ["from_environment", "last_ok_at", "last_error_at", "last_error"]

    @admin.display(description="health")
    def health(self, obj: Upstream) -> str:
        if obj.last_error_at and (obj.last_ok_at is None or obj.last_error_at > obj.last_ok_at):
            return f"failing since {obj.last_error_at:%Y-%m-%d %H:%M}"
        if obj.last_ok_at:
            return f"ok at {obj.last_ok_at:%Y-%m-%d %H:%M}"
        return "not used yet"

    def get_fields(self, request: HttpRequest, obj: Upstream | None = None) -> Any:
        fields = list(super().get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            # A read-only form shows every field as text: never the password.
            fields = [f for f in fields if f != "password"]
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Upstream | None = None) -> bool:
        if obj is not None and obj.from_environment:
            return False  # it follows PRIVINDEX_UPSTREAM_URL
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Upstream | None = None) -> bool:
        if obj is not None and obj.from_environment:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(UpstreamRule)
class UpstreamRuleAdmin(SavedThroughServices):
    list_display = ["name", "kind", "upstream", "note", "created"]
    list_filter = ["kind", "upstream"]
    search_fields = ["name", "note"]
    save_service = services.rule_save
    delete_service = services.rule_delete


@admin.register(AllowedName)
class AllowedNameAdmin(SavedThroughServices):
    list_display = ["name", "note", "created_by", "created"]
    search_fields = ["name", "note"]
    exclude = ["created_by"]
    save_service = services.allowed_name_save
    delete_service = services.allowed_name_delete


@admin.register(CachedPage)
class CachedPageAdmin(admin.ModelAdmin):
    list_display = ["name", "upstream", "found", "shadow", "files", "fetched_at", "checked_at"]
    list_filter = ["upstream", "found", "shadow"]
    search_fields = ["name"]
    actions = ["purge"]
    readonly_fields = [
        "upstream", "name", "found", "shadow", "data", "etag", "last_modified", "fetched_at",
        "checked_at",
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[CachedPage]:
        return super().get_queryset(request).select_related("upstream")

    @admin.display(description="files listed")
    def files(self, obj: CachedPage) -> int:
        return len(obj.data.get("files", [])) if isinstance(obj.data, dict) else 0

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # purging goes through the action (it removes the files too)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if request.user.has_perm("upstream.delete_cachedpage"):
            return actions
        actions.pop("purge", None)
        return actions

    @admin.action(description="Purge the selected pages and their cached files")
    def purge(self, request: HttpRequest, queryset: QuerySet[CachedPage]) -> None:
        pages, files = services.cache_purge_pages(queryset, actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"Purged {pages} page(s) and {files} file(s).", messages.SUCCESS)


@admin.register(CachedFile)
class CachedFileAdmin(admin.ModelAdmin):
    list_display = ["filename", "name", "upstream", "size", "storage_state", "fetched_at"]
    list_filter = ["upstream", "storage_state"]
    search_fields = ["name", "filename", "sha256"]
    readonly_fields = [
        "upstream", "name", "filename", "url", "sha256", "size", "storage_key", "storage_state",
        "fetched_at", "stored_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
