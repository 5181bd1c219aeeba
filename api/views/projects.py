"""Projects: the list (filtered, searched, a page at a time), creation without a file, the
detail, the manage PATCH, deletion and transfer; and what every list of the API shares
(``listing``, ``page``).

Each view asks ``access`` (through ``api.permissions``) before it reads a body, so a project
the caller may not read answers every method as a name that does not exist; then it calls the
one service the web UI calls for the same change (``projects.views``,
``projects.settings_views``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from access import (
    Action,
    Denial,
    Principal,
    Surface,
    creation_organization,
    decide,
    decide_transfer,
    precheck,
    status_change_decide,
)
from access.policy import TRANSFER_NEEDS_OWNER
from accounts import selectors as account_selectors
from accounts.models import Organization
from api.errors import Invalid
from api.permissions import ServiceFailure, authorize, deny, not_found
from api.schema import problems
from api.serializers import (
    ProjectCreateSerializer,
    ProjectDetailSerializer,
    ProjectListQuerySerializer,
    ProjectSerializer,
    ProjectStateSerializer,
    ProjectTransferSerializer,
    ProjectUpdateSerializer,
    page_of,
)
from api.validation import parse
from api.views.base import PrincipalView, list_allowed, page
from projects import selectors, services

TAG = ["projects"]
NOT_THERE = "You may not create projects in the organization '{name}'."
READS = problems(401, 403, 404, 429)
WRITES = problems(400, 401, 403, 404, 409, 413, 429)

PROJECT = {
    "name": "Acme-Widgets",
    "normalized_name": "acme-widgets",
    "visibility": "private",
    "status": "active",
    "organization": "acme",
    "url": "https://pypi.example.org/api/v1/projects/acme-widgets/",
}
PROJECT_DETAIL = {
    **PROJECT,
    "status_reason": "",
    "created": "2025-01-31T12:00:00Z",
    "releases_url": "https://pypi.example.org/api/v1/projects/acme-widgets/releases/",
}


def example_page(item: dict[str, Any]) -> OpenApiExample:
    return OpenApiExample(
        "A page",
        value={"count": 1, "next": None, "previous": None, "results": [item]},
        response_only=True,
    )


# --- what every list shares -------------------------------------------------------------------


# --- projects ---------------------------------------------------------------------------------


def _placed_in(principal: Principal, named: str | None) -> Organization | None:
    """Where a new project goes: the organization named, else the one the caller's token is
    kept to (as on a first upload). An organization that does not exist, or another than the
    token's, is refused as one the caller may not create in: the same answer, in the caller's
    own spelling, so the refusal tells no name apart."""
    own = creation_organization(principal)
    if named is None:
        return own
    organization = account_selectors.organization_by_name(name=named)
    if organization is None or (own is not None and organization.pk != own.pk):
        raise PermissionDenied(NOT_THERE.format(name=named))
    return organization


class ProjectList(PrincipalView):
    parses_own_query = True  # its filters (ProjectListQuerySerializer)

    @extend_schema(
        operation_id="projects_list",
        tags=TAG,
        summary="The projects you may read",
        description=(
            "By normalized name, a page at a time. `q` finds a part of the name; "
            "`organization`, `visibility` and `status` narrow the list. An unknown parameter "
            "is a 400."
        ),
        parameters=[ProjectListQuerySerializer],
        responses={200: page_of(ProjectSerializer), **problems(400, 401, 403, 429)},
        examples=[example_page(PROJECT)],
    )
    def get(self, request):
        list_allowed(request)
        filters = parse(ProjectListQuerySerializer, request.query_params)
        projects = selectors.projects_filtered(
            principal=request.principal,
            query=filters.get("q", "").strip(),
            organization=filters.get("organization"),
            visibility=filters.get("visibility"),
            status=filters.get("status"),
        )
        return page(request, self, projects, ProjectSerializer)

    @extend_schema(
        operation_id="projects_create",
        tags=TAG,
        summary="Create a project without a file",
        description=(
            "Reserves the name, under the rules of a first upload: the same name checks "
            "(the standard library, prohibited and too similar names, namespaces, the upstream "
            "name policy) and the same rights (anyone signed in; in an organization, its "
            "owners, managers and tokens; not a token restricted to projects). You become its "
            "owner, unless it goes to an organization. Needs the `upload` scope."
        ),
        request=ProjectCreateSerializer,
        responses={201: ProjectSerializer, **WRITES, **problems(503)},
        examples=[
            OpenApiExample(
                "In an organization",
                value={"name": "Acme-Widgets", "organization": "acme", "visibility": "private"},
                request_only=True,
            ),
            OpenApiExample("Created", value=PROJECT, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request):
        principal = request.principal
        early = precheck(principal, Action.CREATE, surface=Surface.API)
        if not early:
            deny(early)
        data = parse(ProjectCreateSerializer, request.data)
        named = data["organization"]
        organization = _placed_in(principal, named)
        decision = decide(
            principal, Action.CREATE, None, surface=Surface.API, organization=organization
        )
        if not decision:
            if named is not None and decision.denial == Denial.FORBIDDEN:
                raise PermissionDenied(NOT_THERE.format(name=named))
            deny(decision)
        try:
            project = services.project_create(
                name=data["name"],
                principal=principal,
                organization=organization,
                visibility=data["visibility"],
                surface=Surface.API,
            )
        except services.ServiceError as exc:
            raise ServiceFailure(exc) from None
        body = ProjectSerializer(project, context={"request": request}).data
        return Response(body, status=201, headers={"Location": body["url"]})


class ProjectDetail(PrincipalView):
    @extend_schema(
        operation_id="projects_retrieve",
        tags=TAG,
        summary="A project",
        description="A private project you may not read is the 404 of a name that does not exist.",
        responses={200: ProjectDetailSerializer, **READS},
        examples=[OpenApiExample("A project", value=PROJECT_DETAIL, response_only=True)],
    )
    def get(self, request, name: str):
        project = authorize(request, name, Action.READ)
        return Response(ProjectDetailSerializer(project, context={"request": request}).data)

    @extend_schema(
        operation_id="projects_update",
        tags=TAG,
        summary="Change a project's visibility or status",
        description=(
            "`visibility`, `status` and `status_reason` (needs `projects:manage`; entering or "
            "leaving a quarantine is for site administrators). Answers what it set, and nothing "
            "else of the project."
        ),
        request=ProjectUpdateSerializer,
        responses={200: ProjectStateSerializer, **WRITES},
        examples=[
            OpenApiExample(
                "Archive", value={"status": "archived", "status_reason": "Moved"}, request_only=True
            ),
            OpenApiExample(
                "Archived",
                value={
                    "name": "Acme-Widgets",
                    "visibility": "private",
                    "status": "archived",
                    "status_reason": "Moved",
                },
                response_only=True,
            ),
        ],
    )
    def patch(self, request, name: str):
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
        return Response(ProjectStateSerializer(project).data)

    @extend_schema(
        operation_id="projects_destroy",
        tags=TAG,
        summary="Delete a project",
        description=(
            "With its releases, files and roles (needs `projects:manage`). Its name becomes "
            "free again; its filenames never do."
        ),
        request=None,
        responses={204: None, **problems(401, 403, 404, 429)},
    )
    def delete(self, request, name: str):
        project = authorize(request, name, Action.MANAGE)
        try:
            services.project_delete(project=project, principal=request.principal)
        except ObjectDoesNotExist:  # deleted by someone else meanwhile
            raise not_found() from None
        return Response(status=204)


class ProjectTransfer(PrincipalView):
    @extend_schema(
        operation_id="projects_transfer",
        tags=TAG,
        summary="Move a project into an organization, or out of one",
        description=(
            '`{"to": "org:<name>"}` moves it into an organization you own (its personal '
            'roles go: the organization\'s and its teams\' count); `{"to": "me"}` moves it '
            "out of its organization to you, its owner. You need the owner role on both sides."
        ),
        request=ProjectTransferSerializer,
        responses={200: ProjectSerializer, **WRITES},
        examples=[
            OpenApiExample("Into acme", value={"to": "org:acme"}, request_only=True),
            OpenApiExample("Moved", value=PROJECT, response_only=True),
        ],
    )
    def post(self, request, name: str):
        project = authorize(request, name, Action.MANAGE)
        target = parse(ProjectTransferSerializer, request.data)["to"]
        organization, user = None, None
        if target == "me":
            user = request.principal.user
        elif target.startswith("org:"):
            organization = account_selectors.organization_by_name(name=target[len("org:") :])
            if organization is None:
                # As for an organization they do not own: names of others' are not confirmed.
                raise PermissionDenied(TRANSFER_NEEDS_OWNER)
        else:
            raise Invalid({"to": ["Say where the project goes: org:<name> or me."]})
        decision = decide_transfer(
            request.principal, project, organization=organization, user=user, surface=Surface.API
        )
        if not decision:
            deny(decision)
        try:
            services.project_transfer(
                project=project, organization=organization, user=user, principal=request.principal
            )
        except services.ServiceError as exc:
            raise ServiceFailure(exc) from None
        return Response(ProjectSerializer(project, context={"request": request}).data)
