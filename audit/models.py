"""The audit trail. An app of its own, so that projects, tokens and accounts can all point at it
without pointing at each other (``projects.Event`` → ``tokens.Token`` → ``projects.Project``
was a loop)."""

from typing import Any

from django.conf import settings
from django.db import models


class ActorKind(models.TextChoices):
    USER = "user", "User"
    TOKEN = "token", "Personal token"
    ORGANIZATION_TOKEN = "org-token", "Organization token"
    ANONYMOUS = "anonymous", "Anonymous"
    SYSTEM = "system", "System (a command or a task)"


class Event(models.Model):
    """One thing that happened: immutable (``save`` refuses to change a stored event; only the
    retention sweep deletes). ``data`` never holds a secret; changes keep their old and new
    values there (``previous``/``current`` or the field's own name)."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who acted as they were then (the user row may be renamed or deleted later): a username,
    # a token's identifier, or ``system (<OS user>)`` for a command.
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices, default="")
    actor_name = models.CharField(max_length=200, blank=True, default="")
    token = models.ForeignKey(
        "tokens.Token", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    # What the action was done to, e.g. ``user:alice``, ``team:acme/ci``, ``token:abc...``.
    target = models.CharField(max_length=300, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        # The table it had as ``projects.Event``: moving the model moved no rows.
        db_table = "projects_event"
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Audit events are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit events are immutable; the retention sweep removes old ones.")


class AuthFailure(models.Model):
    """Failed authentication (bad tokens, failed sign-ins), counted per address, what was
    tried and hour (``audit.services.failure_counted``): each bucket's first failure writes
    one event (``token:auth-failed``, ``user:login-failed``), later ones only count here, so
    a flood of bad credentials cannot flood the trail."""

    window = models.DateTimeField()  # the start of the hour
    ip = models.CharField(max_length=45, blank=True, default="")
    # The identifier of the token a well-formed but wrong secret named, if that token exists;
    # empty for every other bad credential.
    identifier = models.CharField(max_length=16, blank=True, default="")
    count = models.PositiveIntegerField(default=0)
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-window"]
        constraints = [
            models.UniqueConstraint(
                fields=["window", "ip", "identifier"], name="uniq_auth_failure_bucket"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.count} failure(s) from {self.ip} in the hour from {self.window:%Y-%m-%d %H:%M}"
        )
