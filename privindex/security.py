"""Security headers of our own, beside the ones Django and django-csp send (settings.py).

Django's ``SecurityMiddleware`` sends ``X-Content-Type-Options``, ``Referrer-Policy``,
``Cross-Origin-Opener-Policy`` and, over HTTPS only, ``Strict-Transport-Security``; the
clickjacking middleware sends ``X-Frame-Options``; django-csp's ``CSPMiddleware`` sends the
``Content-Security-Policy`` of ``settings.CONTENT_SECURITY_POLICY``. This module adds
``Permissions-Policy`` (no page of ours uses a device or a payment API, so none may) and the one
relaxation the policy allows: images from other HTTPS hosts, on a page showing the README of a
project anyone may read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

# Features no page may use, in this document or in a frame. Only names Chromium knows: an
# unknown one makes it log an error on every page. The clipboard is left
# out on purpose (the token page's copy button writes to it), and so are the WebAuthn features
# (a security key as second factor).
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every answer that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def allow_remote_images(response: HttpResponseBase) -> HttpResponseBase:
    """Let this page load images from any HTTPS host (``img-src`` gains ``https:``).

    Only for the README of a project that anyone may read (``access.readable_by_anyone``), as
    on PyPI: the hosts learn nothing that is not public. A private project's page keeps the
    site's policy (``'self' data:``), so its README's remote images are not loaded, and those
    hosts are not told who reads it, even if the rendered HTML still names them."""
    response._csp_update = {"img-src": ["https:"]}  # type: ignore[attr-defined]
    return response
