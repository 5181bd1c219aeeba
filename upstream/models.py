"""Upstream indexes, what privindex caches of them, and the administrators' rules.

Models hold data and nothing else: fetching and caching is ``upstream.proxy``; who may read is
``access``.
"""

from django.conf import settings
from django.db import models


class Upstream(models.Model):
    """An index whose projects are served for names that have no local project."""

    name = models.SlugField(max_length=50, unique=True)
    # The simple index base, ending in "/": https://pypi.org/simple/
    url = models.URLField(max_length=500)
    username = models.CharField(max_length=200, blank=True, default="")
    # Sent to the upstream (and to file URLs on the same origin) as HTTP Basic. Not a
    # privindex credential: it has to be usable, so it is stored as given.
    password = models.CharField(max_length=500, blank=True, default="")
    # Lower first: a name is answered by the first upstream that has it.
    priority = models.IntegerField(default=100)
    enabled = models.BooleanField(default=True)
    # Curated: only names with an allow rule are served from this upstream.
    curated = models.BooleanField(default=False)
    # The row that mirrors PRIVINDEX_UPSTREAM_URL; kept in step with the environment.
    from_environment = models.BooleanField(default=False, editable=False)
    # Health, as last seen by a request.
    last_ok_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True, default="", editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.name


class RuleKind(models.TextChoices):
    BLOCK = "block", "Block: never serve this name from the upstream"
    ALLOW = "allow", "Allow: serve this name from a curated upstream"


class UpstreamRule(models.Model):
    """A blocklist or allowlist entry for one project name."""

    name = models.CharField(max_length=200, help_text="A project name (normalized on save).")
    kind = models.CharField(max_length=5, choices=RuleKind.choices)
    # None: every upstream.
    upstream = models.ForeignKey(
        Upstream, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    note = models.CharField(max_length=300, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="upstream_rule_name_idx")]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind", "upstream"], name="uniq_upstream_rule")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class AllowedName(models.Model):
    """A name a new local project may take although an upstream has it (the name policy)."""

    name = models.CharField(max_length=200, unique=True)
    note = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CachedPage(models.Model):
    """An upstream project page as last fetched: its files, or that the upstream has no such
    project (``found`` false). Failures are never stored."""

    upstream = models.ForeignKey(Upstream, on_delete=models.CASCADE, related_name="pages")
    name = models.CharField(max_length=200)  # normalized
    found = models.BooleanField(default=True)
    # {"versions": [...], "files": [...], "status": {...} | None, "format": "json" | "html"}
    data = models.JSONField(default=dict)
    # A stand-in written for a local name hidden from a caller, so that asking for it again
    # costs what asking again for an unknown name costs; never sent to the upstream, never
    # used as an answer (decision 0015).
    shadow = models.BooleanField(default=False)
    etag = models.CharField(max_length=200, blank=True, default="")
    last_modified = models.CharField(max_length=100, blank=True, default="")
    fetched_at = models.DateTimeField()  # last 200 from the upstream
    checked_at = models.DateTimeField()  # last 200 or 304: fresh until checked_at + TTL

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["upstream", "name"], name="uniq_cached_page")
        ]

    def __str__(self) -> str:
        return f"{self.upstream}:{self.name}"


class CachedFileState(models.TextChoices):
    STAGED = "staged", "Staged"
    STORED = "stored", "Stored"


class CachedFile(models.Model):
    """A file (or a wheel's ``.metadata``) fetched from an upstream, checked and kept."""

    upstream = models.ForeignKey(Upstream, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)  # the project's normalized name
    filename = models.CharField(max_length=260)
    url = models.URLField(max_length=2000)
    sha256 = models.CharField(max_length=64)
    # Every digest computed while fetching (sha256, sha384, sha512, md5): a page that later
    # gives another hash for the filename is compared with these.
    hashes = models.JSONField(default=dict)
    size = models.BigIntegerField()
    storage_key = models.CharField(max_length=600, unique=True)
    storage_state = models.CharField(
        max_length=8, choices=CachedFileState.choices, default=CachedFileState.STAGED
    )
    fetched_at = models.DateTimeField(auto_now_add=True)
    stored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "filename"]
        constraints = [
            models.UniqueConstraint(fields=["name", "filename"], name="uniq_cached_file")
        ]
        indexes = [models.Index(fields=["storage_state"], name="cached_file_state_idx")]

    def __str__(self) -> str:
        return self.filename
