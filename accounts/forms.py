"""The forms of the organization pages (``accounts.views``): they check the shape of a request
(lengths, choices), never who may send it (``access``) nor what the services refuse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from access import ORGANIZATION_TOKEN_SCOPES
from accounts.limits import TEAM_NAME_MAX, USERNAME_MAX
from accounts.models import OrganizationRole, Visibility
from projects.limits import PROJECT_NAME_MAX
from projects.models import Project, ProjectRoleName
from tokens import limits as token_limits
from tokens.models import Scope


class InvitationForm(forms.Form):
    """Whom to invite: a username or an email address (the service refuses neither or
    both), and the role they will have."""

    username = forms.CharField(max_length=USERNAME_MAX, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=OrganizationRole.choices, initial=OrganizationRole.MEMBER)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("username") and data.get("email"):
            raise forms.ValidationError("Give a username or an email address, not both.")
        return data


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=OrganizationRole.choices)


class MfaRequiredForm(forms.Form):
    required = forms.TypedChoiceField(
        choices=[("on", "on"), ("off", "off")], coerce=lambda value: value == "on"
    )


class DefaultVisibilityForm(forms.Form):
    default_visibility = forms.ChoiceField(choices=Visibility.choices)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=TEAM_NAME_MAX)


class TeamMemberForm(forms.Form):
    username = forms.CharField(max_length=USERNAME_MAX)


class TeamProjectRoleForm(forms.Form):
    """A project by name: the page offers the organization's projects, and the service
    refuses any other (``projects.services.team_project_role_set``)."""

    project = forms.CharField(max_length=PROJECT_NAME_MAX)
    role = forms.ChoiceField(choices=ProjectRoleName.choices)


class OrganizationTokenForm(forms.Form):
    """An organization token: the read and upload scopes only (``access``'s
    ``ORGANIZATION_TOKEN_SCOPES``), optionally kept to some of the organization's projects
    (the ones offered), with the limits every token has (``tokens.limits``)."""

    name = forms.CharField(
        max_length=token_limits.NAME_MAX,
        required=False,
        help_text="What the token is for, e.g. “CI upload” or “deploy”.",
    )
    scopes = forms.MultipleChoiceField(
        choices=[(v, label) for v, label in Scope.choices if v in ORGANIZATION_TOKEN_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
    )
    projects = forms.ModelMultipleChoiceField(
        queryset=Project.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Restrict to projects",
        help_text="None chosen: every project of the organization, present and future.",
    )
    expires_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=token_limits.MAX_EXPIRY_DAYS,
        label="Expires after (days)",
        help_text="Empty: never expires.",
    )

    def __init__(self, *args: Any, projects: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["projects"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = projects  # labelled by ``Project.__str__``: the project's name

    def clean_projects(self) -> list[Project]:
        chosen = list(self.cleaned_data["projects"])
        if len(chosen) > token_limits.MAX_PROJECTS:
            raise forms.ValidationError(f"At most {token_limits.MAX_PROJECTS} projects.")
        return chosen
