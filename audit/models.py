"""The audit trail. An app of its own, so that projects, tokens and accounts can all point at it
without pointing at each other (``projects.Event`` → ``tokens.Token`` → ``projects.Project``
was a loop)."""

from django.conf import settings
from django.db import models


class Event(models.Model):
    """One thing that happened. ``data`` never holds a secret."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.ForeignKey(
        "tokens.Token", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        # The table it had as ``projects.Event``: moving the model moved no rows.
        db_table = "projects_event"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.action}"
