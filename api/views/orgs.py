"""Organizations the caller belongs to; an organization's page is for its members only."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from rest_framework.response import Response

from access import Action, Surface, decide_organization
from accounts import selectors as account_selectors
from accounts.models import Organization
from api.permissions import BadRequest, deny, not_found, require
from api.serializers import OrganizationTokenCreateSerializer, TokenSerializer, parse
from api.views.base import PrincipalView, TokenCreating
from tokens import selectors as token_selectors
from tokens import services as token_services


class OrgList(PrincipalView):
    def get(self, request):
        require(request, Action.ORGANIZATION_READ)
        memberships = account_selectors.organization_memberships(principal=request.principal)
        return Response(
            [
                {
                    "name": m.organization.name,
                    "role": m.role,
                    "url": request.build_absolute_uri(
                        reverse("api:org-detail", args=[m.organization.normalized_name])
                    ),
                }
                for m in memberships
            ]
        )


class OrgDetail(PrincipalView):
    def get(self, request, name: str):
        require(request, Action.ORGANIZATION_READ)
        org = account_selectors.organization_get(principal=request.principal, name=name)
        if org is None:
            raise not_found()
        return Response(
            {
                "name": org.name,
                "default_visibility": org.default_visibility,
                "members": [
                    {"username": m.user.username, "role": m.role} for m in org.members.all()
                ],
                "teams": [
                    {"name": t.name, "members": [tm.user.username for tm in t.memberships.all()]}
                    for t in org.teams.all()
                ],
            }
        )


def _organization(request, name: str, action: Action) -> Organization:
    """The organization ``name`` if the caller may do ``action`` on it; else the denial (a
    non-member's is the 404 of a name that does not exist)."""
    organization = account_selectors.organization_by_name(name=name)
    decision = decide_organization(request.principal, action, organization, surface=Surface.API)
    if not decision:
        deny(decision)
    assert organization is not None
    return organization


class OrgTokenList(TokenCreating, PrincipalView):
    """The organization's own tokens (for CI and deploy machines): listed for owners and
    managers, issued by them through a session (no token issues tokens)."""

    def get(self, request, name: str):
        organization = _organization(request, name, Action.ORGANIZATION_TOKENS_ISSUE)
        tokens = token_selectors.organization_token_list(organization=organization)
        return Response(TokenSerializer(tokens, many=True).data)

    def post(self, request, name: str):
        """Issue one; the answer carries the full token once."""
        organization = _organization(request, name, Action.ORGANIZATION_TOKENS_ISSUE)
        user = request.principal.user
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
                actor=user,
            )
        except token_services.TokenError as exc:
            raise BadRequest(str(exc)) from None
        body = {**TokenSerializer(issued.token).data, "token": issued.secret}
        return Response(body, status=201)


class OrgTokenDetail(PrincipalView):
    def delete(self, request, name: str, identifier: str):
        """Revoke one of the organization's tokens: owners only."""
        organization = _organization(request, name, Action.ORGANIZATION_MANAGE)
        token = token_selectors.organization_token_get(
            organization=organization, identifier=identifier
        )
        if token is None:
            raise not_found()
        token_services.token_revoke(token=token, actor=request.principal.user)
        return Response(TokenSerializer(token).data)
