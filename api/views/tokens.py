"""The caller's API tokens. Session only: a token can neither mint nor revoke tokens (nor list
them), so a leaked token cannot escalate or outlive its revocation."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response

from access import Action
from accounts import selectors as account_selectors
from api.permissions import BadRequest, not_found, require
from api.schema import problems
from api.serializers import TokenCreatedSerializer, TokenCreateSerializer, TokenSerializer, page_of
from api.validation import PageQuerySerializer, parse
from api.views.base import PrincipalView, TokenCreating
from api.views.projects import example_page, page
from projects.models import Project
from tokens import selectors as token_selectors
from tokens import services as token_services

TAG = ["tokens"]
TOKEN = {
    "identifier": "k3v9q2x7m1z8w4r6",
    "name": "ci",
    "scopes": ["read", "upload"],
    "projects": ["Acme-Widgets"],
    "organization": None,
    "organization_owned": False,
    "created_by": "alice",
    "created": "2025-01-31T12:00:00Z",
    "expires": "2025-03-02T12:00:00Z",
    "last_used": None,
    "revoked": None,
}
SESSION_ONLY = problems(400, 401, 403, 404, 413, 429)


def _readable_projects(request, names: list[str]) -> list[Project]:
    """The named projects; one the caller may not read is answered as one that does not exist."""
    found, missing = token_selectors.token_restriction_projects(
        user_principal=request.principal, names=names
    )
    if missing:
        raise BadRequest("No project named " + ", ".join(missing) + ".")
    return found


class TokenList(TokenCreating, PrincipalView):
    @extend_schema(
        operation_id="tokens_list",
        tags=TAG,
        summary="Your tokens",
        description="Newest first, a page at a time; never a secret. Through a session only.",
        parameters=[PageQuerySerializer],
        responses={200: page_of(TokenSerializer), **problems(400, 401, 403, 429)},
        examples=[example_page(TOKEN)],
    )
    def get(self, request):
        user = require(request, Action.TOKENS_MANAGE)
        parse(PageQuerySerializer, request.query_params)
        return page(request, self, token_selectors.token_list(user=user), TokenSerializer)

    @extend_schema(
        operation_id="tokens_create",
        tags=TAG,
        summary="Issue a token",
        description=(
            "Through a session only: no token mints tokens. The answer carries the token "
            "itself, this once; nothing stores it. Restrict it to projects you may read, or to "
            "an organization you belong to."
        ),
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer, **SESSION_ONLY},
        examples=[
            OpenApiExample(
                "For CI",
                value={
                    "name": "ci",
                    "scopes": ["read", "upload"],
                    "projects": ["Acme-Widgets"],
                    "expires_in_days": 30,
                },
                request_only=True,
            ),
            OpenApiExample(
                "Issued",
                value={**TOKEN, "token": "pvi_k3v9q2x7m1z8w4r6_…"},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request):
        user = require(request, Action.TOKENS_MANAGE)
        data = parse(TokenCreateSerializer, request.data)
        projects = _readable_projects(request, data["projects"])
        organization = None
        if data["organization"]:
            organization = account_selectors.organization_for_token(
                user=user, name=data["organization"]
            )
            if organization is None:
                raise BadRequest(f"No organization named {data['organization']}.")
        days = data["expires_in_days"]
        try:
            issued = token_services.token_issue(
                user=user,
                scopes=data["scopes"],
                name=data["name"],
                projects=projects,
                organization=organization,
                expires_in=dt.timedelta(days=days) if days else None,
                actor=user,
            )
        except token_services.TokenError as exc:
            raise BadRequest(str(exc)) from None
        body = {**TokenSerializer(issued.token).data, "token": issued.secret}
        return Response(body, status=201)


class TokenDetail(PrincipalView):
    def _mine(self, request, identifier: str):
        user = require(request, Action.TOKENS_MANAGE)
        token = token_selectors.token_get(user=user, identifier=identifier)
        if token is None:
            raise not_found()
        return user, token

    @extend_schema(
        operation_id="tokens_retrieve",
        tags=TAG,
        summary="One of your tokens",
        description="Never its secret; someone else's is a 404.",
        responses={200: TokenSerializer, **problems(401, 403, 404, 429)},
        examples=[OpenApiExample("A token", value=TOKEN, response_only=True)],
    )
    def get(self, request, identifier: str):
        _user, token = self._mine(request, identifier)
        return Response(TokenSerializer(token).data)

    @extend_schema(
        operation_id="tokens_revoke",
        tags=TAG,
        summary="Revoke one of your tokens",
        description="It stops working at once (401). Someone else's is a 404.",
        request=None,
        responses={200: TokenSerializer, **problems(401, 403, 404, 429)},
        examples=[
            OpenApiExample(
                "Revoked", value={**TOKEN, "revoked": "2025-02-01T08:00:00Z"}, response_only=True
            )
        ],
    )
    def delete(self, request, identifier: str):
        user, token = self._mine(request, identifier)
        token_services.token_revoke(token=token, actor=user)
        return Response(TokenSerializer(token).data)
