"""DRF authentication from the principal the middleware already resolved.

``simple_api.middleware.TokenAuthenticationMiddleware`` reads the ``Authorization`` header on
every request. This class only reports its result to DRF: a token principal authenticates, bad
credentials fail with 401 (never anonymous, S4.10), and a request without credentials falls
through to ``SessionAuthentication`` so that unsafe methods keep their CSRF check.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from api.throttles import AuthFailureThrottle


class PrincipalAuthentication(BaseAuthentication):
    def authenticate(self, request):
        """``(user, principal)`` for a valid token; None when no credentials were sent.

        Raises AuthenticationFailed when credentials were sent but are not valid.
        """
        django_request = request._request
        error = getattr(django_request, "auth_error", None)
        if error:
            # Counted per address: past the limit, 429 instead of another answer to try.
            throttle = AuthFailureThrottle()
            if not throttle.allow_request(request, None):
                raise Throttled(wait=throttle.wait())
            raise AuthenticationFailed(error)
        principal = getattr(django_request, "principal", None)
        if principal is None or principal.token is None:
            # Returning the session user here would skip SessionAuthentication's CSRF check.
            return None
        return principal.user, principal

    def authenticate_header(self, request) -> str:
        # Also makes DRF answer NotAuthenticated with 401 rather than 403.
        return f'Basic realm="{settings.PRIVINDEX_REALM}"'
