"""PEP 752 namespace grants. Data only: the rules are ``namespaces.services``', the reads
``namespaces.selectors``'.

A grant reserves a namespace (a normalized project name) and every name that starts with it
followed by a hyphen. It is owned by an organization or, an extension of the PEP here, by a
user (decision 0016). A *root* grant has no parent; a *child* grant extends a root grant of
the same owner (``parent``), one level deep. A revoked grant is deleted: the audit trail keeps
its history, and the name may be granted again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Organization

# The longest project name (``projects.Project.name``): a namespace is a project name.
NAMESPACE_MAX = 200


class NamespaceGrant(models.Model):
    # The spelling it was granted as, kept for display; matching uses ``normalized_name``.
    name = models.CharField(max_length=NAMESPACE_MAX)
    normalized_name = models.CharField(max_length=NAMESPACE_MAX, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="namespace_grants",
    )
    # PROTECT: a user holding a grant is not deleted with it silently (revoke it first).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="namespace_grants",
    )
    # RESTRICT, not PROTECT: a root may go in the same deletion as its children, never alone.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="children",
    )
    open = models.BooleanField(default=False, help_text="Anyone may create projects in it.")
    hidden = models.BooleanField(
        default=False, help_text="Reserved, but never shown by the JSON API to others."
    )
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["normalized_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False, user__isnull=True)
                | Q(organization__isnull=True, user__isnull=False),
                name="namespace_one_owner",
                violation_error_message="A namespace is granted to an organization or a user.",
            ),
            models.CheckConstraint(
                condition=~Q(open=True, hidden=True),
                name="namespace_hidden_not_open",
                violation_error_message="A hidden namespace cannot be open.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_label(self) -> str:
        """Who holds it, for people: ``organization 'acme'`` or ``user 'alice'``."""
        if self.organization_id is not None:
            return f"organization '{self.organization}'"
        return f"user '{self.user}'"
