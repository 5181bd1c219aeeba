"""A project's roles, of users and of teams: list, grant, change, revoke (``projects:manage``).

The services keep the invariants, as for the settings page: a project without an organization
keeps an owner (demoting or removing its last one is a 409), direct roles on an
organization's project go to its members only, team roles to its own teams. A list also needs
the read scope, as every list does.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response

from access import Action
from accounts import selectors as account_selectors
from api.errors import Invalid
from api.permissions import ServiceFailure, authorize, not_found
from api.schema import problems
from api.serializers import (
    ProjectRoleChangeSerializer,
    ProjectTeamRoleGrantSerializer,
    ProjectTeamRoleSerializer,
    ProjectUserRoleGrantSerializer,
    ProjectUserRoleSerializer,
    page_of,
)
from api.validation import PageQuerySerializer, parse
from api.views.base import PrincipalView, list_allowed, page
from api.views.projects import WRITES, example_page
from projects import selectors, services
from projects.models import Project

TAG = ["roles"]
LISTS = problems(400, 401, 403, 404, 429)
USER_ROLE = {"username": "alice", "role": "maintainer"}
TEAM_ROLE = {"team_id": 7, "team": "release-managers", "role": "maintainer"}


def _set(call, **kwargs) -> None:
    try:
        call(**kwargs)
    except services.ServiceError as exc:
        raise ServiceFailure(exc) from None


def _grantee(project: Project, username: str):
    """The user ``username`` names: one who holds a role on the project (as it lists them),
    else an active user. Inactive users are not told apart from unknown names."""
    held = selectors.project_user_role_get(project=project, username=username)
    user = held.user if held is not None else account_selectors.user_get(username=username)
    if user is None:
        raise Invalid({"username": [f"No user named {username}."]})
    return user, held


# --- users ------------------------------------------------------------------------------------


class UserRoleList(PrincipalView):
    @extend_schema(
        operation_id="project_user_roles_list",
        tags=TAG,
        summary="The users with a role on a project",
        description="By username, a page at a time (needs `projects:manage` and `read`).",
        parameters=[PageQuerySerializer],
        responses={200: page_of(ProjectUserRoleSerializer), **LISTS},
        examples=[example_page(USER_ROLE)],
    )
    def get(self, request, name: str):
        list_allowed(request)
        project = authorize(request, name, Action.MANAGE)
        parse(PageQuerySerializer, request.query_params)
        return page(
            request, self, selectors.project_user_roles(project=project), ProjectUserRoleSerializer
        )

    @extend_schema(
        operation_id="project_user_roles_grant",
        tags=TAG,
        summary="Give a user a role on a project",
        description=(
            "Replaces any role they had (201 for a new one, 200 for a change). In an "
            "organization's project, only its members may hold a direct role. Demoting the "
            "last owner of a project without an organization is a 409."
        ),
        request=ProjectUserRoleGrantSerializer,
        responses={201: ProjectUserRoleSerializer, 200: ProjectUserRoleSerializer, **WRITES},
        examples=[
            OpenApiExample("Grant", value=USER_ROLE, request_only=True),
            OpenApiExample("Granted", value=USER_ROLE, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request, name: str):
        project = authorize(request, name, Action.MANAGE)
        data = parse(ProjectUserRoleGrantSerializer, request.data)
        user, held = _grantee(project, data["username"])
        _set(
            services.project_role_set,
            project=project,
            user=user,
            role=data["role"],
            principal=request.principal,
        )
        body = {"username": user.username, "role": data["role"]}
        return Response(body, status=200 if held is not None else 201)


class UserRoleDetail(PrincipalView):
    def _held(self, request, name: str, username: str):
        project = authorize(request, name, Action.MANAGE)
        held = selectors.project_user_role_get(project=project, username=username)
        if held is None:
            raise not_found()
        return project, held

    @extend_schema(
        operation_id="project_user_roles_change",
        tags=TAG,
        summary="Change a user's role on a project",
        description="Demoting the last owner of a project without an organization is a 409.",
        request=ProjectRoleChangeSerializer,
        responses={200: ProjectUserRoleSerializer, **WRITES},
        examples=[OpenApiExample("Demote", value={"role": "reader"}, request_only=True)],
    )
    def patch(self, request, name: str, username: str):
        project, held = self._held(request, name, username)
        role = parse(ProjectRoleChangeSerializer, request.data)["role"]
        _set(
            services.project_role_set,
            project=project,
            user=held.user,
            role=role,
            principal=request.principal,
        )
        return Response({"username": held.user.username, "role": role})

    @extend_schema(
        operation_id="project_user_roles_revoke",
        tags=TAG,
        summary="Take a user's role on a project away",
        description="Removing the last owner of a project without an organization is a 409.",
        request=None,
        responses={204: None, **problems(401, 403, 404, 409, 429)},
    )
    def delete(self, request, name: str, username: str):
        project, held = self._held(request, name, username)
        _set(
            services.project_role_remove,
            project=project,
            user=held.user,
            principal=request.principal,
        )
        return Response(status=204)


# --- teams ------------------------------------------------------------------------------------


class TeamRoleList(PrincipalView):
    @extend_schema(
        operation_id="project_team_roles_list",
        tags=TAG,
        summary="The teams with a role on a project",
        description="By team name, a page at a time (needs `projects:manage` and `read`).",
        parameters=[PageQuerySerializer],
        responses={200: page_of(ProjectTeamRoleSerializer), **LISTS},
        examples=[example_page(TEAM_ROLE)],
    )
    def get(self, request, name: str):
        list_allowed(request)
        project = authorize(request, name, Action.MANAGE)
        parse(PageQuerySerializer, request.query_params)
        return page(
            request, self, selectors.project_team_roles(project=project), ProjectTeamRoleSerializer
        )

    @extend_schema(
        operation_id="project_team_roles_grant",
        tags=TAG,
        summary="Give a team a role on a project",
        description=(
            "A team of the project's organization, by id; replaces any role it had (201 for "
            "a new one, 200 for a change)."
        ),
        request=ProjectTeamRoleGrantSerializer,
        responses={201: ProjectTeamRoleSerializer, 200: ProjectTeamRoleSerializer, **WRITES},
        examples=[
            OpenApiExample("Grant", value={"team_id": 7, "role": "maintainer"}, request_only=True),
            OpenApiExample("Granted", value=TEAM_ROLE, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request, name: str):
        project = authorize(request, name, Action.MANAGE)
        data = parse(ProjectTeamRoleGrantSerializer, request.data)
        if project.organization is None:
            raise Invalid({"team_id": ["Only projects of an organization give roles to teams."]})
        team = selectors.project_team_get(project=project, team_id=data["team_id"])
        if team is None:
            message = f"{project.organization.name} has no team {data['team_id']}."
            raise Invalid({"team_id": [message]})
        held = selectors.project_team_role_get(project=project, team_id=team.pk)
        _set(
            services.team_project_role_set,
            project=project,
            team=team,
            role=data["role"],
            principal=request.principal,
        )
        body = {"team_id": team.pk, "team": team.name, "role": data["role"]}
        return Response(body, status=200 if held is not None else 201)


class TeamRoleDetail(PrincipalView):
    def _held(self, request, name: str, team_id: int):
        project = authorize(request, name, Action.MANAGE)
        held = selectors.project_team_role_get(project=project, team_id=team_id)
        if held is None:
            raise not_found()
        return project, held

    @extend_schema(
        operation_id="project_team_roles_change",
        tags=TAG,
        summary="Change a team's role on a project",
        request=ProjectRoleChangeSerializer,
        responses={200: ProjectTeamRoleSerializer, **WRITES},
        examples=[OpenApiExample("Demote", value={"role": "reader"}, request_only=True)],
    )
    def patch(self, request, name: str, team_id: int):
        project, held = self._held(request, name, team_id)
        role = parse(ProjectRoleChangeSerializer, request.data)["role"]
        _set(
            services.team_project_role_set,
            project=project,
            team=held.team,
            role=role,
            principal=request.principal,
        )
        return Response({"team_id": held.team_id, "team": held.team.name, "role": role})

    @extend_schema(
        operation_id="project_team_roles_revoke",
        tags=TAG,
        summary="Take a team's role on a project away",
        request=None,
        responses={204: None, **problems(401, 403, 404, 429)},
    )
    def delete(self, request, name: str, team_id: int):
        project, held = self._held(request, name, team_id)
        _set(
            services.team_project_role_remove,
            project=project,
            team=held.team,
            principal=request.principal,
        )
        return Response(status=204)
