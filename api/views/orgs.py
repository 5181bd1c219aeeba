"""Organizations the caller belongs to; an organization's page is for its members only."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.response import Response

from access import Action
from accounts import selectors as account_selectors
from api.permissions import not_found, require
from api.views.base import PrincipalView


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
