"""Shapes: output serializers for answers, input serializers for 400-type validation.

No business rules here: the services validate what they own, and access is decided elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from access import project_offers_files
from accounts.limits import ORGANIZATION_NAME_MAX, USERNAME_MAX
from accounts.models import Visibility
from api.errors import Invalid
from projects.limits import PROJECT_NAME_MAX, STATUS_REASON_MAX, YANK_REASON_MAX
from projects.models import Project, ProjectRoleName, ProjectStatus
from simple_api.pages import file_url_path
from tokens import limits as token_limits
from tokens.models import Scope, Token


def parse(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """Validated input, or 400 with every error at once: each invalid field, each missing
    one, and each field the serializer does not know (a typo such as ``visibilty`` would
    otherwise change nothing and answer 200)."""
    if not isinstance(data, Mapping):
        raise Invalid({"": ["Expected a JSON object."]})
    known = serializer_class().fields
    serializer = serializer_class(data=data)
    errors = {} if serializer.is_valid() else dict(serializer.errors)
    for key in data:
        if key not in known:
            errors[str(key)] = ["Unknown field."]
    if errors:
        raise Invalid(errors)
    return dict(serializer.validated_data)


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


# --- output -----------------------------------------------------------------------------------


class ProjectSerializer(serializers.Serializer):
    name = serializers.CharField()
    normalized_name = serializers.CharField()
    visibility = serializers.CharField()
    status = serializers.CharField()
    organization = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(
        view_name="api:project-detail", lookup_field="normalized_name", lookup_url_kwarg="name"
    )

    def get_organization(self, project: Project) -> str | None:
        organization = project.organization  # no query when it has none
        return organization.name if organization is not None else None


class ProjectDetailSerializer(ProjectSerializer):
    status_reason = serializers.CharField()
    created = serializers.DateTimeField()


class FileSerializer(serializers.Serializer):
    filename = serializers.CharField()
    url = serializers.SerializerMethodField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    packagetype = serializers.CharField()
    upload_time = serializers.DateTimeField()
    yanked = serializers.BooleanField(source="release.yanked")

    def get_url(self, file) -> str:
        # The stable app URL, never a presigned store URL (S5.2).
        return _absolute(self.context.get("request"), file_url_path(file))


class ReleaseSummarySerializer(serializers.Serializer):
    """Needs ``context["project"]``: the releases' project, so no row fetches it again."""

    version = serializers.CharField()
    yanked = serializers.BooleanField()
    yanked_reason = serializers.CharField()
    created = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, release) -> str:
        project = self.context["project"]
        path = reverse("api:release-detail", args=[project.normalized_name, release.version])
        return _absolute(self.context.get("request"), path)


class ReleaseSerializer(ReleaseSummarySerializer):
    requires_python = serializers.CharField()
    summary = serializers.CharField()
    files = serializers.SerializerMethodField()

    def get_files(self, release) -> list:
        if not project_offers_files(self.context["project"]):
            return []  # a quarantined project offers no files on any surface (S1.42)
        files = FileSerializer(release.files.all(), many=True, context=self.context)
        # DRF's stubs type Serializer(many=True) as the Serializer; it is a ListSerializer.
        return files.data  # type: ignore[return-value]  # a ReturnList, not the stubs' ReturnDict


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
    expires = serializers.DateTimeField()
    last_used = serializers.DateTimeField()
    revoked = serializers.DateTimeField()

    def get_organization_owned(self, token: Token) -> bool:
        return token.is_organization_token

    def get_created_by(self, token: Token) -> str | None:
        creator = token.created_by  # selected with the token
        return creator.username if creator is not None else None

    def get_projects(self, token: Token) -> list[str]:
        return sorted(p.name for p in token.projects.all())

    def get_organization(self, token: Token) -> str | None:
        organization = token.organization  # no query when it has none
        return organization.name if organization is not None else None


# --- input ------------------------------------------------------------------------------------


class ProjectUpdateSerializer(serializers.Serializer):
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)
    status_reason = serializers.CharField(
        max_length=STATUS_REASON_MAX, required=False, allow_blank=True, trim_whitespace=True
    )


class YankSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=YANK_REASON_MAX, required=False, allow_blank=True, default=""
    )


class RoleRemoveSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=USERNAME_MAX)


class RoleSetSerializer(RoleRemoveSerializer):
    role = serializers.ChoiceField(choices=ProjectRoleName.choices)


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
