"""The base view every API view extends, and the pagination the listings use."""

from __future__ import annotations

from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.views import APIView

from access import Principal
from api.throttles import TokenCreateThrottle


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


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
