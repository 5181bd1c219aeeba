"""DRF's exception handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``): every error the API
answers is an RFC 9457 problem (``privindex.problems``), with DRF's status and headers
(``WWW-Authenticate``, ``Retry-After``) and, for a validation failure, every field error."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from privindex.problems import MEDIA_TYPE, field_errors, problem_body


class Invalid(exceptions.ValidationError):
    """A body or query that failed validation, with every error (``api.serializers.parse``)."""


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's handler500 answers (privindex.errors)
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        detail = _summary(errors)
    elif isinstance(exc, exceptions.APIException):
        detail = _text(exc.detail)
    else:  # Http404 and PermissionDenied from Django, turned into DRF's by the default
        detail = _text(response.data.get("detail", "")) if isinstance(response.data, dict) else ""
    response.data = problem_body(response.status_code, detail, errors=errors)
    response.content_type = MEDIA_TYPE
    return response


def _text(detail: Any) -> str:
    if isinstance(detail, list | dict):
        return "; ".join(item["message"] for item in field_errors(detail))
    return str(detail)


def _summary(errors: list[dict[str, str]]) -> str:
    if len(errors) == 1:
        error = errors[0]
        return f"{error['field']}: {error['message']}" if error["field"] else error["message"]
    return f"The request has {len(errors)} errors: see errors."
