"""Moving a project into an organization and back (issue 9). Whether the caller may is
``access.decide_transfer``'s question (the owner role on both sides)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from accounts.models import Organization
from projects.models import ProjectRole, ProjectRoleName, TeamProjectRole
from projects.services.base import UNSET, ServiceError, Unset, acting, record
from projects.services.roles import project_locked

if TYPE_CHECKING:
    from access import Principal
    from accounts.models import User
    from projects.models import Project


@transaction.atomic
def project_transfer(
    *,
    project: Project,
    organization: Organization | None = None,
    user: User | None = None,
    principal: Principal | Unset = UNSET,
    actor: User | Unset | None = UNSET,
) -> Project:
    """Move ``project`` into ``organization``, or out of its organization to ``user``
    (exactly one of the two), said by ``principal`` or ``actor``.

    Into an organization: the project's personal roles go (its rights now come from the
    organization's and its teams' roles), and so do the team roles of its previous
    organization. To a user: the team roles go and ``user`` becomes its owner, so the project
    keeps an owner. Raises ServiceError(400) for neither or both targets, a deactivated
    organization or user, or a project already there. Records ``project:transfer`` with
    where it came from, where it went and the roles it dropped.
    """
    by = acting(principal=principal, actor=actor)
    if (organization is None) == (user is None):
        raise ServiceError("Transfer a project either to an organization or to a user.")
    locked = project_locked(project)
    source = (
        Organization.objects.filter(pk=locked.organization_id).first()
        if locked.organization_id
        else None
    )
    if organization is not None:
        if not organization.is_active:
            raise ServiceError(f"The organization '{organization.name}' is deactivated.")
        if locked.organization_id == organization.pk:
            raise ServiceError(f"'{locked.name}' already belongs to '{organization.name}'.")
    else:
        assert user is not None
        if not user.is_active:
            raise ServiceError(f"'{user.username}' is deactivated.")
        if source is None:
            raise ServiceError(f"'{locked.name}' belongs to no organization.")
    roles = ProjectRole.objects.filter(project=locked)
    team_roles = TeamProjectRole.objects.filter(project=locked)
    dropped_users = dict(roles.values_list("user__username", "role"))
    dropped_teams = dict(team_roles.values_list("team__name", "role"))
    team_roles.delete()
    if organization is not None:
        roles.delete()
    else:
        assert user is not None
        roles.exclude(user=user).delete()
        ProjectRole.objects.update_or_create(
            project=locked, user=user, defaults={"role": ProjectRoleName.OWNER}
        )
        dropped_users = {k: v for k, v in dropped_users.items() if k != user.username}
    locked.organization = organization
    locked.save(update_fields=["organization"])
    project.organization = organization
    record(
        "project:transfer",
        by=by,
        project=locked,
        previous={"organization": source.name if source else None},
        current={
            "organization": organization.name if organization else None,
            "owner": user.username if user is not None else None,
        },
        dropped_user_roles=dropped_users,
        dropped_team_roles=dropped_teams,
    )
    if source is not None:
        # The organization it left sees the move in its own trail too.
        record(
            "project:transfer-out",
            by=by,
            project=None,
            organization=source,
            target=f"project:{locked.normalized_name}",
            to=organization.name if organization is not None else f"user {user.username}",  # type: ignore[union-attr]
        )
    return project
