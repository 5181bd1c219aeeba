"""An organization's members: read by its members, changed and removed by its owners. People
join by invitation only (``api.views.invitations``). The last owner stays: the service
refuses to demote or remove them (409)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response

from access import Action
from accounts import services
from api.schema import problems
from api.serializers_orgs import (
    PAGE_PARAMETERS,
    MemberPageSerializer,
    MemberRoleSerializer,
    MemberSerializer,
)
from api.validation import parse
from api.views.base import PrincipalView, page
from api.views.org_access import caller, member_get, members, organization_for, refusals

TAG = ["organization members"]
MEMBER = {
    "username": "alice",
    "role": "manager",
    "url": "https://pypi.example.org/api/v1/orgs/acme/members/alice/",
}


class MemberList(PrincipalView):
    @extend_schema(
        operation_id="orgs_members_list",
        tags=TAG,
        summary="The organization's members",
        description="For its members, by username.",
        parameters=PAGE_PARAMETERS,
        responses={200: MemberPageSerializer, **problems(401, 403, 404)},
        examples=[
            OpenApiExample(
                "A page",
                value={"count": 1, "next": None, "previous": None, "results": [MEMBER]},
                response_only=True,
            )
        ],
    )
    def get(self, request, name: str):
        organization = organization_for(request, name, Action.ORGANIZATION_READ)
        return page(request, self, members(organization), MemberSerializer)


class MemberDetail(PrincipalView):
    @extend_schema(
        operation_id="orgs_members_retrieve",
        tags=TAG,
        summary="A member",
        responses={200: MemberSerializer, **problems(401, 403, 404)},
        examples=[OpenApiExample("alice", value=MEMBER, response_only=True)],
    )
    def get(self, request, name: str, username: str):
        organization = organization_for(request, name, Action.ORGANIZATION_READ)
        member = member_get(organization, username)
        return Response(MemberSerializer(member, context={"request": request}).data)

    @extend_schema(
        operation_id="orgs_members_update",
        tags=TAG,
        summary="Change a member's role",
        description="Owners only. Demoting the last owner is refused (409).",
        request=MemberRoleSerializer,
        responses={200: MemberSerializer, **problems(400, 401, 403, 404, 409, 413, 415, 429)},
        examples=[OpenApiExample("Make manager", value={"role": "manager"}, request_only=True)],
    )
    def patch(self, request, name: str, username: str):
        organization = organization_for(request, name, Action.ORGANIZATION_MANAGE)
        member = member_get(organization, username)
        data = parse(MemberRoleSerializer, request.data)
        with refusals():
            member = services.organization_member_set(
                organization=organization,
                user=member.user,
                role=data["role"],
                actor=caller(request),
            )
        return Response(MemberSerializer(member, context={"request": request}).data)

    @extend_schema(
        operation_id="orgs_members_destroy",
        tags=TAG,
        summary="Remove a member",
        description=(
            "Owners only. They leave its teams and lose their personal roles on its projects "
            "and their tokens kept to it. Removing the last owner is refused (409)."
        ),
        request=None,
        responses={
            204: OpenApiResponse(description="Removed"),
            **problems(401, 403, 404, 409, 429),
        },
    )
    def delete(self, request, name: str, username: str):
        organization = organization_for(request, name, Action.ORGANIZATION_MANAGE)
        member = member_get(organization, username)
        with refusals():
            services.organization_member_remove(
                organization=organization, user=member.user, actor=caller(request)
            )
        return Response(status=204)
