"""Creating projects and setting their visibility, status and size limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from packaging.utils import canonicalize_name

from access import Surface, status_reason_for
from accounts.models import Visibility
from projects.limits import STATUS_REASON_MAX
from projects.models import Project, ProjectRole, ProjectRoleName, ProjectStatus
from projects.services.base import UNSET, ServiceError, Unset, acting, record
from projects.services.names import project_name_check, ultranormalize_name, unavailable

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import Organization, User


@transaction.atomic
def project_create(
    *,
    name: str,
    principal: Principal,
    organization: Organization | None = None,
    visibility: str | None = None,
    surface: Surface = Surface.UPLOAD,
) -> Project:
    """Create a project owned by the principal's user, or placed in ``organization`` (given,
    held through a namespace, or the uploading organization token's). A project of an
    organization gets no personal owner role: rights on it come from the organization's and
    its teams' roles, so none outlives its holder's membership.

    Visibility defaults to the organization's default, else the site default (private).
    ``surface`` is the one it is created through: a first upload, or the REST API.
    Raises ServiceError(409) if the normalized name is taken, ServiceError(400) for a name
    that is reserved or too similar to an existing one (S3.6). Records ``project:create``.
    """
    organization = project_name_check(
        name, principal=principal, organization=organization, surface=surface
    )

    if visibility is None:
        visibility = (
            organization.default_visibility
            if organization is not None
            else settings.PRIVINDEX_DEFAULT_VISIBILITY
        )
    try:
        with transaction.atomic():
            project = Project.objects.create(
                name=name,
                normalized_name=canonicalize_name(name),
                ultranormalized_name=ultranormalize_name(name),
                visibility=visibility,
                organization=organization,
            )
    except IntegrityError:
        raise unavailable(name) from None
    if principal.user is not None and organization is None:
        ProjectRole.objects.create(project=project, user=principal.user, role=ProjectRoleName.OWNER)
    record(
        "project:create",
        by=acting(principal=principal),
        project=project,
        name=name,
        visibility=visibility,
        organization=organization,  # the event belongs to the organization's trail too
    )
    return project


@transaction.atomic
def project_visibility_set(
    *,
    project: Project,
    visibility: str,
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> Project:
    """Make ``project`` public or private, said by ``principal`` or ``actor`` (one of them).

    Raises ServiceError on an unknown value. Records ``project:visibility`` with the previous
    value; records nothing when the visibility does not change.
    """
    by = acting(principal=principal, actor=actor)
    if visibility not in Visibility.values:
        raise ServiceError(f"Visibility must be one of {', '.join(Visibility.values)}.")
    if project.visibility != visibility:  # access: skip a no-op write
        previous = project.visibility
        project.visibility = visibility
        project.save(update_fields=["visibility"])
        record(
            "project:visibility",
            by=by,
            project=project,
            previous=previous,
            visibility=visibility,
        )
    return project


@transaction.atomic
def project_status_set(
    *,
    project: Project,
    status: str,
    reason: str | None = None,
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> Project:
    """Set the PEP 792 status marker, said by ``principal`` or ``actor`` (one of them).

    The reason stored is what ``access.status_reason_for`` makes of ``reason`` (None: not
    given): an active project has none, whoever asks. Whether the caller may set ``status``
    is theirs to ask (``access.status_change_decide``). Raises ServiceError(400) for an unknown
    status or a reason longer than its column. Records ``project:status`` with the status and
    the reason stored.
    """
    by = acting(principal=principal, actor=actor)
    if status not in ProjectStatus.values:
        raise ServiceError(f"Status must be one of {', '.join(ProjectStatus.values)}.")
    stored = Project.objects.select_for_update().get(pk=project.pk)
    reason = status_reason_for(stored, status, reason)
    if len(reason) > STATUS_REASON_MAX:
        raise ServiceError(f"The reason is limited to {STATUS_REASON_MAX} characters.")
    previous = stored.status
    project.status = status
    project.status_reason = reason
    project.save(update_fields=["status", "status_reason"])
    record(
        "project:status",
        by=by,
        project=project,
        previous=previous,
        status=status,
        reason=reason,
    )
    return project


@transaction.atomic
def project_limits_set(
    *,
    project: Project,
    upload_limit: int | None,
    total_size_limit: int | None,
    actor: User | None,
) -> Project:
    """Set the project's upload limits (S3.12), in bytes: the largest file and the total of
    its files; None means the site default. Either only ever raises the site default, and a
    file is never larger than ``PRIVINDEX_MAX_FILE_SIZE`` (``uploads._check_size_limits``).

    Raises ServiceError(400) for a limit under one byte. Records ``project:limits`` with the
    previous and current values of the limits that changed; records nothing when neither did.
    """
    wanted = {"upload_limit": upload_limit, "total_size_limit": total_size_limit}
    for field, value in wanted.items():
        if value is not None and value < 1:
            label = field.replace("_", " ")
            raise ServiceError(f"The {label} must be at least 1 byte, or empty for the default.")
    stored = Project.objects.select_for_update().get(pk=project.pk)
    changed = {field: value for field, value in wanted.items() if getattr(stored, field) != value}
    previous = {field: getattr(stored, field) for field in changed}
    for field, value in wanted.items():
        setattr(project, field, value)
    if changed:
        project.save(update_fields=sorted(changed))
        record(
            "project:limits",
            by=acting(actor=actor),
            project=project,
            previous=previous,
            current=changed,
        )
    return project
