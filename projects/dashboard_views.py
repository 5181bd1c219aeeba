"""The signed-in user's dashboard (issue 10): their own projects, projects shared with them
(a role through a team or an organization, or a direct role they do not own), their
organizations, and the recent activity on the projects they manage.

Who holds what is ``access``'s (``projects_held_by``, ``owns_project``, ``decide``); the view
splits and shapes, it does not decide.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from access import Action, Surface, decide, owns_project, projects_held_by
from accounts import selectors as account_selectors
from audit import selectors as audit_selectors
from privindex import web
from privindex.requests import PrincipalRequest

RECENT = 20  # events shown
LISTED = 200  # projects shown per list


@require_safe
@cache_control(private=True, no_cache=True)
@vary_on_headers("Authorization", "Cookie")
def dashboard(request: PrincipalRequest) -> HttpResponse:
    if request.auth_error:
        return web.unauthenticated(request, request.auth_error)
    principal = request.principal
    if principal.token is not None:
        return web.error(request, 403, "The dashboard is for signed-in people.")
    if principal.user is None:
        return redirect_to_login(request.get_full_path())
    held = list(
        projects_held_by(principal)
        .select_related("organization")
        .order_by("normalized_name")[:LISTED]
    )
    own = [p for p in held if owns_project(principal, p)]
    shared = [p for p in held if p not in own]
    managed = [p.pk for p in held if decide(principal, Action.MANAGE, p, surface=Surface.WEB)]
    # Each project's events since its latest transfer, as its history page shows them.
    recent = list(audit_selectors.projects_events(managed)[:RECENT])
    context = {
        "own": own,
        "shared": shared,
        "memberships": account_selectors.organization_memberships(principal=principal),
        "recent": recent,
    }
    return render(request, "web/dashboard.html", context)
