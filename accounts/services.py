"""Writes to users, organizations, their members and teams. Callers have already asked ``access``.

Each service is keyword-only and atomic, and records an audit event (``audit.event_record``) in
its own transaction. ``actor`` is the acting user, or None for the system (a command at start).
The invariants kept here, and only here:

- an organization that has an owner keeps one: the last owner is neither removed nor demoted;
- a team's members are members of the team's organization, so leaving an organization means
  leaving its teams;
- usernames are unique regardless of case; organization names regardless of normalization.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from packaging.utils import canonicalize_name

from accounts.models import (
    Organization,
    OrganizationMember,
    OrganizationRole,
    Team,
    TeamMember,
    User,
    Visibility,
)
from audit.services import event_record

_NAME_MAX = 100  # Organization.name and Team.name


class AccountError(ValueError):
    """A request that is well formed but cannot be carried out; the message is for the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _name_check(name: str, *, kind: str) -> str:
    name = name.strip()
    if not name:
        raise AccountError(f"The {kind} name must not be empty.")
    if len(name) > _NAME_MAX:
        raise AccountError(f"The {kind} name must be at most {_NAME_MAX} characters.")
    return name


def _locked(organization: Organization) -> Organization:
    """The organization's row, locked: membership changes of one organization run one at a
    time, so two concurrent demotions cannot both see the other owner."""
    return Organization.objects.select_for_update().get(pk=organization.pk)


# Users


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: User | None,
) -> User:
    """Create an active user. ``password=None`` gives an unusable password (token-only, or set
    later); password strength is the caller's form to check (the admin's and ``createuser``
    ask Django's validators; ``bootstrap`` must start whatever the operator chose).

    A superuser is also staff. Raises AccountError(400) for an empty or invalid username or
    an invalid email (an empty email is allowed, as in Django), AccountError(409) when the
    username is taken in any case ("Alice" next to "alice" misleads). Records ``user:create``.
    """
    username = User.normalize_username(username.strip())
    if not username:
        raise AccountError("The username must not be empty.")
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        messages = " ".join(exc.messages)
        raise AccountError(f"'{username}' is not a valid username: {messages}") from None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise AccountError(f"'{email}' is not a valid email address.") from None
    existing = User.objects.filter(username__iexact=username).first()
    if existing is not None:
        raise AccountError(f"User '{existing.username}' already exists.", 409)
    user = User(
        username=username,
        email=User.objects.normalize_email(email),
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # created by someone else since the check above
        raise AccountError(f"User '{username}' already exists.", 409) from None
    event_record(
        "user:create",
        actor=actor,
        user=user.username,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        usable_password=password is not None,
    )
    return user


# Organizations


@transaction.atomic
def organization_create(*, name: str, default_visibility: str, actor: User | None) -> Organization:
    """Create an active organization with no members; ``organization_member_set`` adds its
    first owner. Raises AccountError(400) for an empty or too long name or an unknown
    visibility, AccountError(409) when the normalized name is taken. Records
    ``organization:create``."""
    name = _name_check(name, kind="organization")
    _visibility_check(default_visibility)
    _organization_name_free(name)
    try:
        with transaction.atomic():
            # Organization.save() fills normalized_name.
            organization = Organization.objects.create(
                name=name, default_visibility=default_visibility
            )
    except IntegrityError:
        raise AccountError(
            f"The name '{name}' conflicts with an existing organization.", 409
        ) from None
    event_record(
        "organization:create",
        actor=actor,
        organization=organization.name,
        default_visibility=default_visibility,
    )
    return organization


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    name: str | None = None,
    default_visibility: str | None = None,
    is_active: bool | None = None,
    actor: User | None,
) -> Organization:
    """Rename, change the default visibility of new projects, or deactivate (``is_active=False``:
    its members no longer see it, its projects keep their own visibility) or reactivate.
    None leaves a field as it is. Compares with the stored row, not with ``organization``'s
    attributes, and updates ``organization`` in place.

    Raises AccountError(400) for an invalid name or visibility, AccountError(409) when the new
    name is taken. Records ``organization:update`` with the previous and current values of the
    fields that changed; records nothing when nothing changed.
    """
    stored = _locked(organization)
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = _name_check(name, kind="organization")
    if default_visibility is not None:
        wanted["default_visibility"] = _visibility_check(default_visibility)
    if is_active is not None:
        wanted["is_active"] = is_active
    changed = {field: value for field, value in wanted.items() if getattr(stored, field) != value}
    if "name" in changed and canonicalize_name(changed["name"]) != stored.normalized_name:
        _organization_name_free(changed["name"])
    previous = {field: getattr(stored, field) for field in changed}
    for field, value in changed.items():
        setattr(stored, field, value)
    if changed:
        try:
            with transaction.atomic():
                # Organization.save() (unannotated) fills normalized_name.
                stored.save()  # type: ignore[no-untyped-call]
        except IntegrityError:
            raise AccountError(
                f"The name '{stored.name}' conflicts with an existing organization.", 409
            ) from None
        event_record(
            "organization:update",
            actor=actor,
            organization=stored.name,
            previous=previous,
            current=changed,
        )
    for field in ("name", "normalized_name", "default_visibility", "is_active"):
        setattr(organization, field, getattr(stored, field))
    return organization


def _visibility_check(visibility: str) -> str:
    if visibility not in Visibility.values:
        raise AccountError(f"Visibility must be one of {', '.join(Visibility.values)}.")
    return visibility


def _organization_name_free(name: str) -> None:
    if Organization.objects.filter(normalized_name=canonicalize_name(name)).exists():
        raise AccountError(f"The name '{name}' conflicts with an existing organization.", 409)


def _is_last_owner(member: OrganizationMember) -> bool:
    return (
        member.role == OrganizationRole.OWNER
        and not OrganizationMember.objects.filter(
            organization_id=member.organization_id, role=OrganizationRole.OWNER
        )
        .exclude(pk=member.pk)
        .exists()
    )


_LAST_OWNER = "An organization needs at least one owner: make someone else owner first."


@transaction.atomic
def organization_member_set(
    *, organization: Organization, user: User, role: str, actor: User | None
) -> OrganizationMember:
    """Make ``user`` a member of ``organization`` with ``role``, or change their role.

    Raises AccountError(400) for an unknown role, AccountError(409) when this would demote the
    organization's last owner. Records ``organization:member-set`` (with the previous role,
    None for a new member); records nothing when the user already has that role.
    """
    if role not in OrganizationRole.values:
        raise AccountError(f"Role must be one of {', '.join(OrganizationRole.values)}.")
    _locked(organization)
    member = OrganizationMember.objects.filter(organization=organization, user=user).first()
    if member is not None and member.role == role:
        return member
    previous = member.role if member is not None else None
    if member is None:
        member = OrganizationMember.objects.create(organization=organization, user=user, role=role)
    else:
        if _is_last_owner(member):
            raise AccountError(_LAST_OWNER, 409)
        member.role = role
        member.save(update_fields=["role"])
    event_record(
        "organization:member-set",
        actor=actor,
        organization=organization.name,
        user=user.username,
        role=role,
        previous=previous,
    )
    return member


@transaction.atomic
def organization_member_remove(
    *, organization: Organization, user: User, actor: User | None
) -> None:
    """Remove ``user`` from ``organization`` and from each of its teams.

    Raises AccountError(404) when ``user`` is not a member, AccountError(409) when they are its
    last owner. Records ``organization:member-remove`` with the teams they left.
    """
    _locked(organization)
    member = OrganizationMember.objects.filter(organization=organization, user=user).first()
    if member is None:
        raise AccountError(f"'{user.username}' is not a member of '{organization.name}'.", 404)
    if _is_last_owner(member):
        raise AccountError(_LAST_OWNER, 409)
    memberships = TeamMember.objects.filter(team__organization=organization, user=user)
    teams = sorted(memberships.values_list("team__name", flat=True))
    memberships.delete()
    member.delete()
    event_record(
        "organization:member-remove",
        actor=actor,
        organization=organization.name,
        user=user.username,
        role=member.role,
        teams=teams,
    )


# Teams


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
    name = _name_check(name, kind="team")
    _team_name_free(organization, name)
    team = Team.objects.create(organization=organization, name=name)
    event_record("team:create", actor=actor, organization=organization.name, team=name)
    return team


@transaction.atomic
def team_rename(*, team: Team, name: str, actor: User | None) -> Team:
    """Rename ``team``; raises as ``team_create``. Records ``team:rename`` (nothing when the
    name is unchanged)."""
    name = _name_check(name, kind="team")
    stored = Team.objects.select_for_update().select_related("organization").get(pk=team.pk)
    if stored.name != name:
        _team_name_free(stored.organization, name, exclude=stored)
        previous, stored.name = stored.name, name
        stored.save(update_fields=["name"])
        event_record(
            "team:rename",
            actor=actor,
            organization=stored.organization.name,
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
    organization, name = team.organization.name, team.name
    team.delete()
    event_record(
        "team:delete",
        actor=actor,
        organization=organization,
        team=name,
        members=members,
        project_roles=project_roles,
    )


@transaction.atomic
def team_member_add(*, team: Team, user: User, actor: User | None) -> TeamMember:
    """Add ``user`` to ``team``. Raises AccountError(400) when ``user`` is not a member of the
    team's organization. Records ``team:member-add``; records nothing when ``user`` is
    already in the team."""
    organization = _locked(team.organization)
    if not OrganizationMember.objects.filter(organization=organization, user=user).exists():
        raise AccountError(
            f"'{user.username}' must be a member of '{organization.name}' to join its teams."
        )
    membership, created = TeamMember.objects.get_or_create(team=team, user=user)
    if created:
        event_record(
            "team:member-add",
            actor=actor,
            organization=organization.name,
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
        organization=team.organization.name,
        team=team.name,
        user=user.username,
    )
