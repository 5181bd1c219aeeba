"""An organization's teams, their members and their roles on its projects: read by its
members, changed by its owners and managers (``Action.TEAMS_MANAGE``). A team is named by its
id (team names are free text). The services keep the invariants: a team's members are
members of its organization, and a team holds roles only on its organization's projects."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response

from access import Action, Surface, decide
from accounts import services
from accounts.models import Team, TeamMember
from api.permissions import BadRequest, not_found
from api.schema import problems
from api.serializers_orgs import (
    PAGE_PARAMETERS,
    TeamMemberAddSerializer,
    TeamMemberPageSerializer,
    TeamMemberSerializer,
    TeamNameSerializer,
    TeamPageSerializer,
    TeamRoleChangeSerializer,
    TeamRoleGrantSerializer,
    TeamRolePageSerializer,
    TeamRoleSerializer,
    TeamSerializer,
)
from api.validation import parse
from api.views.base import PrincipalView, page
from api.views.org_access import caller, organization_for, refusals, team_get, user_named
from projects import selectors as project_selectors
from projects import services as project_services
from projects.models import Project, TeamProjectRole

TAG = ["organization teams"]
BASE = "https://pypi.example.org/api/v1/orgs/acme/teams/3/"
TEAM = {
    "id": 3,
    "name": "Release managers",
    "url": BASE,
    "members_url": f"{BASE}members/",
    "roles_url": f"{BASE}roles/",
}
TEAM_MEMBER = {"username": "alice", "url": f"{BASE}members/alice/"}
TEAM_ROLE = {
    "project": "Acme-Tools",
    "role": "maintainer",
    "url": f"{BASE}roles/acme-tools/",
    "project_url": "https://pypi.example.org/api/v1/projects/acme-tools/",
}


def _page(item: dict) -> dict:
    return {"count": 1, "next": None, "previous": None, "results": [item]}


def _team_data(request, team: Team) -> dict:
    return TeamSerializer(team, context={"request": request}).data


# --- teams -------------------------------------------------------------------------------------


class TeamList(PrincipalView):
    @extend_schema(
        operation_id="orgs_teams_list",
        tags=TAG,
        summary="The organization's teams",
        description="For its members, by name.",
        parameters=PAGE_PARAMETERS,
        responses={200: TeamPageSerializer, **problems(401, 403, 404)},
        examples=[OpenApiExample("A page", value=_page(TEAM), response_only=True)],
    )
    def get(self, request, name: str):
        organization = organization_for(request, name, Action.ORGANIZATION_READ)
        teams = Team.objects.filter(organization=organization).select_related("organization")
        return page(request, self, teams.order_by("name", "pk"), TeamSerializer)

    @extend_schema(
        operation_id="orgs_teams_create",
        tags=TAG,
        summary="Create a team",
        description="Owners and managers. Refused (409) when the organization has a team of "
        "that name.",
        request=TeamNameSerializer,
        responses={201: TeamSerializer, **problems(400, 401, 403, 404, 409, 413, 415, 429)},
        examples=[
            OpenApiExample("Create", value={"name": "Release managers"}, request_only=True),
            OpenApiExample("Created", value=TEAM, response_only=True),
        ],
    )
    def post(self, request, name: str):
        organization = organization_for(request, name, Action.TEAMS_MANAGE)
        data = parse(TeamNameSerializer, request.data)
        with refusals():
            team = services.team_create(
                organization=organization, name=data["name"], actor=caller(request)
            )
        return Response(_team_data(request, team), status=201)


class TeamDetail(PrincipalView):
    @extend_schema(
        operation_id="orgs_teams_retrieve",
        tags=TAG,
        summary="A team",
        responses={200: TeamSerializer, **problems(401, 403, 404)},
        examples=[OpenApiExample("A team", value=TEAM, response_only=True)],
    )
    def get(self, request, name: str, team_id: int):
        organization = organization_for(request, name, Action.ORGANIZATION_READ)
        return Response(_team_data(request, team_get(organization, team_id)))

    @extend_schema(
        operation_id="orgs_teams_update",
        tags=TAG,
        summary="Rename a team",
        description="Owners and managers.",
        request=TeamNameSerializer,
        responses={200: TeamSerializer, **problems(400, 401, 403, 404, 409, 413, 415, 429)},
        examples=[OpenApiExample("Rename", value={"name": "Releasers"}, request_only=True)],
    )
    def patch(self, request, name: str, team_id: int):
        organization = organization_for(request, name, Action.TEAMS_MANAGE)
        team = team_get(organization, team_id)
        data = parse(TeamNameSerializer, request.data)
        with refusals():
            services.team_rename(team=team, name=data["name"], actor=caller(request))
        return Response(_team_data(request, team))

    @extend_schema(
        operation_id="orgs_teams_destroy",
        tags=TAG,
        summary="Delete a team",
        description="Owners and managers. Its members keep the roles they hold otherwise.",
        request=None,
        responses={204: OpenApiResponse(description="Deleted"), **problems(401, 403, 404, 429)},
    )
    def delete(self, request, name: str, team_id: int):
        organization = organization_for(request, name, Action.TEAMS_MANAGE)
        team = team_get(organization, team_id)
        with refusals():
            services.team_delete(team=team, actor=caller(request))
        return Response(status=204)


# --- members -----------------------------------------------------------------------------------


def _memberships(team: Team) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(team=team).select_related("user").order_by("user__username")


class TeamMemberList(PrincipalView):
    @extend_schema(
        operation_id="orgs_teams_members_list",
        tags=TAG,
        summary="A team's members",
        parameters=PAGE_PARAMETERS,
        responses={200: TeamMemberPageSerializer, **problems(401, 403, 404)},
        examples=[OpenApiExample("A page", value=_page(TEAM_MEMBER), response_only=True)],
    )
    def get(self, request, name: str, team_id: int):
        organization = organization_for(request, name, Action.ORGANIZATION_READ)
        team = team_get(organization, team_id)
        return page(request, self, _memberships(team), TeamMemberSerializer, team=team)

    @extend_schema(
        operation_id="orgs_teams_members_create",
        tags=TAG,
        summary="Add someone to a team",
        description=(
            "Owners and managers. Only a member of the organization may join its teams (400). "
            "Adding someone already in the team changes nothing."
        ),
        request=TeamMemberAddSerializer,
        responses={201: TeamMemberSerializer, **problems(400, 401, 403, 404, 413, 415, 429)},
        examples=[
            OpenApiExample("Add", value={"username": "alice"}, request_only=True),
            OpenApiExample("Added", value=TEAM_MEMBER, response_only=True),
        ],
    )
    def post(self, request, name: str, team_id: int):
        organization = organization_for(request, name, Action.TEAMS_MANAGE)
        team = team_get(organization, team_id)
        data = parse(TeamMemberAddSerializer, request.data)
        user = user_named(data["username"])
        with refusals():
            membership = services.team_member_add(team=team, user=user, actor=caller(request))
        body = TeamMemberSerializer(membership, context={"request": request, "team": team}).data
        return Response(body, status=201)


class TeamMemberDetail(PrincipalView):
    @extend_schema(
        operation_id="orgs_teams_members_destroy",
        tags=TAG,
        summary="Take someone out of a team",
        description="Owners and managers. They stay in the organization.",
        request=None,
        responses={204: OpenApiResponse(description="Removed"), **problems(401, 403, 404, 429)},
    )
    def delete(self, request, name: str, team_id: int, username: str):
        organization = organization_for(request, name, Action.TEAMS_MANAGE)
        team = team_get(organization, team_id)
        membership = _memberships(team).filter(user__username=username).first()
        if membership is None:
            raise not_found()
        with refusals():
            services.team_member_remove(team=team, user=membership.user, actor=caller(request))
        return Response(status=204)


# --- project roles -----------------------------------------------------------------------------


def _roles(request, team: Team) -> QuerySet[TeamProjectRole]:
    """The team's roles on the projects the caller may read (the read twin), as the
    organization's page shows them."""
    readable = project_selectors.project_list(principal=request.principal)
    return (
        TeamProjectRole.objects.filter(team=team, project__in=readable.values("pk"))
        .select_related("project")
        .order_by("project__normalized_name")
    )


def _managed(request, name: str) -> Project | None:
    """The project ``name`` (any spelling) if the caller may manage it; else None, whether it
    does not exist, is hidden or is someone else's (a team's role manages the project)."""
    project = project_selectors.project_get(name=name)
    if not decide(request.principal, Action.MANAGE, project, surface=Surface.API):
        return None
    return project


def _role_of(request, team: Team, project: str) -> tuple[Project, TeamProjectRole]:
    """The project in the path and the team's role on it; else 404."""
    found = _managed(request, project)
    role = None
    if found is not None:
        role = TeamProjectRole.objects.filter(team=team, project=found).first()
    if found is None or role is None:
        raise not_found()
    return found, role


def _role_data(request, team: Team, role: TeamProjectRole) -> dict:
    return TeamRoleSerializer(role, context={"request": request, "team": team}).data


class TeamRoleList(PrincipalView):
    @extend_schema(
        operation_id="orgs_teams_roles_list",
        tags=TAG,
        summary="A team's roles on projects",
        description="For the organization's members: the projects you may read, by name.",
        parameters=PAGE_PARAMETERS,
        responses={200: TeamRolePageSerializer, **problems(401, 403, 404)},
        examples=[OpenApiExample("A page", value=_page(TEAM_ROLE), response_only=True)],
    )
    def get(self, request, name: str, team_id: int):
        organization = organization_for(request, name, Action.ORGANIZATION_READ)
        team = team_get(organization, team_id)
        return page(request, self, _roles(request, team), TeamRoleSerializer, team=team)

    @extend_schema(
        operation_id="orgs_teams_roles_create",
        tags=TAG,
        summary="Give a team a role on a project",
        description=(
            "Owners and managers, on a project of the organization (one of another is refused, "
            "400). Replaces the role the team had on it."
        ),
        request=TeamRoleGrantSerializer,
        responses={201: TeamRoleSerializer, **problems(400, 401, 403, 404, 413, 415, 429)},
        examples=[
            OpenApiExample(
                "Grant", value={"project": "acme-tools", "role": "maintainer"}, request_only=True
            ),
            OpenApiExample("Granted", value=TEAM_ROLE, response_only=True),
        ],
    )
    def post(self, request, name: str, team_id: int):
        organization = organization_for(request, name, Action.TEAMS_MANAGE)
        team = team_get(organization, team_id)
        data = parse(TeamRoleGrantSerializer, request.data)
        project = _managed(request, data["project"])
        if project is None:
            raise BadRequest(f"No project named '{data['project']}' that you may manage.")
        with refusals():
            role = project_services.team_project_role_set(
                project=project, team=team, role=data["role"], principal=request.principal
            )
        return Response(_role_data(request, team, role), status=201)


class TeamRoleDetail(PrincipalView):
    @extend_schema(
        operation_id="orgs_teams_roles_retrieve",
        tags=TAG,
        summary="A team's role on a project",
        responses={200: TeamRoleSerializer, **problems(401, 403, 404)},
        examples=[OpenApiExample("A role", value=TEAM_ROLE, response_only=True)],
    )
    def get(self, request, name: str, team_id: int, project: str):
        organization = organization_for(request, name, Action.ORGANIZATION_READ)
        team = team_get(organization, team_id)
        found = project_selectors.project_get(name=project)
        role = _roles(request, team).filter(project=found).first() if found is not None else None
        if role is None:
            raise not_found()
        return Response(_role_data(request, team, role))

    @extend_schema(
        operation_id="orgs_teams_roles_update",
        tags=TAG,
        summary="Change a team's role on a project",
        description="Owners and managers.",
        request=TeamRoleChangeSerializer,
        responses={200: TeamRoleSerializer, **problems(400, 401, 403, 404, 413, 415, 429)},
        examples=[OpenApiExample("Make owner", value={"role": "owner"}, request_only=True)],
    )
    def patch(self, request, name: str, team_id: int, project: str):
        organization = organization_for(request, name, Action.TEAMS_MANAGE)
        team = team_get(organization, team_id)
        found, _ = _role_of(request, team, project)
        data = parse(TeamRoleChangeSerializer, request.data)
        with refusals():
            role = project_services.team_project_role_set(
                project=found, team=team, role=data["role"], principal=request.principal
            )
        return Response(_role_data(request, team, role))

    @extend_schema(
        operation_id="orgs_teams_roles_destroy",
        tags=TAG,
        summary="Take a team's role on a project away",
        description="Owners and managers.",
        request=None,
        responses={204: OpenApiResponse(description="Revoked"), **problems(401, 403, 404, 429)},
    )
    def delete(self, request, name: str, team_id: int, project: str):
        organization = organization_for(request, name, Action.TEAMS_MANAGE)
        team = team_get(organization, team_id)
        found, _ = _role_of(request, team, project)
        with refusals():
            project_services.team_project_role_remove(
                project=found, team=team, principal=request.principal
            )
        return Response(status=204)
