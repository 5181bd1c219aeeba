"""Authenticate (never authorize) from the ``Authorization`` header.

Sets ``request.principal`` and, for credentials that were sent but are not valid,
``request.auth_error``. Adapters answer 401 on ``auth_error``: bad credentials are never
treated as anonymous (that would send pip and uv on to another index; S4.10).
"""

import base64
import logging

from access import Principal
from privindex.middleware import DATABASE_ERRORS, unavailable
from tokens.services import auth_failure_record, token_authenticate

log = logging.getLogger(__name__)

INVALID = "Invalid or non-existent authentication information."
PASSWORDS = (
    "Username/password authentication is not supported. "
    "Use the username __token__ with an API token as the password."
)


def credentials_from_header(header: str) -> tuple[str | None, str | None]:
    """(token string, error) from an Authorization header value."""
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme in ("bearer", "token"):
        return (value, None) if value else (None, INVALID)
    if scheme != "basic":
        return None, INVALID
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):  # binascii.Error; non-ASCII input
        return None, INVALID
    username, sep, password = decoded.partition(":")
    if not sep:
        return None, INVALID
    if username == "__token__":
        return (password, None) if password else (None, INVALID)
    if password == "" and username:
        return username, None  # https://<token>@host/simple/ (S4.1)
    return None, PASSWORDS


class TokenAuthenticationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.auth_error = None
        try:
            self._authenticate(request)
        except DATABASE_ERRORS:
            # Answer here: raised from a middleware, Django would log a traceback per request.
            log.warning("database unavailable while authenticating")
            return unavailable()
        return self.get_response(request)

    def _authenticate(self, request) -> None:
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            request.principal = Principal(user=getattr(request, "user", None))
            return
        raw, error = credentials_from_header(header)
        ip = getattr(request, "client_ip", None)  # privindex.middleware.AuditOriginMiddleware
        token = token_authenticate(raw, ip=ip) if raw else None
        if raw is None:
            auth_failure_record(ip=ip, token=None)
        if token is None:
            request.auth_error = error or INVALID
            request.principal = Principal()
        else:
            request.principal = Principal(token=token)
