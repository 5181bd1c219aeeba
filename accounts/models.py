"""Users, organizations and teams. Roles here feed ``access``; nothing here decides."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from packaging.utils import canonicalize_name


class User(AbstractUser):
    """The custom user model, in place from the first migration."""

    class Meta:
        db_table = "accounts_user"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"


class Organization(models.Model):
    name = models.CharField(max_length=100, unique=True)
    normalized_name = models.CharField(max_length=100, unique=True, editable=False)
    default_visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    is_active = models.BooleanField(default=True)
    # Members must sign in with two-factor authentication to use the web UI
    # (accounts.middleware.MfaRequiredMiddleware); set by owners (organization_mfa_require).
    mfa_required = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["normalized_name"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.normalized_name = canonicalize_name(self.name)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name


class OrganizationRole(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    MEMBER = "member", "Member"


class OrganizationMember(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organization_roles")
    role = models.CharField(max_length=10, choices=OrganizationRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="uniq_org_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.organization}"


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    users: models.ManyToManyField[User, TeamMember] = models.ManyToManyField(
        User, through="TeamMember", related_name="teams"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_team_name")
        ]

    def __str__(self) -> str:
        return f"{self.organization}/{self.name}"


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="uniq_team_member")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class Invitation(models.Model):
    """An invitation to join an organization, pending until the invitee accepts or declines it
    (or an owner withdraws it, or it expires). Addressed to a user, or to an email address
    that a user with that (verified by an administrator) address may accept."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(blank=True, default="")
    role = models.CharField(max_length=10, choices=OrganizationRole.choices)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    # When it stopped being pending, and how.
    closed = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, blank=True, default="")  # accepted, declined, ...

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""),
                name="invitation_user_or_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user or self.email} to {self.organization} as {self.role}"
