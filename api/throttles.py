"""DRF throttles of the API, counted in the cache (``CACHES``: Redis in production, so every
process shares the counts). Each answers 429 with ``Retry-After`` (an RFC 9457 problem).

- ``AuthFailureThrottle``: failed authentication (bad or revoked tokens, passwords), per
  client address (``privindex.middleware.client_ip``); only failures count, so a valid token
  from the same address keeps working. Asked by ``api.authentication``.
- ``TokenCreateThrottle``: token creation, per user (``TokenList``, ``OrgTokenList``).
- ``WriteThrottle``: every unsafe request, per token (or user, or address when anonymous);
  reads are not counted. The default for every view.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle

from privindex.middleware import client_ip

SAFE = ("GET", "HEAD", "OPTIONS")


class _Throttle(SimpleRateThrottle):
    def _who(self, request: Any) -> str:
        # A token counts as itself (an organization token has no user; one leaked and used
        # from many addresses is still one caller).
        token = getattr(getattr(request, "principal", None), "token", None)
        if token is not None:
            return f"token{token.pk}"
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return f"user{user.pk}"
        return f"ip{client_ip(request) or ''}"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self._who(request)}


class AuthFailureThrottle(_Throttle):
    scope = "auth-failure"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or ""}


class TokenCreateThrottle(_Throttle):
    scope = "token-create"


class WriteThrottle(_Throttle):
    scope = "write"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in SAFE:
            return True
        return super().allow_request(request, view)
