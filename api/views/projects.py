"""Projects: the listing (through the read twin), detail, and the manage PATCH."""

from __future__ import annotations

from django.db import transaction
from rest_framework.response import Response

from access import Action, Surface, decide, precheck, status_change_decide
from api.permissions import ServiceFailure, authorize, deny
from api.serializers import (
    ProjectDetailSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
    ReleaseSummarySerializer,
    parse,
)
from api.views.base import Pagination, PrincipalView
from projects import selectors, services
from projects.limits import QUERY_MAX
from projects.models import Project


def project_detail_data(request, project: Project) -> dict:
    context = {"request": request, "project": project}
    releases = selectors.release_list(project=project)
    return {
        **ProjectDetailSerializer(project, context=context).data,
        "releases": ReleaseSummarySerializer(releases, many=True, context=context).data,
    }


class ProjectList(PrincipalView):
    def get(self, request):
        # The credential table first: a closed index refuses anonymous callers (401), a
        # token without the read scope gets 403, as on every read surface.
        decision = precheck(request.principal, Action.READ, surface=Surface.API)
        if not decision:
            deny(decision)
        query = request.query_params.get("q", "").strip()[:QUERY_MAX]
        projects = selectors.project_list(principal=request.principal, query=query)
        paginator = Pagination()
        page = paginator.paginate_queryset(projects, request, view=self)
        data = ProjectSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class ProjectDetail(PrincipalView):
    def get(self, request, name: str):
        project = authorize(request, name, Action.READ)
        return Response(project_detail_data(request, project))

    def patch(self, request, name: str):
        """``visibility``, ``status`` and ``status_reason``; a quarantine is for staff only."""
        project = authorize(request, name, Action.MANAGE)
        data = parse(ProjectUpdateSerializer, request.data)
        principal = request.principal
        status = data.get("status", project.status)
        changes_status = "status" in data or "status_reason" in data
        if changes_status:
            decision = status_change_decide(principal, project, status, surface=Surface.API)
            if not decision:
                deny(decision)
        try:
            with transaction.atomic():
                if changes_status:
                    # The service makes of the reason what it means (None: not given).
                    services.project_status_set(
                        project=project,
                        status=status,
                        reason=data.get("status_reason"),
                        principal=principal,
                    )
                if "visibility" in data:
                    services.project_visibility_set(
                        project=project, visibility=data["visibility"], principal=principal
                    )
        except services.ServiceError as exc:
            raise ServiceFailure(exc) from None
        if not decide(principal, Action.READ, project, surface=Surface.API):
            # A manage-only token learns what it changed, not the project's releases.
            return Response(
                {
                    "name": project.name,
                    "visibility": project.visibility,
                    "status": project.status,
                    "status_reason": project.status_reason,
                }
            )
        return Response(project_detail_data(request, project))
