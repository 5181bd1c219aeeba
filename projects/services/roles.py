"""Who holds which role on a project: users directly, and teams of its organization.

Every service says who acts: ``principal=`` or ``actor=`` (``projects.services.base``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from accounts.models import OrganizationMember
from projects.models import Project, ProjectRole, ProjectRoleName, TeamProjectRole
from projects.services.base import UNSET, ServiceError, Unset, acting, record

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import Team, User

LAST_OWNER = "A project needs at least one owner."


def project_locked(project: Project) -> Project:
    """The project's row, locked: changes to one project's user roles run one at a time, so
    two concurrent demotions (or a demotion and a user's deletion) cannot both see the other
    owner."""
    return Project.objects.select_for_update().get(pk=project.pk)


def project_role_is_last_owner(project: Project, role: ProjectRole) -> bool:
    """Whether ``role`` is the only owner of a project without an organization: losing it
    would leave the project unmanageable (an organization's owners manage its projects).
    Callers hold the project's lock (``project_locked``)."""
    return (
        role.role == ProjectRoleName.OWNER  # access: last-owner invariant
        and project.organization_id is None
        and not ProjectRole.objects.filter(
            project=project,
            role=ProjectRoleName.OWNER,  # access: last-owner invariant
        )
        .exclude(pk=role.pk)
        .exists()
    )


@transaction.atomic
def project_role_set(
    *,
    project: Project,
    user: User,
    role: str,
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> ProjectRole:
    """Give ``user`` ``role`` on ``project`` (replacing any role they had), said by
    ``principal`` or ``actor`` (one of them).

    Raises ServiceError(400) for an unknown role, ServiceError(409) when this would demote the
    last owner of a project without an organization. Records ``project:role-set``.
    """
    by = acting(principal=principal, actor=actor)
    if role not in ProjectRoleName.values:
        raise ServiceError(f"Role must be one of {', '.join(ProjectRoleName.values)}.")
    locked = project_locked(project)
    if (
        locked.organization_id is not None
        and not OrganizationMember.objects.filter(
            organization_id=locked.organization_id, user=user
        ).exists()
    ):
        raise ServiceError(
            f"'{user.username}' is not a member of the project's organization: in an "
            "organization's projects, roles go to its members (or to its teams)."
        )
    current = ProjectRole.objects.filter(project=locked, user=user).first()
    if (
        current is not None
        and role != ProjectRoleName.OWNER
        and project_role_is_last_owner(locked, current)
    ):
        raise ServiceError(LAST_OWNER, 409)
    project_role, _ = ProjectRole.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    record(
        "project:role-set",
        by=by,
        project=project,
        target=f"user:{user.username}",
        user=user.username,
        role=role,
        previous=current.role if current is not None else None,
    )
    return project_role


@transaction.atomic
def project_role_remove(
    *,
    project: Project,
    user: User,
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> None:
    """Remove ``user``'s direct role, said by ``principal`` or ``actor`` (one of them).

    Raises ServiceError(404) when they have none, ServiceError(409) when they are the last
    owner of a project that has no organization (it would become unmanageable). Records
    ``project:role-remove``.
    """
    by = acting(principal=principal, actor=actor)
    locked = project_locked(project)
    role = ProjectRole.objects.filter(project=locked, user=user).first()
    if role is None:
        raise ServiceError(f"'{user.username}' has no role on '{project.name}'.", 404)
    if project_role_is_last_owner(locked, role):
        raise ServiceError(LAST_OWNER, 409)
    role.delete()
    record(
        "project:role-remove",
        by=by,
        project=project,
        target=f"user:{user.username}",
        user=user.username,
        previous=role.role,
    )


@transaction.atomic
def team_project_role_set(
    *,
    project: Project,
    team: Team,
    role: str,
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> TeamProjectRole:
    """Give a team of the project's organization ``role`` on ``project``, said by
    ``principal`` or ``actor`` (one of them). Raises ServiceError(400) for an unknown role or
    a team of another organization. Records ``project:team-role-set``."""
    by = acting(principal=principal, actor=actor)
    if role not in ProjectRoleName.values:
        raise ServiceError(f"Role must be one of {', '.join(ProjectRoleName.values)}.")
    locked = project_locked(project)
    if locked.organization_id is None or team.organization_id != locked.organization_id:
        raise ServiceError("Only teams of the project's organization can hold roles on it.")
    if not team.organization.is_active:
        raise ServiceError(f"The organization '{team.organization.name}' is deactivated.")
    current = TeamProjectRole.objects.filter(project=locked, team=team).first()
    team_role, _ = TeamProjectRole.objects.update_or_create(
        project=project, team=team, defaults={"role": role}
    )
    record(
        "project:team-role-set",
        by=by,
        project=project,
        target=f"team:{team.organization.name}/{team.name}",
        team=team.name,
        role=role,
        previous=current.role if current is not None else None,
    )
    return team_role


@transaction.atomic
def team_project_role_remove(
    *,
    project: Project,
    team: Team,
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> None:
    """Take ``team``'s role on ``project`` away, said by ``principal`` or ``actor`` (one of
    them). Raises ServiceError(404) if it has none. Records ``project:team-role-remove``."""
    by = acting(principal=principal, actor=actor)
    current = TeamProjectRole.objects.filter(project=project, team=team).first()
    if current is None:
        raise ServiceError(f"Team '{team.name}' has no role on '{project.name}'.", 404)
    current.delete()
    record(
        "project:team-role-remove",
        by=by,
        project=project,
        target=f"team:{team.organization.name}/{team.name}",
        team=team.name,
        previous=current.role,
    )
