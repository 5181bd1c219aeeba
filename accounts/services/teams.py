"""Teams of an organization and their members. A team's members are members of the team's
organization (``organizations.organization_member_remove`` takes a leaver out of its teams)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Organization, OrganizationMember, Team, TeamMember, User
from accounts.services.base import AccountError, name_check, organization_locked
from audit.services import event_record


def _team_name_free(organization: Organization, name: str, *, exclude: Team | None = None) -> None:
    others = Team.objects.filter(organization=organization, name=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise AccountError(f"'{organization.name}' already has a team '{name}'.", 409)


@transaction.atomic
def team_create(*, organization: Organization, name: str, actor: User | None) -> Team:
    """Create an empty team in ``organization``. Raises AccountError(400) for an empty or too
    long name, AccountError(409) when the organization has a team of that name. Records
    ``team:create``."""
    name = name_check(name, kind="team")
    _team_name_free(organization, name)
    team = Team.objects.create(organization=organization, name=name)
    event_record(
        "team:create",
        actor=actor,
        organization=organization,
        target=f"team:{organization.name}/{name}",
        team=name,
    )
    return team


@transaction.atomic
def team_rename(*, team: Team, name: str, actor: User | None) -> Team:
    """Rename ``team``; raises as ``team_create``. Records ``team:rename`` (nothing when the
    name is unchanged)."""
    name = name_check(name, kind="team")
    stored = Team.objects.select_for_update().select_related("organization").get(pk=team.pk)
    if stored.name != name:
        _team_name_free(stored.organization, name, exclude=stored)
        previous, stored.name = stored.name, name
        stored.save(update_fields=["name"])
        event_record(
            "team:rename",
            actor=actor,
            organization=stored.organization,
            target=f"team:{stored.organization.name}/{name}",
            team=name,
            previous=previous,
        )
    team.name = name
    return team


@transaction.atomic
def team_delete(*, team: Team, actor: User | None) -> None:
    """Delete ``team`` with its memberships and its roles on projects (its members keep any
    role they hold directly or through the organization). Records ``team:delete`` with the
    members and project roles it had."""
    members = sorted(team.memberships.values_list("user__username", flat=True))
    project_roles = dict(team.project_roles.values_list("project__normalized_name", "role"))
    organization, name = team.organization, team.name
    team.delete()
    event_record(
        "team:delete",
        actor=actor,
        organization=organization,
        target=f"team:{organization.name}/{name}",
        team=name,
        members=members,
        project_roles=project_roles,
    )


@transaction.atomic
def team_member_add(*, team: Team, user: User, actor: User | None) -> TeamMember:
    """Add ``user`` to ``team``. Raises AccountError(400) when ``user`` is not a member of the
    team's organization. Records ``team:member-add``; records nothing when ``user`` is
    already in the team."""
    organization = organization_locked(team.organization)
    if not OrganizationMember.objects.filter(organization=organization, user=user).exists():
        raise AccountError(
            f"'{user.username}' must be a member of '{organization.name}' to join its teams."
        )
    membership, created = TeamMember.objects.get_or_create(team=team, user=user)
    if created:
        event_record(
            "team:member-add",
            actor=actor,
            organization=organization,
            target=f"user:{user.username}",
            team=team.name,
            user=user.username,
        )
    return membership


@transaction.atomic
def team_member_remove(*, team: Team, user: User, actor: User | None) -> None:
    """Remove ``user`` from ``team`` (they stay in the organization). Raises AccountError(404)
    when they are not in it. Records ``team:member-remove``."""
    deleted, _ = TeamMember.objects.filter(team=team, user=user).delete()
    if not deleted:
        raise AccountError(f"'{user.username}' is not in the team '{team.name}'.", 404)
    event_record(
        "team:member-remove",
        actor=actor,
        organization=team.organization,
        target=f"user:{user.username}",
        team=team.name,
        user=user.username,
    )
