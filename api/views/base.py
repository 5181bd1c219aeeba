"""The base view every API view extends, and the pagination the listings use."""

from __future__ import annotations

from typing import Any

from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from access import Action, Principal, Surface, precheck
from api.throttles import TokenCreateThrottle
from api.validation import MAX_LIMIT, PageQuerySerializer, parse


def list_allowed(request) -> None:  # type: ignore[no-untyped-def]
    """Lists are for signed-in callers (issue 11): anonymous callers get 401 with the
    challenge, a token without the read scope 403, whatever it lists, before any name is
    looked at (``Surface.API_LIST``)."""
    from api.permissions import deny

    decision = precheck(request.principal, Action.READ, surface=Surface.API_LIST)
    if not decision:
        deny(decision)


class Pagination(LimitOffsetPagination):
    """Every list's page, and the rules of every list, wherever a view forgot them: who may
    list (``list_allowed``), and no query parameter but ``limit`` and ``offset`` (a view with
    filters of its own parses them itself and says so with ``parses_own_query``)."""

    default_limit = 50
    max_limit = MAX_LIMIT

    def paginate_queryset(self, queryset, request, view=None):  # type: ignore[no-untyped-def]
        list_allowed(request)
        if not getattr(view, "parses_own_query", False):
            parse(PageQuerySerializer, request.query_params)
        return super().paginate_queryset(queryset, request, view=view)


class TokenCreating:
    """A view whose POST issues a token: also throttled per user (``TokenCreateThrottle``)."""

    def get_throttles(self):  # type: ignore[no-untyped-def]
        throttles = super().get_throttles()  # type: ignore[misc]
        if self.request.method == "POST":  # type: ignore[attr-defined]
            throttles.append(TokenCreateThrottle())
        return throttles


class PrincipalView(APIView):
    """Sets ``request.principal`` from what DRF authenticated, before the handler runs.

    A token principal comes from ``PrincipalAuthentication``; a session user only counts once
    ``SessionAuthentication`` has accepted the request (CSRF included for unsafe methods).
    """

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, Principal):
            principal = request.auth
        else:
            principal = Principal(user=request.user)
        request._request.principal = principal

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Every answer depends on who asks, and a token create answer carries a secret.
        patch_vary_headers(response, ("Authorization", "Cookie"))
        patch_cache_control(response, private=True, no_store=True)
        return response


def page(request, view, items: Any, serializer_class: type, **context: Any) -> Response:  # type: ignore[no-untyped-def]
    """One page of ``items`` (a query, sliced: one query a page), as ``page_of`` describes:
    every list answers through it."""
    paginator = Pagination()
    rows = paginator.paginate_queryset(items, request, view=view)
    data = serializer_class(rows, many=True, context={"request": request, **context}).data
    return paginator.get_paginated_response(data)
