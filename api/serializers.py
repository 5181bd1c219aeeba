"""Shapes: output serializers for answers, input serializers for 400-type validation.

No business rules here: the services validate what they own, and access is decided elsewhere.
Every body and every query is read through ``parse``: every error at once, unknown fields 400.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from access import project_offers_files
from accounts.limits import ORGANIZATION_NAME_MAX, USERNAME_MAX
from accounts.models import Visibility
from api.validation import OFFSET_MAX, PageQuerySerializer
from projects.limits import PROJECT_NAME_MAX, QUERY_MAX, STATUS_REASON_MAX, YANK_REASON_MAX
from projects.models import File, Project, ProjectRoleName, ProjectStatus, Release
from simple_api.pages import file_url_path
from tokens import limits as token_limits
from tokens.models import Scope, Token
from uploads.validation.form import NAME_RE

# The upload form's words for a name it refuses (``uploads.validation.form``).
NAME_INVALID = (
    "Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'."
)
# The largest offset or id a query or body may name: PostgreSQL's integers are bounded,
# Python's are not.


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _url(serializer: serializers.Serializer, view: str, *args: str) -> str:
    return _absolute(serializer.context.get("request"), reverse(view, args=list(args)))


@cache
def page_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a page of ``item`` (``api.views.base.Pagination``: limit and offset)."""
    noun = item.__name__.removesuffix("Serializer")
    fields: dict[str, Any] = {
        "count": serializers.IntegerField(help_text="How many there are in all."),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
        "__module__": __name__,
        "__doc__": f"A page of {noun} items (limit and offset).",
    }
    return type(f"{noun}PageSerializer", (serializers.Serializer,), fields)


# --- output: projects -------------------------------------------------------------------------


class ProjectSerializer(serializers.Serializer):
    name = serializers.CharField()
    normalized_name = serializers.CharField()
    visibility = serializers.CharField()
    status = serializers.CharField()
    organization = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(
        view_name="api:project-detail", lookup_field="normalized_name", lookup_url_kwarg="name"
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organization(self, project: Project) -> str | None:
        organization = project.organization  # no query when it has none
        return organization.name if organization is not None else None


class ProjectDetailSerializer(ProjectSerializer):
    status_reason = serializers.CharField()
    created = serializers.DateTimeField()
    releases_url = serializers.SerializerMethodField()

    def get_releases_url(self, project: Project) -> str:
        return _url(self, "api:release-list", project.normalized_name)


class ProjectStateSerializer(serializers.Serializer):
    """What a change of visibility or status answers: only what it set, so that a token that
    may manage but not read the project learns nothing else of it."""

    name = serializers.CharField()
    visibility = serializers.CharField()
    status = serializers.CharField()
    status_reason = serializers.CharField()


# --- output: releases and files ---------------------------------------------------------------


class ReleaseSummarySerializer(serializers.Serializer):
    """Needs ``context["project"]``: the releases' project, so no row fetches it again."""

    version = serializers.CharField()
    yanked = serializers.BooleanField()
    yanked_reason = serializers.CharField()
    requires_python = serializers.CharField()
    summary = serializers.CharField()
    created = serializers.DateTimeField()
    url = serializers.SerializerMethodField()
    files_url = serializers.SerializerMethodField()

    def get_url(self, release: Release) -> str:
        project = self.context["project"]
        return _url(self, "api:release-detail", project.normalized_name, release.version)

    def get_files_url(self, release: Release) -> str:
        project = self.context["project"]
        return _url(self, "api:file-list", project.normalized_name, release.version)


class HashesSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    blake2b_256 = serializers.CharField(source="blake2_256")
    md5 = serializers.CharField()


class FileSerializer(serializers.Serializer):
    """A file offered for download; ``url`` is its download URL."""

    filename = serializers.CharField()
    url = serializers.SerializerMethodField()
    size = serializers.IntegerField()
    hashes = HashesSerializer(source="*")
    metadata_sha256 = serializers.CharField(
        allow_null=True, help_text="The sha256 of its core metadata (PEP 658), if it has one."
    )
    packagetype = serializers.CharField()
    python_version = serializers.CharField()
    requires_python = serializers.CharField()
    upload_time = serializers.DateTimeField()
    yanked = serializers.BooleanField(source="release.yanked")

    def get_url(self, file: File) -> str:
        # The stable app URL, never a presigned store URL (S5.2).
        return _absolute(self.context.get("request"), file_url_path(file))


class ReleaseSerializer(ReleaseSummarySerializer):
    files = serializers.SerializerMethodField()

    @extend_schema_field(FileSerializer(many=True))
    def get_files(self, release: Release) -> list:
        if not project_offers_files(self.context["project"]):
            return []  # a quarantined project offers no files on any surface (S1.42)
        files = FileSerializer(release.files.all(), many=True, context=self.context)
        # DRF's stubs type Serializer(many=True) as the Serializer; it is a ListSerializer.
        return files.data  # type: ignore[return-value]  # a ReturnList, not the stubs' ReturnDict


class ReleaseYankStateSerializer(serializers.Serializer):
    """What a yank or an un-yank answers: only the yank state (an upload-only token must not
    learn the files of a private project this way)."""

    version = serializers.CharField()
    yanked = serializers.BooleanField()
    yanked_reason = serializers.CharField()


# --- output: roles and tokens -----------------------------------------------------------------


class ProjectUserRoleSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    role = serializers.ChoiceField(choices=ProjectRoleName.choices)


class ProjectTeamRoleSerializer(serializers.Serializer):
    team_id = serializers.IntegerField()
    team = serializers.CharField(source="team.name")
    role = serializers.ChoiceField(choices=ProjectRoleName.choices)


class TokenSerializer(serializers.Serializer):
    """Never the secret or its hash."""

    identifier = serializers.CharField()
    name = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    projects = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    organization_owned = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField(allow_null=True)
    last_used = serializers.DateTimeField(allow_null=True)
    revoked = serializers.DateTimeField(allow_null=True)

    def get_organization_owned(self, token: Token) -> bool:
        return token.is_organization_token

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, token: Token) -> str | None:
        creator = token.created_by  # selected with the token
        return creator.username if creator is not None else None

    def get_projects(self, token: Token) -> list[str]:
        return sorted(p.name for p in token.projects.all())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organization(self, token: Token) -> str | None:
        organization = token.organization  # no query when it has none
        return organization.name if organization is not None else None


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(help_text="The token itself: shown this once, stored nowhere.")


# --- input: queries ---------------------------------------------------------------------------


class ProjectListQuerySerializer(PageQuerySerializer):
    q = serializers.CharField(
        max_length=QUERY_MAX, required=False, allow_blank=True, help_text="A part of the name."
    )
    organization = serializers.CharField(
        max_length=ORGANIZATION_NAME_MAX,
        required=False,
        help_text="Only the projects of this organization (any spelling of its name).",
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)


# --- input: bodies ----------------------------------------------------------------------------


class ProjectCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=PROJECT_NAME_MAX)
    organization = serializers.CharField(
        max_length=ORGANIZATION_NAME_MAX,
        required=False,
        allow_null=True,
        default=None,
        help_text="Create it in this organization (its owners and managers may).",
    )
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="The organization's default visibility, else the index's, if not given.",
    )

    def validate_name(self, value: str) -> str:
        if not NAME_RE.match(value):  # the upload's rule for a name (PEP 508)
            raise serializers.ValidationError(NAME_INVALID)
        return value


class ProjectUpdateSerializer(serializers.Serializer):
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)
    status_reason = serializers.CharField(
        max_length=STATUS_REASON_MAX, required=False, allow_blank=True, trim_whitespace=True
    )


class ProjectTransferSerializer(serializers.Serializer):
    to = serializers.CharField(
        max_length=ORGANIZATION_NAME_MAX + len("org:"),
        help_text="`org:<name>`: into an organization you own; `me`: out of its organization, "
        "to you.",
    )


class YankSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=YANK_REASON_MAX, required=False, allow_blank=True, default=""
    )


class ProjectRoleChangeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ProjectRoleName.choices)


class ProjectUserRoleGrantSerializer(ProjectRoleChangeSerializer):
    username = serializers.CharField(max_length=USERNAME_MAX)


class ProjectTeamRoleGrantSerializer(ProjectRoleChangeSerializer):
    team_id = serializers.IntegerField(
        min_value=1, max_value=OFFSET_MAX, help_text="A team of the project's organization."
    )


class OrganizationTokenCreateSerializer(serializers.Serializer):
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=[Scope.READ, Scope.UPLOAD]), allow_empty=False
    )
    name = serializers.CharField(
        max_length=token_limits.NAME_MAX, required=False, allow_blank=True, default=""
    )
    projects = serializers.ListField(
        child=serializers.CharField(max_length=PROJECT_NAME_MAX),
        required=False,
        default=list,
        max_length=token_limits.MAX_PROJECTS,
    )
    expires_in_days = serializers.IntegerField(
        min_value=1,
        max_value=token_limits.MAX_EXPIRY_DAYS,
        required=False,
        allow_null=True,
        default=None,
    )


class TokenCreateSerializer(serializers.Serializer):
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices), allow_empty=False
    )
    name = serializers.CharField(
        max_length=token_limits.NAME_MAX, required=False, allow_blank=True, default=""
    )
    projects = serializers.ListField(
        child=serializers.CharField(max_length=PROJECT_NAME_MAX),
        required=False,
        default=list,
        max_length=token_limits.MAX_PROJECTS,
    )
    organization = serializers.CharField(
        max_length=ORGANIZATION_NAME_MAX, required=False, allow_null=True, default=None
    )
    expires_in_days = serializers.IntegerField(
        min_value=1,
        max_value=token_limits.MAX_EXPIRY_DAYS,
        required=False,
        allow_null=True,
        default=None,
    )
