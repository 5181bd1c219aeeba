"""Who holds which role on a project: users directly, and teams of its organization."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from projects.models import ProjectRole, ProjectRoleName, TeamProjectRole
from projects.services.base import ServiceError, record

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import Team, User
    from projects.models import Project


def project_role_is_last_owner(project: Project, role: ProjectRole) -> bool:
    """Whether ``role`` is the only owner of a project without an organization: losing it
    would leave the project unmanageable (an organization's owners manage its projects)."""
    return (
        role.role == ProjectRoleName.OWNER
        and project.organization_id is None
        and not ProjectRole.objects.filter(project=project, role=ProjectRoleName.OWNER)
        .exclude(pk=role.pk)
        .exists()
    )


@transaction.atomic
def project_role_set(
    *,
    project: Project,
    user: User,
    role: str,
    actor: User | None = None,
    principal: Principal | None = None,
) -> ProjectRole:
    """Give ``user`` ``role`` on ``project`` (replacing any role they had)."""
    if role not in ProjectRoleName.values:
        raise ServiceError(f"Role must be one of {', '.join(ProjectRoleName.values)}.")
    current = ProjectRole.objects.filter(project=project, user=user).first()
    if (
        current is not None
        and role != ProjectRoleName.OWNER
        and project_role_is_last_owner(project, current)
    ):
        raise ServiceError("A project needs at least one owner.", 409)
    project_role, _ = ProjectRole.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    record(
        "project:role-set",
        principal=principal,
        actor=actor,
        project=project,
        user=user.username,
        role=role,
    )
    return project_role


@transaction.atomic
def project_role_remove(
    *, project: Project, user: User, actor: User | None = None, principal: Principal | None = None
) -> None:
    """Remove ``user``'s direct role. Refuses to remove the last owner of a project
    that has no organization (it would become unmanageable)."""
    role = ProjectRole.objects.filter(project=project, user=user).first()
    if role is None:
        raise ServiceError(f"'{user.username}' has no role on '{project.name}'.", 404)
    if project_role_is_last_owner(project, role):
        raise ServiceError("A project needs at least one owner.", 409)
    role.delete()
    record(
        "project:role-remove", principal=principal, actor=actor, project=project, user=user.username
    )


@transaction.atomic
def team_project_role_set(
    *,
    project: Project,
    team: Team,
    role: str,
    actor: User | None = None,
    principal: Principal | None = None,
) -> TeamProjectRole:
    """Give a team of the project's organization ``role`` on ``project``."""
    if role not in ProjectRoleName.values:
        raise ServiceError(f"Role must be one of {', '.join(ProjectRoleName.values)}.")
    if project.organization_id is None or team.organization_id != project.organization_id:
        raise ServiceError("Only teams of the project's organization can hold roles on it.")
    team_role, _ = TeamProjectRole.objects.update_or_create(
        project=project, team=team, defaults={"role": role}
    )
    record(
        "project:team-role-set",
        principal=principal,
        actor=actor,
        project=project,
        team=team.name,
        role=role,
    )
    return team_role


@transaction.atomic
def team_project_role_remove(
    *,
    project: Project,
    team: Team,
    actor: User | None = None,
    principal: Principal | None = None,
) -> None:
    """Take ``team``'s role on ``project`` away. Raises ServiceError(404) if it has none."""
    deleted, _ = TeamProjectRole.objects.filter(project=project, team=team).delete()
    if not deleted:
        raise ServiceError(f"Team '{team.name}' has no role on '{project.name}'.", 404)
    record(
        "project:team-role-remove",
        principal=principal,
        actor=actor,
        project=project,
        team=team.name,
    )
