"""What drf-spectacular needs to describe the API: how it authenticates, and the one error
shape (``ProblemSerializer``) that views name in ``extend_schema(responses=...)`` through
``problems(...)``. Imported by ``api.apps`` so the extension is registered."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from privindex.problems import MEDIA_TYPE


class PrincipalAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.PrincipalAuthentication"
    name = ["tokenBasic", "tokenBearer"]

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        return [
            {
                "type": "http",
                "scheme": "basic",
                "description": "User name `__token__`, password: the token.",
            },
            {"type": "http", "scheme": "bearer", "description": "The token."},
        ]


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="A dotted path; empty for the body as a whole.")
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem (application/problem+json)."""

    type = serializers.CharField(default="about:blank")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]


PROBLEM_TEXT = {
    400: "Invalid input: every field error in errors",
    401: "No or bad credentials (with a WWW-Authenticate challenge)",
    403: "Not allowed",
    404: "Not found, or private and not readable by the caller (the same answer)",
    409: "Conflicts with the current state",
    413: "The body is too large",
    429: "Throttled (with Retry-After)",
}


def problems(*statuses: int) -> dict[Any, OpenApiResponse]:
    """``extend_schema(responses={200: ..., **problems(400, 404)})``: each an RFC 9457
    problem, under its own media type."""
    return {
        (status, MEDIA_TYPE): OpenApiResponse(
            ProblemSerializer, description=PROBLEM_TEXT.get(status, "")
        )
        for status in statuses
    }
