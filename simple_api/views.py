"""The simple repository API: root and project pages (PEP 503/691/700/714/792)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.urls import get_script_prefix
from django.views.decorators.http import require_safe
from packaging.utils import canonicalize_name

from access import (
    Action,
    Decision,
    Denial,
    Surface,
    anonymous_read_open,
    decide,
    decide_upstream,
    precheck,
    readable_by_anyone,
)
from namespaces import selectors as namespace_selectors
from namespaces.selectors import namespace_reserving
from privindex.requests import PrincipalRequest
from projects import selectors
from simple_api import negotiation, pages, problems, responses
from simple_api.responses import (
    READ_VARY,
    UPSTREAM_HEADER,
    etag_matches,
    message_response,
)
from upstream import pages as upstream_pages
from upstream import proxy
from upstream.client import UpstreamError
from upstream.models import Upstream


def _surface(request: PrincipalRequest) -> Surface:
    """``/auth/simple/`` answers like ``/simple/`` but challenges every anonymous request."""
    match = request.resolver_match
    return Surface.AUTH_SIMPLE if match and match.namespace == "auth-simple" else Surface.SIMPLE


def _prefix(request: PrincipalRequest) -> str:
    return get_script_prefix() + (
        "auth/simple/" if _surface(request) == Surface.AUTH_SIMPLE else "simple/"
    )


def _negotiate(request: PrincipalRequest) -> str | None:
    """The content type this request negotiated, chosen once (the refusals ask it before the
    page does: ``_refusals``)."""
    try:
        return request._negotiated  # type: ignore[attr-defined, no-any-return]
    except AttributeError:
        chosen = negotiation.select_content_type(
            request.META.get("HTTP_ACCEPT"), request.GET.get("format")
        )
        request._negotiated = chosen  # type: ignore[attr-defined]
        return chosen


def _page(
    request: PrincipalRequest, body: str, content_type: str, *, public: bool, max_age: int = 600
) -> HttpResponse:
    """A page with ETag, conditional GET, Vary and cache headers (S1.37, S1.38, DESIGN 8)."""
    data = body.encode("utf-8")
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Vary": READ_VARY,
        "Cache-Control": f"{'public' if public else 'private'}, max-age={max_age}",
    }
    if etag_matches(request, etag):
        response = HttpResponse(status=304)
    else:
        charset = "; charset=utf-8"
        response = HttpResponse(data, content_type=content_type + charset)
    for key, value in headers.items():
        response[key] = value
    return response


class Refusals(NamedTuple):
    credentials_error: Callable[[PrincipalRequest], HttpResponse | None]
    deny: Callable[[Decision], HttpResponse]
    upstream_failed: Callable[[int, str], HttpResponse]


TEXT = Refusals(responses.credentials_error, responses.deny, responses.upstream_failed)
PROBLEMS = Refusals(problems.credentials_error, problems.deny, problems.upstream_failed)


def _refusals(request: PrincipalRequest) -> Refusals:
    """How this request's refusals are written: RFC 9457 problems for a client that
    negotiated JSON (PEP 691 defines no error body, so a problem is allowed:
    ``simple_api.problems``), plain text for every other. Chosen from the request's headers
    alone, so a hidden name and an unknown one still get the same bytes."""
    return PROBLEMS if _negotiate(request) == negotiation.JSON_V1 else TEXT


def _not_acceptable() -> HttpResponse:
    offered = ", ".join(negotiation.OFFERS)
    response = message_response(406, f"Not Acceptable. Available content types: {offered}")
    response["Vary"] = READ_VARY
    return response


def _refuse_caller(request: PrincipalRequest) -> HttpResponse | None:
    """The answer for bad credentials, a challenge or a missing scope: decided from the
    caller alone, before any name is looked at (S4.9)."""
    refusals = _refusals(request)
    if (error := refusals.credentials_error(request)) is not None:
        return error
    early = precheck(request.principal, Action.READ, surface=_surface(request))
    return None if early else refusals.deny(early)


@require_safe
def index(request: PrincipalRequest) -> HttpResponse:
    if (refused := _refuse_caller(request)) is not None:
        return refused
    principal = request.principal
    content_type = _negotiate(request)
    if content_type is None:
        return _not_acceptable()
    projects = selectors.project_index_list(principal=principal)
    if content_type == negotiation.JSON_V1:
        body = pages.index_json(projects)
    else:
        body = pages.index_html(projects, _prefix(request))
    return _page(request, body, content_type, public=principal.is_anonymous)


@require_safe
def detail(request: PrincipalRequest, name: str) -> HttpResponse:
    if (refused := _refuse_caller(request)) is not None:
        return refused
    principal = request.principal
    normalized = canonicalize_name(name)
    if name != normalized:
        # S1.4: redirect any spelling to the normalized URL, keeping ?format=.
        location = f"{_prefix(request)}{quote(normalized)}/"
        if request.META.get("QUERY_STRING"):
            location += "?" + request.META["QUERY_STRING"]
        response = HttpResponsePermanentRedirect(location)
        response["Vary"] = READ_VARY
        return response
    project = selectors.project_get(name=normalized)
    decision = decide(principal, Action.READ, project, surface=_surface(request))
    if not decision:
        if decision.denial == Denial.NOT_FOUND:
            # Unknown here, or hidden from this caller: the same lookups either way (S4.12),
            # and only a name with no local project may be answered from an upstream.
            reserved = namespace_reserving(normalized) is not None
            upstreams = proxy.upstreams_active()
            if not reserved and upstreams and decide_upstream(principal, surface=_surface(request)):
                if project is None:
                    proxied = _upstream_detail(request, normalized, upstreams)
                    if proxied is not None:
                        return proxied
                # A hidden name: what an unknown name would cost, and its failure while the
                # upstream is down, but never an upstream's answer (decision 0015).
                elif (failure := proxy.shadow_probe(normalized, upstreams=upstreams)) is not None:
                    return _refusals(request).upstream_failed(failure.status, failure.message)
        return _refusals(request).deny(decision)
    assert project is not None
    content_type = _negotiate(request)
    if content_type is None:
        return _not_acceptable()
    files = selectors.project_files_list(project=project)
    file_prefix = pages.files_prefix()
    if content_type == negotiation.JSON_V1:
        versions = selectors.project_versions_list(project=project)
        namespaces = namespace_selectors.project_namespaces(project=project, principal=principal)
        body = pages.detail_json(project, files, versions, file_prefix, namespaces)
    else:
        body = pages.detail_html(project, files, file_prefix)
    return _page(request, body, content_type, public=readable_by_anyone(project))


def _upstream_detail(
    request: PrincipalRequest, name: str, upstreams: list[Upstream]
) -> HttpResponse | None:
    """The upstream's page for a name with no local project and outside every reserved
    namespace, or None to answer as for any unknown name."""
    try:
        page = proxy.project_page(name, upstreams=upstreams)
    except UpstreamError as error:
        return _refusals(request).upstream_failed(error.status, error.message)
    if page is None:
        return None
    content_type = _negotiate(request)
    if content_type is None:
        return _not_acceptable()
    if content_type == negotiation.JSON_V1:
        # An HTML upstream gives no sizes (PEP 700): those of files kept here are known.
        sizes = proxy.known_sizes(name) if page.data.get("format") == "html" else None
        body = upstream_pages.detail_json(name, page.data, sizes)
    else:
        body = upstream_pages.detail_html(name, page.data)
    response = _page(
        request,
        body,
        content_type,
        public=anonymous_read_open(),  # shared caches may keep it, unless closed
        max_age=60 if page.state == "stale" else min(600, int(settings.PRIVINDEX_UPSTREAM_TTL)),
    )
    response[UPSTREAM_HEADER] = page.state
    return response
