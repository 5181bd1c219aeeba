"""Organizations and their members. An organization that has an owner keeps one: its last
owner is neither removed nor demoted here (nor deleted, ``users.user_delete``)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from packaging.utils import canonicalize_name

from access import Action, Principal, decide_organization
from accounts.mfa import mfa_enabled
from accounts.models import (
    Invitation,
    Organization,
    OrganizationMember,
    OrganizationRole,
    TeamMember,
    User,
    Visibility,
)
from accounts.services.base import (
    LAST_OWNER,
    AccountError,
    is_last_owner,
    name_check,
    organization_locked,
)
from audit.services import event_record
from projects.models import ProjectRole
from tokens.models import Token
from tokens.services import token_revoke


@transaction.atomic
def organization_create(
    *,
    name: str,
    default_visibility: str = Visibility.PRIVATE,
    owner: User | None = None,
    actor: User | None,
) -> Organization:
    """Create an active organization, with ``owner`` as its first owner (or with no members:
    ``organization_member_set`` adds them). Raises AccountError(400) for an empty or too long
    name or an unknown visibility, AccountError(409) when the normalized name is taken.
    Records ``organization:create``."""
    name = name_check(name, kind="organization")
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
        organization=organization,
        target=f"organization:{organization.name}",
        default_visibility=default_visibility,
    )
    if owner is not None:
        organization_member_set(
            organization=organization, user=owner, role=OrganizationRole.OWNER, actor=actor
        )
    return organization


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    name: str | None = None,
    default_visibility: str | None = None,
    is_active: bool | None = None,
    mfa_required: bool | None = None,
    actor: User | None,
) -> Organization:
    """Rename, change the default visibility of new projects, or deactivate (``is_active=False``:
    its members no longer see it, its projects keep their own visibility) or reactivate.
    None leaves a field as it is. Compares with the stored row, not with ``organization``'s
    attributes, and updates ``organization`` in place.

    ``mfa_required=True`` makes its members set up two-factor authentication before they use
    the web UI (``accounts.middleware``); a person turning it on must have it already
    (AccountError(409)), or they would lock themselves out of the page that turns it off.

    Raises AccountError(400) for an invalid name or visibility, AccountError(409) when the new
    name is taken. Records ``organization:update`` with the previous and current values of the
    fields that changed; records nothing when nothing changed.
    """
    stored = organization_locked(organization)
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = name_check(name, kind="organization")
    if default_visibility is not None:
        wanted["default_visibility"] = _visibility_check(default_visibility)
    if is_active is not None:
        wanted["is_active"] = is_active
    if mfa_required is not None:
        wanted["mfa_required"] = mfa_required
    changed = {field: value for field, value in wanted.items() if getattr(stored, field) != value}
    if "name" in changed and canonicalize_name(changed["name"]) != stored.normalized_name:
        _organization_name_free(changed["name"])
    if changed.get("mfa_required") and actor is not None and not mfa_enabled(actor):
        raise AccountError(
            "Set up two-factor authentication for your own account before requiring it.", 409
        )
    previous = {field: getattr(stored, field) for field in changed}
    for field, value in changed.items():
        setattr(stored, field, value)
    if changed:
        try:
            with transaction.atomic():
                # Organization.save() fills normalized_name.
                stored.save()
        except IntegrityError:
            raise AccountError(
                f"The name '{stored.name}' conflicts with an existing organization.", 409
            ) from None
        event_record(
            "organization:update",
            actor=actor,
            organization=stored,
            target=f"organization:{stored.name}",
            previous=previous,
            current=changed,
        )
    for field in ("name", "normalized_name", "default_visibility", "is_active", "mfa_required"):
        setattr(organization, field, getattr(stored, field))
    return organization


def _visibility_check(visibility: str) -> str:
    if visibility not in Visibility.values:
        raise AccountError(f"Visibility must be one of {', '.join(Visibility.values)}.")
    return visibility


def _organization_name_free(name: str) -> None:
    if Organization.objects.filter(normalized_name=canonicalize_name(name)).exists():
        raise AccountError(f"The name '{name}' conflicts with an existing organization.", 409)


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
    organization_locked(organization)
    member = OrganizationMember.objects.filter(organization=organization, user=user).first()
    if member is None and not user.is_active:
        raise AccountError(f"'{user.username}' is deactivated and cannot join an organization.")
    if member is not None and member.role == role:  # access: skip a no-op write
        return member
    previous = member.role if member is not None else None
    closed: list[str] = []
    if member is None:
        member = OrganizationMember.objects.create(organization=organization, user=user, role=role)
        # Pending invitations for them are moot: accepting one later must not change the role.
        closed = _invitations_close(_addressed_to(organization, user), "superseded")
    else:
        if is_last_owner(member):
            raise AccountError(LAST_OWNER, 409)
        member.role = role
        member.save(update_fields=["role"])
        still_invites = decide_organization(
            Principal(user=user), Action.ORGANIZATION_MANAGE, organization, surface=None
        )
        if not still_invites:  # demoted from owner: what they sent goes with the role
            closed = _invitations_close(_sent_by(organization, user), "withdrawn")
    event_record(
        "organization:member-set",
        actor=actor,
        organization=organization,
        target=f"user:{user.username}",
        user=user.username,
        role=role,
        previous=previous,
        invitations_closed=closed,
    )
    return member


def _addressed_to(organization: Organization, user: User) -> QuerySet[Invitation]:
    addressed = Q(user=user)
    if user.email:
        addressed |= Q(user__isnull=True, email__iexact=user.email)
    return Invitation.objects.filter(addressed, organization=organization, closed__isnull=True)


def _sent_by(organization: Organization, user: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization, invited_by=user, closed__isnull=True
    )


def _invitations_close(pending: QuerySet[Invitation], outcome: str) -> list[str]:
    """Close ``pending`` invitations with ``outcome``; who each was for (for the event)."""
    rows = list(pending.select_related("user").select_for_update(of=("self",)))
    if rows:
        Invitation.objects.filter(pk__in=[r.pk for r in rows]).update(
            closed=timezone.now(), outcome=outcome
        )
    return sorted(r.user.username if r.user else r.email for r in rows)


@transaction.atomic
def organization_member_remove(
    *, organization: Organization, user: User, actor: User | None
) -> None:
    """Remove ``user`` from ``organization`` and from each of its teams (a team's members are
    members of its organization).

    They also lose their personal roles on the organization's projects and their tokens
    restricted to it (revoked), effective on their next request (issue 9).

    Raises AccountError(404) when ``user`` is not a member, AccountError(409) when they are its
    last owner. Records ``organization:member-remove`` with the teams they left, the project
    roles they lost and the tokens revoked.
    """
    organization_locked(organization)
    member = OrganizationMember.objects.filter(organization=organization, user=user).first()
    if member is None:
        raise AccountError(f"'{user.username}' is not a member of '{organization.name}'.", 404)
    if is_last_owner(member):
        raise AccountError(LAST_OWNER, 409)
    memberships = TeamMember.objects.filter(team__organization=organization, user=user)
    teams = sorted(memberships.values_list("team__name", flat=True))
    memberships.delete()
    # A leaver keeps nothing of the organization's: no personal role on its projects (the
    # organization's owners still own them), no token restricted to it.
    roles = ProjectRole.objects.filter(project__organization=organization, user=user)
    projects = sorted(roles.values_list("project__normalized_name", flat=True))
    roles.delete()
    tokens = list(Token.objects.filter(user=user, organization=organization, revoked__isnull=True))
    for token in tokens:
        token_revoke(token=token, actor=actor)
    # Nothing they set in motion outlives them: the invitations they sent, or one addressed
    # to them that would let them back in.
    withdrawn = _invitations_close(_sent_by(organization, user), "withdrawn")
    withdrawn += _invitations_close(_addressed_to(organization, user), "withdrawn")
    member.delete()
    event_record(
        "organization:member-remove",
        actor=actor,
        organization=organization,
        target=f"user:{user.username}",
        user=user.username,
        role=member.role,
        teams=teams,
        project_roles=projects,
        tokens_revoked=sorted(t.identifier for t in tokens),
        invitations_withdrawn=sorted(withdrawn),
    )


@transaction.atomic
def organization_delete(*, organization: Organization, actor: User | None) -> None:
    """Delete ``organization`` with its members, teams, invitations and tokens. Refused
    (AccountError 409) while it has projects: transfer them first
    (``projects.services.project_transfer``), so nothing it owned is left without an owner.
    Records ``organization:delete`` with what went with it; its events stay."""
    stored = organization_locked(organization)
    projects = sorted(stored.projects.values_list("normalized_name", flat=True))
    if projects:
        raise AccountError(
            f"'{stored.name}' still owns {len(projects)} project(s) ({', '.join(projects[:10])}): "
            "transfer or delete them first.",
            409,
        )
    members = dict(stored.members.values_list("user__username", "role"))
    teams = sorted(stored.teams.values_list("name", flat=True))
    tokens = sorted(Token.objects.filter(organization=stored).values_list("identifier", flat=True))
    event_record(
        "organization:delete",
        actor=actor,
        organization=stored,
        target=f"organization:{stored.name}",
        members=members,
        teams=teams,
        tokens=tokens,
    )
    stored.delete()
