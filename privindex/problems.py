"""RFC 9457 problem details: the one shape of every JSON error (the REST API under
``/api/``, the PyPI JSON API under ``/pypi/``, Django's handlers for those paths, the
two-factor requirement's refusal).

``{"type", "title", "status", "detail"}`` and, for a request that failed validation,
``"errors"``: every field error at once, ``[{"field": "visibility", "message": "..."}]``
(``field`` is a dotted path for nested values, ``""`` for the body as a whole). ``type`` is
``about:blank``, so ``title`` is the status's reason phrase (RFC 9457 4.2.1).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse

MEDIA_TYPE = "application/problem+json"


def problem_body(
    status: int, detail: str, *, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if errors:
        body["errors"] = errors
    return body


def problem(
    status: int, detail: str, *, errors: list[dict[str, str]] | None = None, **headers: str
) -> HttpResponse:
    """The problem as a response, outside DRF (DRF's handler: ``api.errors``)."""
    # Compact, as DRF renders: the same problem is the same bytes from either.
    body = json.dumps(
        problem_body(status, detail, errors=errors), ensure_ascii=False, separators=(",", ":")
    )
    response = HttpResponse(body, status=status, content_type=MEDIA_TYPE)
    for key, value in headers.items():
        response[key.replace("_", "-")] = value
    return response


def field_errors(errors: Any, field: str = "") -> list[dict[str, str]]:
    """DRF's nested ``serializer.errors`` as a flat list, every one of them."""
    if isinstance(errors, dict):
        found: list[dict[str, str]] = []
        for key, value in errors.items():
            name = "" if key == "non_field_errors" else str(key)
            found += field_errors(value, f"{field}.{name}" if field and name else field or name)
        return found
    if isinstance(errors, list):
        found = []
        for index, value in enumerate(errors):
            nested = isinstance(value, dict | list)
            found += field_errors(value, f"{field}.{index}" if nested and field else field)
        return found
    return [{"field": field, "message": str(errors)}]
