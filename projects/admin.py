"""Admin for projects, releases, files and the audit trail.

Every change goes through ``projects.services`` and so leaves its event: a project's visibility,
status and size limits, yanking, user and team roles. The rest (a project's name and
organization, releases, files, events) is read-only here; projects, releases and files are
deleted through ``projects.services.deletion`` (filenames stay reserved). A service's refusal
rolls back the submit and shows as an error message.
"""

from django.contrib import admin, messages

from access import readable_by_anyone
from accounts.models import User, Visibility
from privindex.admin_support import ReadOnlyAdmin, ServiceErrorsAsMessages, role_rows_diff
from projects import services
from projects.models import File, Project, ProjectRole, ProjectRoleName, Release, TeamProjectRole


class ProjectRoleInline(admin.TabularInline):
    model = ProjectRole
    extra = 0
    autocomplete_fields = ("user",)


class TeamProjectRoleInline(admin.TabularInline):
    model = TeamProjectRole
    extra = 0
    autocomplete_fields = ("team",)


def _roles_save(formset, actor: User) -> None:
    project = formset.instance
    changed, removed = role_rows_diff(formset, holder="user_id", owner=ProjectRoleName.OWNER)
    for role in changed:
        services.project_role_set(project=project, user=role.user, role=role.role, actor=actor)
    for role in removed:
        services.project_role_remove(project=project, user=role.user, actor=actor)


def _team_roles_save(formset, actor: User) -> None:
    project = formset.instance
    changed, removed = role_rows_diff(formset, holder="team_id")
    for role in changed:
        services.team_project_role_set(project=project, team=role.team, role=role.role, actor=actor)
    for role in removed:
        services.team_project_role_remove(project=project, team=role.team, actor=actor)


# The project fields the change form edits, each written by a service in ``save_model``.
_EDITABLE = ("visibility", "status", "status_reason", "upload_limit", "total_size_limit")


@admin.register(Project)
class ProjectAdmin(ServiceErrorsAsMessages, admin.ModelAdmin):
    list_display = ("name", "visibility", "organization", "status", "created")
    list_filter = ("visibility", "status")
    list_select_related = ("organization",)
    search_fields = ("name", "normalized_name")
    fields = (
        "name",
        "normalized_name",
        "organization",
        "visibility",
        "status",
        "status_reason",
        "upload_limit",
        "total_size_limit",
        "created",
    )
    # Renaming a project has no service; moving it is ``project_transfer`` (the web form on
    # its page, ``manage.py transferproject``), which asks the owners of both sides.
    readonly_fields = ("name", "normalized_name", "organization", "created")
    inlines = (ProjectRoleInline, TeamProjectRoleInline)
    actions = ("make_public", "make_private")
    service_errors = (services.ServiceError,)

    def has_add_permission(self, request):
        return False  # projects are created by their first upload or through the API

    def get_deleted_objects(self, objs, request):
        return _deleted_through_service(self, objs, request)

    def delete_model(self, request, obj):
        services.project_delete(project=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for project in queryset.order_by("pk"):
            services.project_delete(project=project, actor=request.user)

    def save_model(self, request, obj, form, change):
        """Every editable field through its service (audited); nothing is saved directly. The
        form has written the submitted values into ``obj``: the services get it back as stored,
        so that they see what changes."""
        wanted = {field: getattr(obj, field) for field in _EDITABLE}
        stored = Project.objects.get(pk=obj.pk)
        for field in wanted:
            setattr(obj, field, getattr(stored, field))
        changed = set(form.changed_data)
        if "visibility" in changed:
            services.project_visibility_set(
                project=obj, visibility=wanted["visibility"], actor=request.user
            )
        if {"status", "status_reason"} & changed:
            # The service decides what the reason means (none for an active project).
            services.project_status_set(
                project=obj,
                status=wanted["status"],
                reason=wanted["status_reason"],
                actor=request.user,
            )
        if {"upload_limit", "total_size_limit"} & changed:
            services.project_limits_set(
                project=obj,
                upload_limit=wanted["upload_limit"],
                total_size_limit=wanted["total_size_limit"],
                actor=request.user,
            )

    def save_formset(self, request, form, formset, change):
        save = {ProjectRole: _roles_save, TeamProjectRole: _team_roles_save}[formset.model]
        save(formset, request.user)

    def _set_visibility(self, request, queryset, visibility):
        changed = 0
        for project in queryset:
            # Public means readable by anyone: ask access rather than compare the field.
            if readable_by_anyone(project) != (visibility == Visibility.PUBLIC):
                services.project_visibility_set(
                    project=project, visibility=visibility, actor=request.user
                )
                changed += 1
        self.message_user(request, f"{changed} project(s) made {visibility}.", messages.SUCCESS)

    @admin.action(description="Make selected projects public", permissions=["change"])
    def make_public(self, request, queryset):
        self._set_visibility(request, queryset, "public")

    @admin.action(description="Make selected projects private", permissions=["change"])
    def make_private(self, request, queryset):
        self._set_visibility(request, queryset, "private")


class FileInline(admin.TabularInline):
    model = File
    fields = ("filename", "packagetype", "size", "sha256", "storage_state", "upload_time")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _deleted_through_service(model_admin, objs, request):
    """The delete page's list: what goes is the deletion service's to decide (it keeps the
    filenames reserved and records the event), not the delete permission of each related
    row's admin."""
    deleted, counts, _perms_needed, _protected = admin.ModelAdmin.get_deleted_objects(
        model_admin, objs, request
    )
    return deleted, counts, set(), []


class _DeletedThroughService(ReadOnlyAdmin):
    """History otherwise: never added or changed by hand; deleted (with the delete
    permission) only through ``projects.services.deletion``."""

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def get_deleted_objects(self, objs, request):
        return _deleted_through_service(self, objs, request)


@admin.register(Release)
class ReleaseAdmin(_DeletedThroughService):
    list_display = ("project", "version", "yanked", "created")
    list_filter = ("yanked",)
    list_select_related = ("project",)
    search_fields = ("project__normalized_name", "version")
    show_full_result_count = False
    exclude = ("description_html",)
    inlines = (FileInline,)
    actions = ("yank", "unyank")

    def has_yank_permission(self, request):
        return request.user.has_perm("projects.change_release")

    def _set_yanked(self, request, queryset, yanked):
        releases = list(queryset.select_related("project"))
        for release in releases:
            services.release_yank_set(release=release, yanked=yanked, actor=request.user)
        state = "yanked" if yanked else "un-yanked"
        self.message_user(request, f"{len(releases)} release(s) {state}.", messages.SUCCESS)

    @admin.action(description="Yank selected releases", permissions=["yank"])
    def yank(self, request, queryset):
        self._set_yanked(request, queryset, True)

    @admin.action(description="Un-yank selected releases", permissions=["yank"])
    def unyank(self, request, queryset):
        self._set_yanked(request, queryset, False)

    def delete_model(self, request, obj):
        services.release_delete(release=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for release in queryset.select_related("project").order_by("pk"):
            services.release_delete(release=release, actor=request.user)


@admin.register(File)
class FileAdmin(_DeletedThroughService):
    list_display = ("filename", "release", "packagetype", "size", "storage_state", "upload_time")
    list_filter = ("packagetype", "storage_state")
    list_select_related = ("release__project",)
    search_fields = ("filename", "sha256")
    show_full_result_count = False

    def delete_model(self, request, obj):
        services.file_delete(file=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for file in queryset.select_related("release__project").order_by("pk"):
            services.file_delete(file=file, actor=request.user)
