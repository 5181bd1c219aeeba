"""A project's roles: list, set and remove (Action.MANAGE)."""

from __future__ import annotations

from rest_framework.response import Response

from access import Action
from accounts import selectors as account_selectors
from api.permissions import BadRequest, ServiceFailure, authorize
from api.serializers import RoleRemoveSerializer, RoleSetSerializer, parse
from api.views.base import PrincipalView
from projects import selectors, services
from projects.models import Project


def _roles(project: Project) -> dict:
    users, teams = selectors.project_roles_list(project=project)
    return {
        "users": [{"username": r.user.username, "role": r.role} for r in users],
        "teams": [{"team": r.team.name, "role": r.role} for r in teams],
    }


def _user(username: str):
    user = account_selectors.user_get(username=username)
    if user is None:
        raise BadRequest(f"No user named {username}.")
    return user


class ProjectRoles(PrincipalView):
    def get(self, request, name: str):
        project = authorize(request, name, Action.MANAGE)
        return Response(_roles(project))

    def post(self, request, name: str):
        """``{"username", "role"}``: give the user the role, replacing any they had."""
        project = authorize(request, name, Action.MANAGE)
        data = parse(RoleSetSerializer, request.data)
        user = _user(data["username"])
        try:
            services.project_role_set(
                project=project, user=user, role=data["role"], principal=request.principal
            )
        except services.ServiceError as exc:
            raise ServiceFailure(exc) from None
        return Response(_roles(project))

    def delete(self, request, name: str):
        """``{"username"}`` in the body (or ``?username=``): remove the user's direct role."""
        project = authorize(request, name, Action.MANAGE)
        data = parse(RoleRemoveSerializer, request.data or request.query_params)
        user = _user(data["username"])
        try:
            services.project_role_remove(project=project, user=user, principal=request.principal)
        except services.ServiceError as exc:
            raise ServiceFailure(exc) from None
        return Response(_roles(project))
