"""Invitations to join an organization: pending until the invitee accepts or declines, an
owner withdraws it, or it expires (``PRIVINDEX_INVITATION_DAYS``). Whether the inviter may
invite is ``access.decide_organization`` (``Action.ORGANIZATION_MANAGE``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from access import Action, Principal, decide_organization
from accounts.models import Invitation, Organization, OrganizationMember, OrganizationRole, User
from accounts.services.base import AccountError, organization_locked
from accounts.services.organizations import organization_member_set
from accounts.services.users import _email_check
from audit.services import event_record


def invitations_pending(*, organization: Organization) -> QuerySet[Invitation]:
    """The organization's pending invitations, newest first."""
    return (
        Invitation.objects.filter(
            organization=organization, closed__isnull=True, expires__gt=timezone.now()
        )
        .select_related("user", "invited_by")
        .order_by("-created", "-id")
    )


def invitations_for(*, user: User) -> QuerySet[Invitation]:
    """The pending invitations ``user`` may accept: to them, or to their email address, of
    active organizations they are not yet in."""
    addressed = Q(user=user)
    if user.email:
        addressed |= Q(user__isnull=True, email__iexact=user.email)
    return (
        Invitation.objects.filter(
            addressed,
            closed__isnull=True,
            expires__gt=timezone.now(),
            organization__is_active=True,
        )
        .exclude(organization__members__user=user)
        .select_related("organization", "invited_by")
        .order_by("-created", "-id")
    )


def _target(invitation: Invitation) -> str:
    return f"user:{invitation.user.username}" if invitation.user else f"email:{invitation.email}"


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    role: str,
    user: User | None = None,
    email: str = "",
    accept_url: str = "",
    actor: User | None,
) -> Invitation:
    """Invite ``user`` (or whoever has the address ``email``) to ``organization`` as
    ``role``, and mail them (Django's email backend) with ``accept_url``, where they accept.
    It can be accepted only while ``actor`` may still invite (an owner, active).

    Raises AccountError(400) for an unknown role, no invitee or an invalid address,
    AccountError(409) when they are already a member or already invited. Records
    ``organization:invite``.
    """
    if role not in OrganizationRole.values:
        raise AccountError(f"Role must be one of {', '.join(OrganizationRole.values)}.")
    email = _email_check(email.strip()) if email else ""
    if user is None and not email:
        raise AccountError("Invite a user by username or by email address.")
    # An invitation by address stays addressed to the address: resolving it to an account
    # here would tell the inviter whose address it is. Whoever has it may accept.
    organization_locked(organization)
    if user is not None:
        if not user.is_active:
            raise AccountError(f"'{user.username}' is deactivated.")
        if OrganizationMember.objects.filter(organization=organization, user=user).exists():
            raise AccountError(f"'{user.username}' is already a member.", 409)
    pending = invitations_pending(organization=organization)
    clash = Q(user=user) if user is not None else Q(email__iexact=email)
    if pending.filter(clash).exists():
        raise AccountError("There is already a pending invitation for them.", 409)
    days = settings.PRIVINDEX_INVITATION_DAYS
    invitation = Invitation.objects.create(
        organization=organization,
        user=user,
        email="" if user is not None else email,
        role=role,
        invited_by=actor,
        expires=timezone.now() + dt.timedelta(days=days),
    )
    event_record(
        "organization:invite",
        actor=actor,
        organization=organization,
        target=_target(invitation),
        role=role,
        expires=invitation.expires.isoformat(),
    )
    address = user.email if user is not None else email
    if address:
        inviter = actor.username if actor is not None else "An administrator"
        # Sent when the transaction commits: a refused or rolled back invitation mails nobody.
        transaction.on_commit(
            lambda: send_mail(
                f"Invitation to join {organization.name} on privindex",
                f"{inviter} invites you to join the organization {organization.name} as "
                f"{role}.\n\nSign in and accept or decline it here:\n{accept_url or '/org/'}\n\n"
                f"The invitation expires in {days} days.",
                None,
                [address],
                fail_silently=True,
            )
        )
    return invitation


def _pending(invitation: Invitation) -> Invitation:
    stored = (
        Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    )
    if stored.closed is not None or stored.expires <= timezone.now():
        raise AccountError("This invitation is no longer pending.", 409)
    return stored


def _close(invitation: Invitation, outcome: str) -> None:
    invitation.closed = timezone.now()
    invitation.outcome = outcome
    invitation.save(update_fields=["closed", "outcome"])


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> OrganizationMember:
    """``user`` accepts ``invitation`` (addressed to them, or to their email address) and
    joins with its role. Raises AccountError(404) when it is not theirs, AccountError(409)
    when it is no longer pending. Records ``organization:invitation-accept`` (and the new
    membership, ``organization:member-set``)."""
    stored = _pending(invitation)
    if not invitations_for(user=user).filter(pk=stored.pk).exists():
        raise AccountError("No such invitation.", 404)
    inviter = stored.invited_by
    if inviter is not None and not decide_organization(
        Principal(user=inviter), Action.ORGANIZATION_MANAGE, stored.organization, surface=None
    ):
        # Its inviter may no longer invite (deactivated, demoted, gone): it grants nothing.
        raise AccountError("This invitation is no longer valid: its sender cannot invite.", 409)
    _close(stored, "accepted")
    member = organization_member_set(
        organization=stored.organization, user=user, role=stored.role, actor=user
    )
    event_record(
        "organization:invitation-accept",
        actor=user,
        organization=stored.organization,
        target=_target(stored),
        role=stored.role,
    )
    return member


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: User) -> None:
    """``user`` declines ``invitation``; raises as ``invitation_accept``. Records
    ``organization:invitation-decline``."""
    stored = _pending(invitation)
    if not invitations_for(user=user).filter(pk=stored.pk).exists():
        raise AccountError("No such invitation.", 404)
    _close(stored, "declined")
    event_record(
        "organization:invitation-decline",
        actor=user,
        organization=stored.organization,
        target=_target(stored),
    )


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, actor: User | None) -> None:
    """An owner withdraws a pending invitation. Raises AccountError(409) when it is no longer
    pending. Records ``organization:invitation-withdraw``."""
    stored = _pending(invitation)
    _close(stored, "withdrawn")
    event_record(
        "organization:invitation-withdraw",
        actor=actor,
        organization=stored.organization,
        target=_target(stored),
    )
