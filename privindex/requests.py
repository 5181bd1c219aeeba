"""The request every view of ours receives: Django's, with who is asking.

``simple_api.middleware.TokenAuthenticationMiddleware`` sets both attributes on every request
before any view runs; DRF views re-set ``principal`` from what DRF authenticated
(``api.views.base.PrincipalView``).
"""

from __future__ import annotations

from django.http import HttpRequest

from access import Principal


class PrincipalRequest(HttpRequest):
    """For type checking only: no request is ever constructed from this class."""

    principal: Principal
    # The message for credentials that were sent but are not valid (answered with 401, never
    # treated as anonymous); None when none were sent or they were accepted.
    auth_error: str | None
