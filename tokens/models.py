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
    identifier = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens"
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
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name or 'token'} ({self.identifier})"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked is None and (self.expires is None or self.expires > now)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes  # access: the data access.Principal asks
