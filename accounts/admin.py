"""Admin for users, organizations and teams.

Every write goes through ``accounts.services``, so the admin records the same events and keeps
the same invariants as any other caller: the main form through ``save_model`` (and
``delete_model``/``delete_queryset``, for the delete page and the "delete selected" action),
the user's groups and permissions through ``user_permissions_set`` (in ``save_related``), the
user's password page through ``user_password_set``, each inline through ``save_formset``,
which turns the submitted rows into service calls. A service's refusal rolls back the whole
submit and shows as an error message (``ServiceErrorsAsMessages``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters

from accounts import services
from accounts.models import (
    Invitation,
    Organization,
    OrganizationMember,
    OrganizationRole,
    Team,
    TeamMember,
    User,
)
from privindex.admin_support import (
    ServiceErrorsAsMessages,
    adopt,
    formset_rows,
    role_rows_diff,
)


class _UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):  # type: ignore[name-defined]  # no Meta in the stubs
        fields = ("username", "email")
        model = User


class _UserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]  # no Meta in the stubs
        model = User


# The fields of the change form that ``user_update`` writes; the others are read-only, or
# many-to-many (groups, permissions), written by ``user_permissions_set`` in ``save_related``.
_UPDATABLE = frozenset(
    {"email", "first_name", "last_name", "is_active", "is_staff", "is_superuser"}
)


@admin.register(User)
class UserAdmin(ServiceErrorsAsMessages, DjangoUserAdmin):
    service_errors = (services.AccountError,)
    form = _UserChangeForm
    add_form = _UserCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = (
        "username",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    )
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("username", "email", "first_name", "last_name")

    def get_readonly_fields(self, request, obj=None):
        # Events name users by username, so a rename would make the trail point at whoever
        # takes the old name next; the dates are Django's to keep.
        return ("username", "last_login", "date_joined") if obj is not None else ()

    def add_view(self, request, form_url="", extra_context=None):
        # Django's UserAdmin reaches ModelAdmin.changeform_view past the mixin's override.
        return self._refusable(super().add_view, request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """A new user through ``user_create`` (the form has validated the password); a change
        through ``user_update`` with the fields the form changed (the groups and permissions
        the form also holds are saved after, by ``save_related``)."""
        if change:
            changed = [field for field in form.changed_data if field in _UPDATABLE]
            services.user_update(
                user=obj, actor=request.user, **{field: getattr(obj, field) for field in changed}
            )
            return
        data = form.cleaned_data
        user = services.user_create(
            username=obj.username,
            email=obj.email,
            password=data["password1"] if data.get("set_usable_password") else None,
            actor=request.user,
        )
        adopt(obj, user)

    def save_related(self, request, form, formsets, change):
        """The groups and permissions of the change form through ``user_permissions_set``
        (instead of Django's ``form.save_m2m()``); the add form has neither."""
        if change:
            data = form.cleaned_data
            services.user_permissions_set(
                user=form.instance,
                groups=data.get("groups"),  # None (not on the form): left as they are
                permissions=data.get("user_permissions"),
                actor=request.user,
            )
        else:
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request, id, form_url=""):
        """Django's password page, except that a valid submit is written by
        ``user_password_set`` (a refusal shows as a message). The form, 403 and 404, a
        submit's errors and Django's check of a conflicting submit stay Django's."""
        user = self.get_object(request, unquote(id))
        if (
            request.method != "POST"
            or user is None
            or not self.has_change_permission(request, user)
        ):
            return super().user_change_password(request, id, form_url)
        form = self.change_password_form(user, request.POST)
        if not form.is_valid() or not (
            form.cleaned_data["set_usable_password"] or "unset-password" in request.POST
        ):
            return super().user_change_password(request, id, form_url)
        return self._refusable(self._password_set, request, form)

    def _password_set(self, request, form):
        """What Django's password page does after a valid submit, the write done by the service."""
        user, usable = form.user, form.cleaned_data["set_usable_password"]
        services.user_password_set(
            user=user,
            password=form.cleaned_data["password1"] if usable else None,
            actor=request.user,
        )
        self.log_change(request, user, self.construct_change_message(request, form, ()))
        if usable:
            self.message_user(request, gettext("Password changed successfully."))
        else:
            self.message_user(request, gettext("Password-based authentication was disabled."))
        update_session_auth_hash(request, user)  # an administrator changing their own stays in
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:accounts_user_change", args=(user.pk,))
        )

    def get_deleted_objects(self, objs, request):
        """The confirmation page's list of what goes with the users. Their tokens, roles and
        memberships go through ``user_delete``, which decides what may go; the delete
        permission of those rows' own admins (none, for tokens: revoke instead) is not asked."""
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request, obj):
        services.user_delete(user=obj, actor=request.user)

    def delete_queryset(self, request, queryset: QuerySet[User]):
        # A refusal for any of them rolls back all (ServiceErrorsAsMessages).
        for user in queryset.order_by("pk"):
            services.user_delete(user=user, actor=request.user)


def _members_save(formset: BaseInlineFormSet, actor: User) -> None:
    organization = formset.instance
    changed, removed = role_rows_diff(formset, holder="user_id", owner=OrganizationRole.OWNER)
    for member in changed:
        services.organization_member_set(
            organization=organization, user=member.user, role=member.role, actor=actor
        )
    for member in removed:
        services.organization_member_remove(
            organization=organization, user=member.user, actor=actor
        )


def _teams_save(formset: BaseInlineFormSet, actor: User) -> None:
    before, after = formset_rows(formset)
    stored = {team.pk: team for team in before}
    kept = {team.pk for team in after}
    # Deletions first, so a team may take the name of one deleted in the same submit.
    for team in before:
        if team.pk not in kept:
            services.team_delete(team=team, actor=actor)
    for team in after:
        if team.pk is None:
            services.team_create(organization=formset.instance, name=team.name, actor=actor)
        elif stored[team.pk].name != team.name:
            services.team_rename(team=stored[team.pk], name=team.name, actor=actor)


def _team_members_save(formset: BaseInlineFormSet, actor: User) -> None:
    team = formset.instance
    before, after = formset_rows(formset)
    wanted = {membership.user_id: membership.user for membership in after}
    for membership in before:
        if membership.user_id not in wanted:
            services.team_member_remove(team=team, user=membership.user, actor=actor)
    had = {membership.user_id for membership in before}
    for user_id, user in wanted.items():
        if user_id not in had:
            services.team_member_add(team=team, user=user, actor=actor)


_INLINE_SAVES: dict[type[models.Model], Callable[[BaseInlineFormSet, User], None]] = {
    OrganizationMember: _members_save,
    Team: _teams_save,
    TeamMember: _team_members_save,
}


class _ThroughServices(ServiceErrorsAsMessages):
    service_errors = (services.AccountError,)

    def save_formset(self, request, form, formset, change):
        _INLINE_SAVES[formset.model](formset, request.user)


class OrganizationMemberInline(admin.TabularInline):
    model = OrganizationMember
    extra = 0
    autocomplete_fields = ("user",)


class TeamInline(admin.TabularInline):
    """The organization's teams; members are edited on each team's page."""

    model = Team
    extra = 0
    fields = ("name",)
    show_change_link = True


@admin.register(Organization)
class OrganizationAdmin(_ThroughServices, admin.ModelAdmin):
    list_display = ("name", "normalized_name", "default_visibility", "is_active", "created")
    list_filter = ("is_active", "default_visibility")
    search_fields = ("name", "normalized_name")
    readonly_fields = ("normalized_name", "created")
    inlines = (OrganizationMemberInline, TeamInline)

    def get_deleted_objects(self, objs, request):
        """What goes with the organizations: ``organization_delete`` decides (it refuses while
        one owns projects), not the delete permission of each related row's admin."""
        deleted, counts, _perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), []

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Created here with its members in the same submit: it must come out with an owner
        # (a refusal rolls the whole submit back, the organization included).
        services.organization_owner_check(form.instance)

    def delete_model(self, request, obj):
        # Refused (409, shown as a message) while it owns projects: transfer them first.
        services.organization_delete(organization=obj, actor=request.user)

    def delete_queryset(self, request, queryset: QuerySet[Organization]):
        for organization in queryset.order_by("pk"):
            services.organization_delete(organization=organization, actor=request.user)

    def save_model(self, request, obj, form, change):
        if change:
            services.organization_update(
                organization=obj,
                name=obj.name,
                default_visibility=obj.default_visibility,
                is_active=obj.is_active,
                actor=request.user,
            )
            return
        created = services.organization_create(
            name=obj.name, default_visibility=obj.default_visibility, actor=request.user
        )
        if not obj.is_active:
            services.organization_update(organization=created, is_active=False, actor=request.user)
        adopt(obj, created)


@admin.register(Invitation)
class InvitationAdmin(ServiceErrorsAsMessages, admin.ModelAdmin):
    """Invitations are made by organization owners (``/org/<name>/``); here they are seen and
    can be withdrawn."""

    service_errors = (services.AccountError,)
    list_display = (
        "organization",
        "user",
        "email",
        "role",
        "invited_by",
        "created",
        "expires",
        "outcome",
    )
    list_filter = ("outcome", ("organization", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("organization", "user", "invited_by")
    search_fields = ("organization__name", "user__username", "email")
    actions = ("withdraw",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_withdraw_permission(self, request):
        return request.user.has_perm("accounts.change_invitation")

    @admin.action(description="Withdraw selected pending invitations", permissions=["withdraw"])
    def withdraw(self, request, queryset):
        pending = list(queryset.filter(closed__isnull=True))
        for invitation in pending:
            services.invitation_withdraw(invitation=invitation, actor=request.user)
        self.message_user(request, f"{len(pending)} invitation(s) withdrawn.")


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Team)
class TeamAdmin(_ThroughServices, admin.ModelAdmin):
    list_display = ("name", "organization", "member_count")
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("organization",)
    search_fields = ("name", "organization__name")
    autocomplete_fields = ("organization",)
    inlines = (TeamMemberInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("memberships"))

    def get_readonly_fields(self, request, obj=None):
        # Moving a team would carry members and project roles into another organization.
        return ("organization",) if obj is not None else ()

    @admin.display(description="members", ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count

    def save_model(self, request, obj, form, change):
        if change:
            services.team_rename(team=obj, name=obj.name, actor=request.user)
            return
        team = services.team_create(
            organization=obj.organization, name=obj.name, actor=request.user
        )
        adopt(obj, team)

    def delete_model(self, request, obj):
        services.team_delete(team=obj, actor=request.user)

    def delete_queryset(self, request, queryset: QuerySet[Team]):
        for team in queryset.select_related("organization"):
            services.team_delete(team=team, actor=request.user)
