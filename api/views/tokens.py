"""The caller's API tokens. Session only: a token can neither mint nor revoke tokens (nor list
them), so a leaked token cannot escalate or outlive its revocation."""

from __future__ import annotations

import datetime as dt

from rest_framework.response import Response

from access import Action
from accounts import selectors as account_selectors
from api.permissions import BadRequest, not_found, require
from api.serializers import TokenCreateSerializer, TokenSerializer, parse
from api.views.base import PrincipalView, TokenCreating
from projects.models import Project
from tokens import selectors as token_selectors
from tokens import services as token_services


def _readable_projects(request, names: list[str]) -> list[Project]:
    """The named projects; one the caller may not read is answered as one that does not exist."""
    found, missing = token_selectors.token_restriction_projects(
        user_principal=request.principal, names=names
    )
    if missing:
        raise BadRequest("No project named " + ", ".join(missing) + ".")
    return found


class TokenList(TokenCreating, PrincipalView):
    def get(self, request):
        user = require(request, Action.TOKENS_MANAGE)
        return Response(TokenSerializer(token_selectors.token_list(user=user), many=True).data)

    def post(self, request):
        """Issue a token. The answer carries the full token once; nothing stores it."""
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
    def delete(self, request, identifier: str):
        """Revoke one of the caller's tokens; someone else's is a 404."""
        user = require(request, Action.TOKENS_MANAGE)
        token = token_selectors.token_get(user=user, identifier=identifier)
        if token is None:
            raise not_found()
        token_services.token_revoke(token=token, actor=user)
        return Response(TokenSerializer(token).data)
