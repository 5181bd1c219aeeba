"""Projects, their releases and files, roles, and the audit trail.

Models hold data and nothing else: who may do what is ``access``; writes are
``projects.services``; reads are ``projects.selectors``.
"""

from django.conf import settings
from django.db import models

from accounts.models import Organization, Team, Visibility

__all__ = [
    "CoreMetadata",
    "File",
    "FileRemoval",
    "FilenameRegistry",
    "PackageType",
    "Project",
    "ProjectRole",
    "ProjectRoleName",
    "ProjectStatus",
    "Release",
    "StorageState",
    "TeamProjectRole",
    "Visibility",
]


class ProjectStatus(models.TextChoices):
    """PEP 792 project status markers."""

    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"
    DEPRECATED = "deprecated", "Deprecated"
    QUARANTINED = "quarantined", "Quarantined"


class Project(models.Model):
    name = models.CharField(max_length=200)
    normalized_name = models.CharField(max_length=200, unique=True)
    # Confusable-insensitive form for the "too similar" check (S3.6); see services.
    ultranormalized_name = models.CharField(max_length=200, db_index=True, default="")
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    status = models.CharField(
        max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    status_reason = models.CharField(max_length=400, blank=True, default="")
    # Per-project overrides of the upload limits (S3.12); null means the site default.
    upload_limit = models.BigIntegerField(null=True, blank=True)
    total_size_limit = models.BigIntegerField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # The id of the latest audit event about the project (PyPI's ``last_serial``): it grows with
    # every recorded change and never goes back. Written by ``audit.services.event_record``
    # only, with an UPDATE of its own; every other write of a project names its fields.
    last_serial = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["normalized_name"]

    def __str__(self) -> str:
        return self.name


class ProjectRoleName(models.TextChoices):
    OWNER = "owner", "Owner"
    MAINTAINER = "maintainer", "Maintainer"
    READER = "reader", "Reader"


class ProjectRole(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_roles"
    )
    role = models.CharField(max_length=12, choices=ProjectRoleName.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="uniq_project_user_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.project}"


class TeamProjectRole(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team_roles")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="project_roles")
    role = models.CharField(max_length=12, choices=ProjectRoleName.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "team"], name="uniq_project_team_role")
        ]

    def __str__(self) -> str:
        return f"team {self.team} is {self.role} of {self.project}"


class Release(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=100)
    canonical_version = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)
    yanked = models.BooleanField(default=False)
    yanked_reason = models.TextField(blank=True, default="")
    # Release metadata, from the first file's core metadata.
    requires_python = models.CharField(max_length=200, blank=True, default="")
    summary = models.CharField(max_length=512, blank=True, default="")
    description = models.TextField(blank=True, default="")
    description_content_type = models.CharField(max_length=128, blank=True, default="")
    description_html = models.TextField(blank=True, default="")
    author = models.TextField(blank=True, default="")
    author_email = models.TextField(blank=True, default="")
    maintainer = models.TextField(blank=True, default="")
    maintainer_email = models.TextField(blank=True, default="")
    license = models.TextField(blank=True, default="")
    license_expression = models.CharField(max_length=400, blank=True, default="")
    keywords = models.TextField(blank=True, default="")
    home_page = models.TextField(blank=True, default="")
    download_url = models.TextField(blank=True, default="")
    classifiers = models.JSONField(default=list, blank=True)
    requires_dist = models.JSONField(default=list, blank=True)
    provides_extra = models.JSONField(default=list, blank=True)
    project_urls = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "canonical_version"], name="uniq_release_version"
            )
        ]
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.project.name} {self.version}"


class PackageType(models.TextChoices):
    SDIST = "sdist", "Source distribution"
    WHEEL = "bdist_wheel", "Wheel"


class StorageState(models.TextChoices):
    STAGED = "staged", "Staged"
    STORED = "stored", "Stored"


class File(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="files")
    filename = models.CharField(max_length=255, unique=True)
    packagetype = models.CharField(max_length=12, choices=PackageType.choices)
    python_version = models.CharField(max_length=100)
    requires_python = models.CharField(max_length=200, blank=True, default="")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    # Not unique index-wide: an upload must not learn that identical bytes exist in a private
    # project it cannot see. Duplicates are refused within a project (S3.14).
    blake2_256 = models.CharField(max_length=64, db_index=True)
    md5 = models.CharField(max_length=32)
    # sha256 of the wheel's METADATA, served at <file>.metadata (PEP 658/714); null when absent.
    metadata_sha256 = models.CharField(max_length=64, null=True, blank=True)
    upload_time = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    storage_state = models.CharField(
        max_length=8, choices=StorageState.choices, default=StorageState.STAGED
    )
    stored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["filename"]
        indexes = [models.Index(fields=["storage_state"], name="file_storage_state_idx")]

    def __str__(self) -> str:
        return self.filename

    @property
    def storage_key(self) -> str:
        return storage_key(self.blake2_256, self.filename)


def storage_key(blake2_256: str, filename: str) -> str:
    """Where a file's bytes live, content-addressed as Warehouse lays them out (S3.24).

    The same key names the file in staging, in the store and in its download URL.
    """
    b = blake2_256
    return f"{b[:2]}/{b[2:4]}/{b[4:]}/{filename}"


class CoreMetadata(models.Model):
    """The exact ``METADATA`` bytes of a wheel, served as ``<file>.metadata``."""

    file = models.OneToOneField(
        File, on_delete=models.CASCADE, primary_key=True, related_name="core_metadata"
    )
    content = models.BinaryField()


class FileRemoval(models.Model):
    """The bytes of a deleted file, still to be removed from the store and staging: written in
    the deletion's transaction, removed once the bytes are gone (on commit, else by the
    sweeper), so a store that is down at deletion time leaves no orphan behind."""

    storage_key = models.CharField(max_length=400, primary_key=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.storage_key


class FilenameRegistry(models.Model):
    """Every filename ever accepted: a filename is never reused, even after deletion (S3.15)."""

    filename = models.CharField(max_length=255, primary_key=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename
