"""Creating projects and setting their visibility and status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from packaging.utils import canonicalize_name

from accounts.models import Visibility
from projects.models import Project, ProjectRole, ProjectRoleName, ProjectStatus
from projects.services.base import ServiceError, record
from projects.services.names import project_name_check, ultranormalize_name

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
) -> Project:
    """Create a project owned by the principal's user (or placed in ``organization``).

    Visibility defaults to the organization's default, else the site default (private).
    Raises ServiceError(409) if the normalized name is taken, ServiceError(400) for a name
    that is reserved or too similar to an existing one (S3.6).
    """
    if Project.objects.filter(normalized_name=canonicalize_name(name)).exists():
        raise ServiceError(f"The name '{name}' conflicts with an existing project.", 409)
    project_name_check(name)

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
        raise ServiceError(f"The name '{name}' conflicts with an existing project.", 409) from None
    if principal.user is not None:
        ProjectRole.objects.create(project=project, user=principal.user, role=ProjectRoleName.OWNER)
    record(
        "project:create",
        principal=principal,
        project=project,
        name=name,
        visibility=visibility,
        organization=organization.name if organization else None,
    )
    return project


@transaction.atomic
def project_visibility_set(
    *,
    project: Project,
    visibility: str,
    actor: User | None = None,
    principal: Principal | None = None,
) -> Project:
    """Make ``project`` public or private. Raises ServiceError on an unknown value."""
    if visibility not in Visibility.values:
        raise ServiceError(f"Visibility must be one of {', '.join(Visibility.values)}.")
    if project.visibility != visibility:
        previous = project.visibility
        project.visibility = visibility
        project.save(update_fields=["visibility"])
        record(
            "project:visibility",
            principal=principal,
            actor=actor,
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
    reason: str = "",
    actor: User | None = None,
    principal: Principal | None = None,
) -> Project:
    """Set the PEP 792 status marker. Raises ServiceError on an unknown status."""
    if status not in ProjectStatus.values:
        raise ServiceError(f"Status must be one of {', '.join(ProjectStatus.values)}.")
    project.status = status
    project.status_reason = reason
    project.save(update_fields=["status", "status_reason"])
    record(
        "project:status",
        principal=principal,
        actor=actor,
        project=project,
        status=status,
        reason=reason,
    )
    return project
