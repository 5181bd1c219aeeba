"""PEP 752 JSON endpoints (API 1.5): ``/namespaces`` and ``/namespace/<ns>``.

JSON only (``application/vnd.pypi.simple.v1+json``), whatever ``Accept`` says, with the
simple pages' ETag, conditional GET, Vary and cache headers. They answer to the JSON API's
credential rules (``Surface.JSON_API``): bad credentials 401, a token without the read scope
403, and on a closed index an anonymous caller 401, all decided before any name is looked at.
They show grants, never projects; hidden grants only to their holders and staff, and a
namespace the caller does not see is the ordinary 404 (decision 0016). Being JSON endpoints,
they refuse with RFC 9457 problems, as the JSON API does (``simple_api.problems``).
"""

from __future__ import annotations

import json

from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.views.decorators.http import require_safe
from packaging.utils import canonicalize_name

from access import Action, Surface, precheck
from namespaces import selectors
from namespaces.selectors import NamespaceDetail
from privindex.requests import PrincipalRequest
from simple_api.negotiation import JSON_V1
from simple_api.pages import JSON_API_VERSION
from simple_api.problems import credentials_error, deny, not_found
from simple_api.responses import READ_VARY
from simple_api.views import _page


def _refuse_caller(request: PrincipalRequest) -> HttpResponse | None:
    """Bad credentials, a challenge or a missing scope, from the caller alone (S4.9)."""
    if (error := credentials_error(request)) is not None:
        return error
    early = precheck(request.principal, Action.READ, surface=Surface.JSON_API)
    return None if early else deny(early)


def _json(request: PrincipalRequest, data: dict[str, object]) -> HttpResponse:
    body = json.dumps({"meta": {"api-version": JSON_API_VERSION}, **data}, separators=(",", ":"))
    # One answer for every anonymous caller: shared caches may keep it.
    return _page(request, body, JSON_V1, public=request.principal.is_anonymous)


def _fields(detail: NamespaceDetail) -> dict[str, object]:
    return {
        "name": detail.name,
        "owner": detail.owner,
        "open": detail.open,
        "parent": detail.parent,
        "children": detail.children,
    }


@require_safe
def namespace_list(request: PrincipalRequest) -> HttpResponse:
    """Every namespace the caller sees, by name, each as its ``/namespace/<ns>`` page."""
    if (refused := _refuse_caller(request)) is not None:
        return refused
    found = selectors.namespace_list(principal=request.principal)
    return _json(request, {"namespaces": [_fields(detail) for detail in found]})


@require_safe
def namespace_detail(request: PrincipalRequest, name: str) -> HttpResponse:
    if (refused := _refuse_caller(request)) is not None:
        return refused
    normalized = canonicalize_name(name)
    if name != normalized:
        # Any spelling redirects, granted or not, hidden or not: no oracle.
        location = reverse("namespace", args=[normalized])
        if request.META.get("QUERY_STRING"):
            location += "?" + request.META["QUERY_STRING"]
        response = HttpResponsePermanentRedirect(location)
        response["Vary"] = READ_VARY
        return response
    detail = selectors.namespace_detail(normalized_name=normalized, principal=request.principal)
    if detail is None:
        return not_found()
    return _json(request, _fields(detail))
