"""Admin for namespace grants (PEP 752).

Every write goes through ``namespaces.services``, so the admin keeps the same rules and leaves
the same events as the commands: the add form through ``namespace_grant`` (the parent, when
left empty, is the root grant the name lies inside), the change form's open and hidden flags
through ``namespace_update``, deletion (revoking) through ``namespace_revoke``, children before
their root. A refusal rolls back the submit and shows as an error message. The name, the owner
and the parent never change after the grant: revoke and grant again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from namespaces import services
from namespaces.models import NamespaceGrant
from privindex.admin_support import ServiceErrorsAsMessages, adopt

if TYPE_CHECKING:
    from django import forms

    _GrantModelAdmin = admin.ModelAdmin[NamespaceGrant]
else:
    _GrantModelAdmin = admin.ModelAdmin

_ADD_FIELDS = ("name", "organization", "user", "parent", "open", "hidden")
_CHANGE_FIELDS = (
    "name",
    "normalized_name",
    "organization",
    "user",
    "parent",
    "open",
    "hidden",
    "created",
    "created_by",
)


@admin.register(NamespaceGrant)
class NamespaceGrantAdmin(ServiceErrorsAsMessages, _GrantModelAdmin):
    service_errors = (services.NamespaceError,)
    list_display = ("name", "normalized_name", "owner", "parent", "open", "hidden", "created")
    list_filter = ("open", "hidden")
    list_select_related = ("organization", "user", "parent")
    search_fields = ("name", "normalized_name", "organization__name", "user__username")
    autocomplete_fields = ("organization", "user")
    actions = ("revoke_with_children",)

    @admin.display(description="owner")
    def owner(self, obj: NamespaceGrant) -> str:
        return obj.owner_label

    def get_fields(self, request: HttpRequest, obj: NamespaceGrant | None = None) -> Any:
        return _ADD_FIELDS if obj is None else _CHANGE_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: NamespaceGrant | None = None) -> Any:
        if obj is None:
            return ()
        return tuple(field for field in _CHANGE_FIELDS if field not in ("open", "hidden"))

    def save_model(
        self, request: HttpRequest, obj: NamespaceGrant, form: forms.ModelForm[Any], change: bool
    ) -> None:
        """A new grant through ``namespace_grant``, a change of its flags through
        ``namespace_update``; nothing is saved directly."""
        actor = request.user if request.user.is_authenticated else None
        if change:
            services.namespace_update(grant=obj, open=obj.open, hidden=obj.hidden, actor=actor)
            return
        grant = services.namespace_grant(
            name=obj.name,
            organization=obj.organization,
            user=obj.user,
            parent=obj.parent,
            open=obj.open,
            hidden=obj.hidden,
            actor=actor,
        )
        adopt(obj, grant)

    def delete_model(self, request: HttpRequest, obj: NamespaceGrant) -> None:
        actor = request.user if request.user.is_authenticated else None
        services.namespace_revoke(grant=obj, actor=actor)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[NamespaceGrant]) -> None:
        # Children first, so that a root selected with all its children goes too; a root
        # whose children are not all selected is refused (and the whole action rolled back).
        actor = request.user if request.user.is_authenticated else None
        for grant in sorted(queryset, key=lambda grant: grant.parent_id is None):
            services.namespace_revoke(grant=grant, actor=actor)

    @admin.action(
        description="Revoke selected namespaces and their children", permissions=["delete"]
    )
    def revoke_with_children(
        self, request: HttpRequest, queryset: QuerySet[NamespaceGrant]
    ) -> None:
        actor = request.user if request.user.is_authenticated else None
        revoked: list[str] = []
        # Children first: a root then takes along only the children that were not selected.
        for grant in sorted(queryset, key=lambda grant: grant.parent_id is None):
            gone = services.namespace_revoke(grant=grant, children=True, actor=actor)
            revoked += [each.normalized_name for each in gone]
        self.message_user(
            request, f"{len(revoked)} namespace(s) revoked: {', '.join(revoked)}.", messages.SUCCESS
        )
