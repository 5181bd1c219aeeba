"""What every admin whose writes go through services shares: a service's refusal shown as a
message (everything the submit wrote rolled back), and an inline formset turned into the rows
before and after the submit, for the admin to diff into service calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

if TYPE_CHECKING:
    # A mixin for ModelAdmin subclasses: type-checked as one, an object at runtime.
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class ServiceErrorsAsMessages(_AdminBase):
    """For a ModelAdmin whose writes go through services: a service's refusal (one of
    ``service_errors``, each with a ``.message`` for the user) rolls back everything the
    submit wrote (main form, inlines, log entry) and redirects back to the page with the
    message, instead of a 500."""

    service_errors: tuple[type[Exception], ...] = ()

    def _refusable(
        self, view: Callable[..., HttpResponse], request: HttpRequest, *args: Any
    ) -> HttpResponse:
        try:
            with transaction.atomic():
                return view(request, *args)
        except self.service_errors as exc:
            self.message_user(request, getattr(exc, "message", str(exc)), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        view = super().changeform_view
        return self._refusable(view, request, object_id, form_url, extra_context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Actions (deletion included) run here, outside any transaction of Django's.
        return self._refusable(super().changelist_view, request, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._refusable(super().delete_view, request, object_id, extra_context)


def formset_rows(formset: BaseInlineFormSet) -> tuple[list[Any], list[Any]]:
    """``(before, after)`` for an inline formset: the rows it showed, as stored now, and the
    rows the submit asks for (unsaved instances holding the submitted values; a new row has
    no pk). Callers diff the two into service calls. Runs ``formset.save(commit=False)``,
    which writes nothing but fills in what the admin's change message lists."""
    formset.save(commit=False)
    deleted, initial = formset.deleted_forms, formset.initial_forms

    def stored(obj: models.Model) -> bool:  # as Django's formset: else deleted meanwhile
        return obj.pk is not None and not obj._state.adding

    shown = [form.instance.pk for form in initial if stored(form.instance)]
    before = list(formset.model._default_manager.filter(pk__in=shown))
    after = [
        form.instance
        for form in formset.forms
        if form not in deleted
        and (stored(form.instance) if form in initial else form.has_changed())
    ]
    return before, after


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved ``obj`` the row a service created, so that inlines, the log
    entry and the redirect refer to it."""
    for field in type(obj)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ReadOnlyAdmin(admin.ModelAdmin):
    """History: viewable by staff, never edited or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def role_rows_diff(
    formset: BaseInlineFormSet, *, holder: str, owner: str | None = None
) -> tuple[list[Any], list[Any]]:
    """``(set, removed)`` for an inline of role rows (a member, a user's or a team's role):
    the submitted rows whose role is new or changed, and the stored rows no longer submitted.
    ``holder`` names the field that says whose role it is (``"user_id"``, ``"team_id"``).
    With ``owner``, new owners come first, so demoting or removing the previous owner in the
    same submit keeps the last-owner invariant."""
    before, after = formset_rows(formset)
    roles = {getattr(row, holder): row.role for row in before}
    wanted = {getattr(row, holder): row for row in after}
    changed = [
        row
        for key, row in wanted.items()
        if roles.get(key) != row.role  # access: diff submitted rows
    ]
    if owner is not None:
        changed.sort(key=lambda row: row.role != owner)  # access: owners first
    removed = [row for row in before if getattr(row, holder) not in wanted]
    return changed, removed
