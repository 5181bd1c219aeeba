"""API tokens. The secret is never stored; only its SHA-256 digest (DESIGN 5)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization


class Scope(models.TextChoices):
    READ = "read", "Read (install and download)"
    UPLOAD = "upload", "Upload (publish and yank)"
    MANAGE = "manage", "Manage (visibility, roles, settings)"


class Token(models.Model):
    """A personal token (``user`` set: it acts for its user, narrowed by its scopes and
    restrictions) or an organization token (``user`` empty: it belongs to ``organization``,
    for CI and deploy machines, and outlives whoever made it; ``created_by`` says who)."""

    identifier = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tokens",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(max_length=100, blank=True, default="")
    scopes = models.JSONField(default=list)
    # Restrictions narrow the owner's rights; empty means "every project the owner may use".
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)
    # The address of the last use, so a new one is noticed without a query (``TokenAddress``).
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)
    # When its expiry was written to the audit trail (``token:expire``), once.
    expiry_recorded = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(organization__isnull=False),
                name="token_user_or_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or 'token'} ({self.identifier})"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked is None and (self.expires is None or self.expires > now)

    @property
    def is_organization_token(self) -> bool:
        """Owned by its organization, not by a person."""
        return self.user_id is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes  # access: the data access.Principal asks


class TokenAddress(models.Model):
    """An address a token was used from; its first use from a new one is audited."""

    token = models.ForeignKey(Token, on_delete=models.CASCADE, related_name="addresses")
    ip = models.GenericIPAddressField()
    first_seen = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "ip"], name="uniq_token_address")]
