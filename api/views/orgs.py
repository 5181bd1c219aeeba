"""Organizations (list, create, read, change, delete) and their own tokens.

Every answer is ``access``'s, through ``api.views.org_access``: members read their
organization, owners change and delete it, owners and managers issue its tokens (through a
session: no token issues tokens), owners revoke them. An organization the caller may not
see is the 404 of a name that does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response

from access import Action, Surface, decide_organization_create, organizations_visible_to
from accounts import services
from accounts.models import Organization
from api.permissions import BadRequest, deny, not_found, require
from api.schema import problems
from api.serializers import (
    OrganizationTokenCreateSerializer,
    TokenCreatedSerializer,
    TokenSerializer,
)
from api.serializers_orgs import (
    PAGE_PARAMETERS,
    OrganizationCreateSerializer,
    OrganizationDetailSerializer,
    OrganizationPageSerializer,
    OrganizationSerializer,
    OrganizationTokenPageSerializer,
    OrganizationUpdateSerializer,
)
from api.validation import parse
from api.views.base import Pagination, PrincipalView, TokenCreating, page
from api.views.org_access import (
    caller,
    organization_for,
    organization_shown,
    refusals,
    with_caller_role,
)
from tokens import selectors as token_selectors
from tokens import services as token_services

TAG = ["organizations"]
ORGANIZATION = {
    "name": "Acme",
    "normalized_name": "acme",
    "role": "owner",
    "url": "https://pypi.example.org/api/v1/orgs/acme/",
}
ORGANIZATION_DETAIL = {
    **ORGANIZATION,
    "default_visibility": "private",
    "mfa_required": False,
    "created": "2025-01-31T12:00:00Z",
    "members_url": "https://pypi.example.org/api/v1/orgs/acme/members/",
    "teams_url": "https://pypi.example.org/api/v1/orgs/acme/teams/",
    "invitations_url": "https://pypi.example.org/api/v1/orgs/acme/invitations/",
    "tokens_url": "https://pypi.example.org/api/v1/orgs/acme/tokens/",
}


def _detail(request, organization: Organization, status: int = 200) -> Response:
    shown = organization_shown(organization, request.principal)
    body = OrganizationDetailSerializer(shown, context={"request": request}).data
    return Response(body, status=status)


class OrgList(PrincipalView):
    @extend_schema(
        operation_id="orgs_list",
        tags=TAG,
        summary="The organizations you may see",
        description="Your organizations (every one, for a superuser), by name, with your role.",
        parameters=PAGE_PARAMETERS,
        responses={200: OrganizationPageSerializer, **problems(400, 401, 403, 429)},
        examples=[
            OpenApiExample(
                "A page",
                value={"count": 1, "next": None, "previous": None, "results": [ORGANIZATION]},
                response_only=True,
            )
        ],
    )
    def get(self, request):
        require(request, Action.ORGANIZATION_READ)
        visible = organizations_visible_to(request.principal).order_by("normalized_name", "pk")
        paginator = Pagination()
        page = paginator.paginate_queryset(
            with_caller_role(visible, request.principal), request, view=self
        )
        data = OrganizationSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="orgs_create",
        tags=TAG,
        summary="Create an organization",
        description=(
            "You become its first owner. Who may create one is the index's setting "
            "(`PRIVINDEX_ORGANIZATION_CREATORS`): anyone signed in, or site staff only. A token "
            "needs the `manage` scope and no restriction."
        ),
        request=OrganizationCreateSerializer,
        responses={
            201: OrganizationDetailSerializer,
            **problems(400, 401, 403, 409, 413, 415, 429),
        },
        examples=[
            OpenApiExample(
                "Create", value={"name": "Acme", "default_visibility": "private"}, request_only=True
            ),
            OpenApiExample("Created", value=ORGANIZATION_DETAIL, response_only=True),
        ],
    )
    def post(self, request):
        decision = decide_organization_create(request.principal, surface=Surface.API)
        if not decision:
            deny(decision)
        user = caller(request)
        data = parse(OrganizationCreateSerializer, request.data)
        with refusals():
            organization = services.organization_create(
                name=data["name"],
                default_visibility=data["default_visibility"],
                owner=user,
                actor=user,
            )
        response = _detail(request, organization, status=201)
        response["Location"] = request.build_absolute_uri(
            reverse("api:org-detail", args=[organization.normalized_name])
        )
        return response


class OrgDetail(PrincipalView):
    @extend_schema(
        operation_id="orgs_retrieve",
        tags=TAG,
        summary="An organization",
        description=(
            "For its members (and superusers); anyone else gets the 404 of an unknown name."
        ),
        responses={200: OrganizationDetailSerializer, **problems(401, 403, 404)},
        examples=[OpenApiExample("Acme", value=ORGANIZATION_DETAIL, response_only=True)],
    )
    def get(self, request, name: str):
        organization = organization_for(request, name, Action.ORGANIZATION_READ)
        return _detail(request, organization)

    @extend_schema(
        operation_id="orgs_update",
        tags=TAG,
        summary="Rename it, or change its settings",
        description=(
            "Owners only. Fields left out stay as they are. Requiring two-factor "
            "authentication (`mfa_required`) needs it on your own account first (409)."
        ),
        request=OrganizationUpdateSerializer,
        responses={
            200: OrganizationDetailSerializer,
            **problems(400, 401, 403, 404, 409, 413, 415, 429),
        },
        examples=[
            OpenApiExample("Public by default", value={"default_visibility": "public"}),
            OpenApiExample("Rename", value={"name": "Acme Corp"}, request_only=True),
        ],
    )
    def patch(self, request, name: str):
        organization = organization_for(request, name, Action.ORGANIZATION_MANAGE)
        data = parse(OrganizationUpdateSerializer, request.data)
        with refusals():
            services.organization_update(
                organization=organization,
                name=data.get("name"),
                default_visibility=data.get("default_visibility"),
                mfa_required=data.get("mfa_required"),
                actor=caller(request),
            )
        return _detail(request, organization)

    @extend_schema(
        operation_id="orgs_destroy",
        tags=TAG,
        summary="Delete an organization",
        description=(
            "Owners only, with its members, teams, invitations and tokens; refused (409) while "
            "it owns projects: transfer or delete them first."
        ),
        request=None,
        responses={
            204: OpenApiResponse(description="Deleted"),
            **problems(401, 403, 404, 409, 429),
        },
    )
    def delete(self, request, name: str):
        organization = organization_for(request, name, Action.ORGANIZATION_MANAGE)
        with refusals():
            services.organization_delete(organization=organization, actor=caller(request))
        return Response(status=204)


class OrgTokenList(TokenCreating, PrincipalView):
    """The organization's own tokens (for CI and deploy machines): listed for owners and
    managers, issued by them through a session (no token issues tokens)."""

    @extend_schema(
        operation_id="orgs_tokens_list",
        tags=TAG,
        summary="The organization's own tokens",
        description="Owners and managers, through a session. Never the secrets.",
        parameters=PAGE_PARAMETERS,
        responses={200: OrganizationTokenPageSerializer, **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request, name: str):
        organization = organization_for(request, name, Action.ORGANIZATION_TOKENS_ISSUE)
        tokens = token_selectors.organization_token_list(organization=organization)
        return page(request, self, tokens, TokenSerializer)

    @extend_schema(
        operation_id="orgs_tokens_create",
        tags=TAG,
        summary="Issue an organization token",
        description=(
            "Owners and managers, through a session. The answer carries the full token once."
        ),
        request=OrganizationTokenCreateSerializer,
        responses={201: TokenCreatedSerializer, **problems(400, 401, 403, 404, 413, 415, 429)},
        examples=[
            OpenApiExample(
                "CI upload", value={"scopes": ["read", "upload"], "name": "ci"}, request_only=True
            )
        ],
    )
    def post(self, request, name: str):
        """Issue one; the answer carries the full token once."""
        organization = organization_for(request, name, Action.ORGANIZATION_TOKENS_ISSUE)
        data = parse(OrganizationTokenCreateSerializer, request.data)
        projects, missing = token_selectors.organization_token_projects(
            organization=organization, names=data["projects"]
        )
        if missing:
            raise BadRequest(f"No project named {', '.join(missing)} in {organization.name}.")
        days = data["expires_in_days"]
        try:
            issued = token_services.token_issue(
                user=None,
                organization=organization,
                scopes=data["scopes"],
                name=data["name"],
                projects=projects,
                expires_in=dt.timedelta(days=days) if days else None,
                actor=caller(request),
            )
        except token_services.TokenError as exc:
            raise BadRequest(str(exc)) from None
        body = {**TokenSerializer(issued.token).data, "token": issued.secret}
        return Response(body, status=201)


class OrgTokenDetail(PrincipalView):
    @extend_schema(
        operation_id="orgs_tokens_revoke",
        tags=TAG,
        summary="Revoke one of the organization's tokens",
        description="Owners only. A member's personal token is not the organization's (404).",
        request=None,
        responses={200: TokenSerializer, **problems(401, 403, 404, 429)},
    )
    def delete(self, request, name: str, identifier: str):
        """Revoke one of the organization's tokens: owners only."""
        organization = organization_for(request, name, Action.ORGANIZATION_MANAGE)
        token = token_selectors.organization_token_get(
            organization=organization, identifier=identifier
        )
        if token is None:
            raise not_found()
        token_services.token_revoke(token=token, actor=caller(request))
        return Response(TokenSerializer(token).data)
