"""Invitations: an organization's owners invite people (by username or email address) and
withdraw invitations; the invited person lists theirs and accepts or declines them. The
services say what an invitation may still do (``accounts.services.invitations``): one is
accepted only while its sender may still invite."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response

from access import Action, Surface, decide_invitation
from accounts import services
from accounts.models import Invitation
from api.permissions import deny, not_found
from api.schema import problems
from api.serializers_orgs import (
    PAGE_PARAMETERS,
    InvitationCreateSerializer,
    InvitationPageSerializer,
    InvitationSerializer,
    MemberSerializer,
    MyInvitationPageSerializer,
    MyInvitationSerializer,
)
from api.validation import parse
from api.views.base import PrincipalView, page
from api.views.org_access import caller, object_id, organization_for, refusals, user_named

TAG = ["organization invitations"]
INVITATION = {
    "id": 7,
    "username": "bob",
    "email": "",
    "role": "member",
    "invited_by": "alice",
    "created": "2025-01-31T12:00:00Z",
    "expires": "2025-02-14T12:00:00Z",
    "url": "https://pypi.example.org/api/v1/orgs/acme/invitations/7/",
}
MY_INVITATION = {
    "id": 7,
    "organization": "Acme",
    "role": "member",
    "invited_by": "alice",
    "created": "2025-01-31T12:00:00Z",
    "expires": "2025-02-14T12:00:00Z",
    "accept_url": "https://pypi.example.org/api/v1/invitations/7/accept/",
    "decline_url": "https://pypi.example.org/api/v1/invitations/7/decline/",
}


def _page(items: list) -> dict:
    return {"count": len(items), "next": None, "previous": None, "results": items}


class InvitationList(PrincipalView):
    @extend_schema(
        operation_id="orgs_invitations_list",
        tags=TAG,
        summary="The organization's pending invitations",
        description="Owners only; newest first.",
        parameters=PAGE_PARAMETERS,
        responses={200: InvitationPageSerializer, **problems(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A page", value=_page([INVITATION]), response_only=True)],
    )
    def get(self, request, name: str):
        organization = organization_for(request, name, Action.ORGANIZATION_MANAGE)
        pending = services.invitations_pending(organization=organization).select_related(
            "organization"
        )
        return page(request, self, pending, InvitationSerializer)

    @extend_schema(
        operation_id="orgs_invitations_create",
        tags=TAG,
        summary="Invite someone",
        description=(
            "Owners only. By `username` or by `email` (one of them); `role` is `member` unless "
            "said. They are mailed, and accept or decline it themselves. Refused (409) when "
            "they are already a member or already invited."
        ),
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer, **problems(400, 401, 403, 404, 409, 413, 415, 429)},
        examples=[
            OpenApiExample(
                "By username", value={"username": "bob", "role": "member"}, request_only=True
            ),
            OpenApiExample(
                "By email address",
                value={"email": "carol@example.org", "role": "manager"},
                request_only=True,
            ),
            OpenApiExample("Invited", value=INVITATION, response_only=True),
        ],
    )
    def post(self, request, name: str):
        organization = organization_for(request, name, Action.ORGANIZATION_MANAGE)
        data = parse(InvitationCreateSerializer, request.data)
        user = user_named(data["username"]) if data.get("username") else None
        with refusals():
            invitation = services.invitation_create(
                organization=organization,
                role=data["role"],
                user=user,
                email=data.get("email") or "",
                # The mail leads a person to the web page of their invitations.
                accept_url=request.build_absolute_uri(reverse("orgs:list")),
                actor=caller(request),
            )
        body = InvitationSerializer(invitation, context={"request": request}).data
        return Response(body, status=201)


class InvitationDetail(PrincipalView):
    @extend_schema(
        operation_id="orgs_invitations_destroy",
        tags=TAG,
        summary="Withdraw a pending invitation",
        description="Owners only.",
        request=None,
        responses={
            204: OpenApiResponse(description="Withdrawn"),
            **problems(401, 403, 404, 409, 429),
        },
    )
    def delete(self, request, name: str, pk: int):
        organization = organization_for(request, name, Action.ORGANIZATION_MANAGE)
        invitation = (
            services.invitations_pending(organization=organization).filter(pk=object_id(pk)).first()
        )
        if invitation is None:
            raise not_found()
        with refusals():
            services.invitation_withdraw(invitation=invitation, actor=caller(request))
        return Response(status=204)


# --- the invited person ----------------------------------------------------------------------


def _invitee(request, action: Action):
    """The signed-in person, if they may see (read) or answer (manage) their invitations."""
    decision = decide_invitation(request.principal, action, surface=Surface.API)
    if not decision:
        deny(decision)
    return caller(request)


def _mine(request, pk: int) -> Invitation:
    """One of the caller's pending invitations; anyone else's reads as one that does not
    exist."""
    user = _invitee(request, Action.ORGANIZATION_MANAGE)
    invitation = services.invitations_for(user=user).filter(pk=object_id(pk)).first()
    if invitation is None:
        raise not_found()
    return invitation


class MyInvitationList(PrincipalView):
    @extend_schema(
        operation_id="invitations_list",
        tags=TAG,
        summary="Your pending invitations",
        description="To you, or to your email address, of organizations you are not in yet.",
        parameters=PAGE_PARAMETERS,
        responses={200: MyInvitationPageSerializer, **problems(400, 401, 403, 429)},
        examples=[OpenApiExample("A page", value=_page([MY_INVITATION]), response_only=True)],
    )
    def get(self, request):
        user = _invitee(request, Action.ORGANIZATION_READ)
        return page(request, self, services.invitations_for(user=user), MyInvitationSerializer)


class InvitationAccept(PrincipalView):
    @extend_schema(
        operation_id="invitations_accept",
        tags=TAG,
        summary="Accept an invitation",
        description=(
            "You join the organization with the invitation's role. Refused (409) once it is "
            "no longer pending, or when its sender may no longer invite."
        ),
        request=None,
        responses={200: MemberSerializer, **problems(401, 403, 404, 409, 429)},
        examples=[
            OpenApiExample(
                "Joined",
                value={
                    "username": "bob",
                    "role": "member",
                    "url": "https://pypi.example.org/api/v1/orgs/acme/members/bob/",
                },
                response_only=True,
            )
        ],
    )
    def post(self, request, pk: int):
        invitation = _mine(request, pk)
        with refusals():
            member = services.invitation_accept(invitation=invitation, user=caller(request))
        return Response(MemberSerializer(member, context={"request": request}).data)


class InvitationDecline(PrincipalView):
    @extend_schema(
        operation_id="invitations_decline",
        tags=TAG,
        summary="Decline an invitation",
        request=None,
        responses={
            204: OpenApiResponse(description="Declined"),
            **problems(401, 403, 404, 409, 429),
        },
    )
    def post(self, request, pk: int):
        invitation = _mine(request, pk)
        with refusals():
            services.invitation_decline(invitation=invitation, user=caller(request))
        return Response(status=204)
