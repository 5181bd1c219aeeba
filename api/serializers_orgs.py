"""Shapes of organizations, their members, invitations and teams: output serializers for
answers, input serializers for 400-type validation (``api.serializers.parse``).

No business rules here: the accounts services validate what they own (names, the last
owner, who may join a team), and access is decided in ``api.views.org_access``.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.fields import empty

from accounts.limits import EMAIL_MAX, ORGANIZATION_NAME_MAX, TEAM_NAME_MAX, USERNAME_MAX
from accounts.models import Invitation, OrganizationRole, Visibility
from api.serializers import TokenSerializer
from projects.limits import PROJECT_NAME_MAX
from projects.models import ProjectRoleName, TeamProjectRole


def _url(serializer: serializers.Serializer, view: str, *args: object) -> str:
    path = reverse(view, args=[str(arg) for arg in args])
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def page_of(item: type[serializers.Serializer], name: str = "") -> type[serializers.Serializer]:
    """The schema of a page of ``item`` (``api.views.base.Pagination``: limit and offset)."""
    name = name or item.__name__.removesuffix("Serializer") + "PageSerializer"
    fields: dict[str, Any] = {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
        "__module__": __name__,
        "__doc__": f"A page of {item.__name__.removesuffix('Serializer')} items.",
    }
    return type(name, (serializers.Serializer,), fields)


# The query parameters of every page (``api.views.base.Pagination``).
PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, description="At most this many items (50; at most 500)."),
    OpenApiParameter("offset", int, description="Skip this many items."),
]


# --- output -----------------------------------------------------------------------------------


class OrganizationSerializer(serializers.Serializer):
    """Needs the caller's role as ``caller_role`` (None: a superuser who is not a member)."""

    name = serializers.CharField()
    normalized_name = serializers.CharField()
    role = serializers.CharField(source="caller_role", allow_null=True)
    url = serializers.SerializerMethodField()

    def get_url(self, organization) -> str:
        return _url(self, "api:org-detail", organization.normalized_name)


class OrganizationDetailSerializer(OrganizationSerializer):
    default_visibility = serializers.CharField()
    mfa_required = serializers.BooleanField()
    created = serializers.DateTimeField()
    members_url = serializers.SerializerMethodField()
    teams_url = serializers.SerializerMethodField()
    invitations_url = serializers.SerializerMethodField()
    tokens_url = serializers.SerializerMethodField()

    def get_members_url(self, organization) -> str:
        return _url(self, "api:org-member-list", organization.normalized_name)

    def get_teams_url(self, organization) -> str:
        return _url(self, "api:org-team-list", organization.normalized_name)

    def get_invitations_url(self, organization) -> str:
        return _url(self, "api:org-invitation-list", organization.normalized_name)

    def get_tokens_url(self, organization) -> str:
        return _url(self, "api:org-token-list", organization.normalized_name)


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    role = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, member) -> str:
        return _url(
            self, "api:org-member-detail", member.organization.normalized_name, member.user.username
        )


def _invitee(invitation: Invitation) -> str | None:
    return invitation.user.username if invitation.user is not None else None


class InvitationSerializer(serializers.Serializer):
    """A pending invitation as its organization's owners see it."""

    id = serializers.IntegerField()
    username = serializers.SerializerMethodField()
    email = serializers.CharField()
    role = serializers.CharField()
    invited_by = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_username(self, invitation: Invitation) -> str | None:
        return _invitee(invitation)

    def get_invited_by(self, invitation: Invitation) -> str | None:
        inviter = invitation.invited_by
        return inviter.username if inviter is not None else None

    def get_url(self, invitation: Invitation) -> str:
        return _url(
            self,
            "api:org-invitation-detail",
            invitation.organization.normalized_name,
            invitation.pk,
        )


class MyInvitationSerializer(serializers.Serializer):
    """A pending invitation as its invitee sees it, with where to accept or decline it."""

    id = serializers.IntegerField()
    organization = serializers.CharField(source="organization.name")
    role = serializers.CharField()
    invited_by = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField()
    accept_url = serializers.SerializerMethodField()
    decline_url = serializers.SerializerMethodField()

    def get_invited_by(self, invitation: Invitation) -> str | None:
        inviter = invitation.invited_by
        return inviter.username if inviter is not None else None

    def get_accept_url(self, invitation: Invitation) -> str:
        return _url(self, "api:invitation-accept", invitation.pk)

    def get_decline_url(self, invitation: Invitation) -> str:
        return _url(self, "api:invitation-decline", invitation.pk)


class TeamSerializer(serializers.Serializer):
    """A team, named in URLs by its id (team names are free text)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()
    members_url = serializers.SerializerMethodField()
    roles_url = serializers.SerializerMethodField()

    def _ids(self, team) -> tuple[str, int]:
        return team.organization.normalized_name, team.pk

    def get_url(self, team) -> str:
        return _url(self, "api:org-team-detail", *self._ids(team))

    def get_members_url(self, team) -> str:
        return _url(self, "api:org-team-member-list", *self._ids(team))

    def get_roles_url(self, team) -> str:
        return _url(self, "api:org-team-role-list", *self._ids(team))


class TeamMemberSerializer(serializers.Serializer):
    """Needs ``context["team"]``."""

    username = serializers.CharField(source="user.username")
    url = serializers.SerializerMethodField()

    def get_url(self, membership) -> str:
        team = self.context["team"]
        return _url(
            self,
            "api:org-team-member-detail",
            team.organization.normalized_name,
            team.pk,
            membership.user.username,
        )


class TeamRoleSerializer(serializers.Serializer):
    """A team's role on a project; needs ``context["team"]``."""

    project = serializers.CharField(source="project.name")
    role = serializers.CharField()
    url = serializers.SerializerMethodField()
    project_url = serializers.SerializerMethodField()

    def get_url(self, role: TeamProjectRole) -> str:
        team = self.context["team"]
        return _url(
            self,
            "api:org-team-role-detail",
            team.organization.normalized_name,
            team.pk,
            role.project.normalized_name,
        )

    def get_project_url(self, role: TeamProjectRole) -> str:
        return _url(self, "api:project-detail", role.project.normalized_name)


OrganizationPageSerializer = page_of(OrganizationSerializer)
MemberPageSerializer = page_of(MemberSerializer)
InvitationPageSerializer = page_of(InvitationSerializer)
MyInvitationPageSerializer = page_of(MyInvitationSerializer)
TeamPageSerializer = page_of(TeamSerializer)
TeamMemberPageSerializer = page_of(TeamMemberSerializer)
TeamRolePageSerializer = page_of(TeamRoleSerializer)
OrganizationTokenPageSerializer = page_of(TokenSerializer, "OrganizationTokenPageSerializer")


# --- input ------------------------------------------------------------------------------------


class _Flag(serializers.BooleanField):
    # An absent flag in a form-encoded body is absent, not False: PATCH changes only what
    # it names.
    default_empty_html = empty


def _no_slash(name: str) -> None:
    # An organization is named in URL paths, whose segments a slash would split: its name
    # could never be linked to. (``accounts.services.base.name_check`` is the better home.)
    if "/" in name:
        raise serializers.ValidationError("An organization name cannot contain '/'.")


class OrganizationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=ORGANIZATION_NAME_MAX, validators=[_no_slash])
    default_visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, default=Visibility.PRIVATE
    )


class OrganizationUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=ORGANIZATION_NAME_MAX, required=False, validators=[_no_slash]
    )
    default_visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    mfa_required = _Flag(
        required=False,
        help_text="Members must set up two-factor authentication; you need it yourself first.",
    )


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=OrganizationRole.choices)


class InvitationCreateSerializer(serializers.Serializer):
    """Whom to invite, by username or by email address (one of them), and their role."""

    username = serializers.CharField(max_length=USERNAME_MAX, required=False)
    email = serializers.EmailField(max_length=EMAIL_MAX, required=False)
    role = serializers.ChoiceField(
        choices=OrganizationRole.choices, required=False, default=OrganizationRole.MEMBER
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("username") and attrs.get("email"):
            raise serializers.ValidationError("Give a username or an email address, not both.")
        return attrs


class TeamNameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=TEAM_NAME_MAX)


class TeamMemberAddSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=USERNAME_MAX)


class TeamRoleChangeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ProjectRoleName.choices)


class TeamRoleGrantSerializer(TeamRoleChangeSerializer):
    project = serializers.CharField(max_length=PROJECT_NAME_MAX)
