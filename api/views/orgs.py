"""Organizations the caller belongs to; an organization's page is for its members only."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.response import Response

from api import selectors as api_selectors
from api.permissions import deny, not_found, require_user
from api.views.base import PrincipalView
from projects.access import Action, Denial, decide


def _require_member_reader(request) -> None:
    """401 for anonymous callers, 403 for a token without the read scope."""
    require_user(request)
    decision = decide(request.principal, Action.READ, None)
    if decision.denial not in (None, Denial.NOT_FOUND):
        deny(decision)


class OrgList(PrincipalView):
    def get(self, request):
        _require_member_reader(request)
        memberships = api_selectors.organization_memberships(principal=request.principal)
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
        _require_member_reader(request)
        org = api_selectors.organization_get(principal=request.principal, name=name)
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
